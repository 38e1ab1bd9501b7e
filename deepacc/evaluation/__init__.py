from .metrics import ChromosomeMetric

__all__ = ['ChromosomeMetric']
