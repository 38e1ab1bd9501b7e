"""Chromosome scale: measured in an image, matched to the model's."""

from .estimate import (
    REFERENCE_WIDTH,
    ScaleEstimateError,
    crops_width,
    estimate_chromosome_width,
    mask_width,
    object_widths,
    resize_by,
    speck_area,
    to_reference,
)
from .normalize import (
    SCALE_CHOICES,
    ModelScale,
    checkpoint_meta,
    model_chromosome_width,
    model_scale,
    model_width_reference,
    parse_scale,
    rescale_pipeline,
    robust_scale_factor,
    scale_factor,
    scale_record,
)

__all__ = [
    'REFERENCE_WIDTH',
    'SCALE_CHOICES',
    'ModelScale',
    'ScaleEstimateError',
    'checkpoint_meta',
    'crops_width',
    'estimate_chromosome_width',
    'model_chromosome_width',
    'model_scale',
    'model_width_reference',
    'mask_width',
    'object_widths',
    'parse_scale',
    'rescale_pipeline',
    'resize_by',
    'robust_scale_factor',
    'scale_factor',
    'scale_record',
    'speck_area',
    'to_reference',
]
