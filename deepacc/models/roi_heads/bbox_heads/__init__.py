from .deepacc_bbox_head import DeepAccBBoxHead

__all__ = ['DeepAccBBoxHead']
