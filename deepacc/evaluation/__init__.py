from .metrics import (
    ChromosomeMetric,
    ClusterTypeMetric,
    CropClassificationMetric,
)

__all__ = ['ChromosomeMetric', 'ClusterTypeMetric', 'CropClassificationMetric']
