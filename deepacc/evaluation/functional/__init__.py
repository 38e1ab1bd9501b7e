from .average_precision import (
    AP_STYLES,
    ap_from_flags,
    average_precision,
    eval_class_ap,
    match_image,
)
from .cluster_types import cluster_type_scores, type_confusion
from .confusion import confusion_matrix, denver_order, reorder
from .crop_classification import crop_classification_scores
from .inputs import align_by_img_id, check_ground_truth, check_prediction
from .karyotype_errors import error_rates, karyotype_errors, match_calls

__all__ = [
    'AP_STYLES',
    'align_by_img_id',
    'ap_from_flags',
    'average_precision',
    'check_ground_truth',
    'check_prediction',
    'cluster_type_scores',
    'confusion_matrix',
    'crop_classification_scores',
    'denver_order',
    'error_rates',
    'eval_class_ap',
    'karyotype_errors',
    'match_calls',
    'match_image',
    'reorder',
    'type_confusion',
]
