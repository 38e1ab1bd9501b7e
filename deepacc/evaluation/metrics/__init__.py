from .chromosome_metric import ChromosomeMetric
from .cluster_type_metric import ClusterTypeMetric, cluster_metrics
from .crop_classification_metric import CropClassificationMetric

__all__ = [
    'ChromosomeMetric',
    'CropClassificationMetric',
    'ClusterTypeMetric',
    'cluster_metrics',
]
