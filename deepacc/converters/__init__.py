"""Converters from published annotation formats to chromosome COCO, and
of finished karyograms to labelled crops."""

from .coco import (
    CocoBuilder,
    canonical_categories,
    class_counts,
    load_coco,
    validate_coco,
    write_coco,
)
from .karyogram import convert_karyograms, cut_karyogram
from .labelme import convert_labelme
from .report import ConversionError, ConversionReport
from .split import karyotype_signature, split_coco, split_images
from .voc import convert_voc
from .yolo import convert_yolo

CONVERTERS = dict(voc=convert_voc, yolo=convert_yolo, labelme=convert_labelme)

__all__ = [
    'CocoBuilder',
    'canonical_categories',
    'class_counts',
    'load_coco',
    'validate_coco',
    'write_coco',
    'ConversionError',
    'ConversionReport',
    'convert_voc',
    'convert_yolo',
    'convert_labelme',
    'convert_karyograms',
    'cut_karyogram',
    'CONVERTERS',
    'karyotype_signature',
    'split_coco',
    'split_images',
]
