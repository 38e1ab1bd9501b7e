from .chromosome_metric import ChromosomeMetric
from .crop_classification_metric import CropClassificationMetric

__all__ = ['ChromosomeMetric', 'CropClassificationMetric']
