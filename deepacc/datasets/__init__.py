from .chromosome_crop_dataset import ChromosomeCropDataset
from .chromosome_dataset import (
    ChromosomeCOCO,
    ChromosomeDataset,
    canonical_categories,
    normalise_categories,
)
from .cluster_object_dataset import ClusterObjectDataset
from .composed_metaphase_dataset import ComposedMetaphaseDataset
from .generated_metaphase_dataset import GeneratedMetaphaseDataset
from .synth_metaphase_dataset import SynthMetaphaseDataset

__all__ = [
    'ChromosomeCOCO',
    'ChromosomeCropDataset',
    'ChromosomeDataset',
    'ClusterObjectDataset',
    'ComposedMetaphaseDataset',
    'GeneratedMetaphaseDataset',
    'SynthMetaphaseDataset',
    'canonical_categories',
    'normalise_categories',
]
