from .classifiers import ChromosomeCropClassifier
from .losses import AdditiveAngularMarginLoss, GroupInnerAdjacencyLoss
from .roi_heads import DeepAccBBoxHead, DeepAccRoIHead

__all__ = [
    'AdditiveAngularMarginLoss',
    'ChromosomeCropClassifier',
    'GroupInnerAdjacencyLoss',
    'DeepAccBBoxHead',
    'DeepAccRoIHead',
]
