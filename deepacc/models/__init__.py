from .classifiers import ChromosomeCropClassifier, ClusterTypeClassifier
from .layers import LocalCenterClassifier
from .losses import AdditiveAngularMarginLoss, GroupInnerAdjacencyLoss
from .roi_heads import DeepAccBBoxHead, DeepAccRoIHead
from .task_modules import SparseBboxOverlaps2D

__all__ = [
    'AdditiveAngularMarginLoss',
    'ChromosomeCropClassifier',
    'ClusterTypeClassifier',
    'GroupInnerAdjacencyLoss',
    'DeepAccBBoxHead',
    'DeepAccRoIHead',
    'LocalCenterClassifier',
    'SparseBboxOverlaps2D',
]
