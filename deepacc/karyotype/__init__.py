"""Karyotype reports: counts, ISCN string, overlay and karyogram pictures.

Nothing here is registered in mmdet's registries, so ``import deepacc``
does not import this package; use ``from deepacc.karyotype import ...``.
The detector (torch, mmdet) is only imported by :class:`Karyotyper`.
"""

from .inferencer import Karyotyper, karyotype_image, read_image
from .iscn import (
    autosomal_changes,
    counts_to_dict,
    expected_copies,
    numerical_karyotype,
    sex_chromosomes,
)
from .karyogram import draw_karyogram, render_karyogram
from .karyogram_layout import (
    KaryogramLayout,
    KaryogramStyle,
    layout_karyogram,
)
from .overlay import draw_overlay
from .record import build_record, record_flags
from .upright import UprightCrop, upright_chromosome

__all__ = [
    'Karyotyper',
    'karyotype_image',
    'read_image',
    'autosomal_changes',
    'counts_to_dict',
    'expected_copies',
    'numerical_karyotype',
    'sex_chromosomes',
    'draw_karyogram',
    'render_karyogram',
    'KaryogramLayout',
    'KaryogramStyle',
    'layout_karyogram',
    'draw_overlay',
    'build_record',
    'record_flags',
    'UprightCrop',
    'upright_chromosome',
]
