from .chromosome_scale_hook import ChromosomeScaleHook

__all__ = ['ChromosomeScaleHook']
