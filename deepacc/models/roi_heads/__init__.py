from .bbox_heads import DeepAccBBoxHead
from .deepacc_roi_head import DeepAccRoIHead

__all__ = ['DeepAccBBoxHead', 'DeepAccRoIHead']
