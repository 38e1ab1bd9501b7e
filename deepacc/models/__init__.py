from .losses import AdditiveAngularMarginLoss, GroupInnerAdjacencyLoss
from .roi_heads import DeepAccBBoxHead, DeepAccRoIHead

__all__ = [
    'AdditiveAngularMarginLoss',
    'GroupInnerAdjacencyLoss',
    'DeepAccBBoxHead',
    'DeepAccRoIHead',
]
