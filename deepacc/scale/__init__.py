"""Chromosome scale: measured in an image, matched to the model's."""

from .estimate import (
    ScaleEstimateError,
    crops_width,
    estimate_chromosome_width,
    mask_width,
    object_widths,
    speck_area,
)
from .normalize import (
    SCALE_CHOICES,
    checkpoint_meta,
    model_chromosome_width,
    model_scale,
    parse_scale,
    rescale_pipeline,
    robust_scale_factor,
    scale_factor,
    scale_record,
)

__all__ = [
    'SCALE_CHOICES',
    'ScaleEstimateError',
    'checkpoint_meta',
    'crops_width',
    'estimate_chromosome_width',
    'model_chromosome_width',
    'model_scale',
    'mask_width',
    'object_widths',
    'parse_scale',
    'rescale_pipeline',
    'robust_scale_factor',
    'scale_factor',
    'scale_record',
    'speck_area',
]
