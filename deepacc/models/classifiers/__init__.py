from .chromosome_crop_classifier import ChromosomeCropClassifier

__all__ = ['ChromosomeCropClassifier']
