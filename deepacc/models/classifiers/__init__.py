from .chromosome_crop_classifier import ChromosomeCropClassifier
from .chromosome_crop_ensemble import ChromosomeCropEnsemble
from .cluster_type_classifier import ClusterTypeClassifier

__all__ = [
    'ChromosomeCropClassifier',
    'ChromosomeCropEnsemble',
    'ClusterTypeClassifier',
]
