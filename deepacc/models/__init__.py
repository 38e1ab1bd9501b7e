from .classifiers import ChromosomeCropClassifier, ClusterTypeClassifier
from .losses import AdditiveAngularMarginLoss, GroupInnerAdjacencyLoss
from .roi_heads import DeepAccBBoxHead, DeepAccRoIHead

__all__ = [
    'AdditiveAngularMarginLoss',
    'ChromosomeCropClassifier',
    'ClusterTypeClassifier',
    'GroupInnerAdjacencyLoss',
    'DeepAccBBoxHead',
    'DeepAccRoIHead',
]
