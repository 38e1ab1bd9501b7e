from .sparse_iou2d_calculator import SparseBboxOverlaps2D

__all__ = ['SparseBboxOverlaps2D']
