from .metrics import ChromosomeMetric, CropClassificationMetric

__all__ = ['ChromosomeMetric', 'CropClassificationMetric']
