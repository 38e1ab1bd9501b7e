from .chromosome_crop_classifier import ChromosomeCropClassifier
from .cluster_type_classifier import ClusterTypeClassifier

__all__ = ['ChromosomeCropClassifier', 'ClusterTypeClassifier']
