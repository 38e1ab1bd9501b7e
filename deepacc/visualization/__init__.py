"""Pictures: image conversion, colours, text, outlines, header strips and
the confusion matrix (matplotlib, imported lazily).

Everything that draws imports from here; nothing here imports from the
packages above it (``deepacc.karyotype``, ``deepacc.clusters``,
``deepacc.evaluation``, ``deepacc.cli``), only :mod:`deepacc.chromosomes`.
"""

from .confusion_matrix import (
    MISSED,
    SPURIOUS,
    confusion_labels,
    denver_order,
    plot_confusion_matrix,
    reorder,
    save_confusion_csv,
)
from .header import draw_swatch_key, draw_text_key, header_strip
from .image import WHITE, to_bgr, to_grey, whiten_background
from .outlines import TYPE_SHORT, dashed_rect, draw_outlines, outline_sizes
from .palette import TYPE_COLORS, bgr, group_color, group_key, ink_on
from .text import FONT, adaptive_sizes, fit_text, put_text, text_size

__all__ = [
    'MISSED',
    'SPURIOUS',
    'confusion_labels',
    'denver_order',
    'plot_confusion_matrix',
    'reorder',
    'save_confusion_csv',
    'draw_swatch_key',
    'draw_text_key',
    'header_strip',
    'WHITE',
    'to_bgr',
    'to_grey',
    'whiten_background',
    'TYPE_SHORT',
    'dashed_rect',
    'draw_outlines',
    'outline_sizes',
    'TYPE_COLORS',
    'bgr',
    'group_color',
    'group_key',
    'ink_on',
    'FONT',
    'adaptive_sizes',
    'fit_text',
    'put_text',
    'text_size',
]
