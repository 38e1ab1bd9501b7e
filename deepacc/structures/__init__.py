from .calls import (
    bbox_overlaps,
    count_by_class,
    select_calls,
    split_calls,
    top1_from_multiclass,
)

__all__ = [
    'bbox_overlaps',
    'count_by_class',
    'select_calls',
    'split_calls',
    'top1_from_multiclass',
]
