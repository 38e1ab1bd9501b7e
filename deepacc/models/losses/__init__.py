from .additive_angular_margin_loss import AdditiveAngularMarginLoss
from .group_inner_adjacency_loss import GroupInnerAdjacencyLoss

__all__ = ['AdditiveAngularMarginLoss', 'GroupInnerAdjacencyLoss']
