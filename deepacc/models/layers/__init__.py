from .local_center_classifier import LocalCenterClassifier

__all__ = ['LocalCenterClassifier']
