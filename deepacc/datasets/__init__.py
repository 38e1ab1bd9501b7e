from .cell_split import cells_of_split, split_cells
from .chromosome_crop_dataset import ChromosomeCropDataset
from .chromosome_dataset import (
    ChromosomeCOCO,
    ChromosomeDataset,
    canonical_categories,
    normalise_categories,
    polarity_code,
)
from .cluster_object_dataset import ClusterObjectDataset
from .composed_metaphase_dataset import ComposedMetaphaseDataset
from .crop_sets import index_crops, load_crops, read_crop_images
from .generated_metaphase_dataset import GeneratedMetaphaseDataset
from .synth_metaphase_dataset import SynthMetaphaseDataset
from .transforms import LoadChromosomeAnnotations, PackChromosomeInputs

__all__ = [
    'ChromosomeCOCO',
    'ChromosomeCropDataset',
    'ChromosomeDataset',
    'ClusterObjectDataset',
    'ComposedMetaphaseDataset',
    'GeneratedMetaphaseDataset',
    'LoadChromosomeAnnotations',
    'PackChromosomeInputs',
    'SynthMetaphaseDataset',
    'canonical_categories',
    'cells_of_split',
    'index_crops',
    'load_crops',
    'normalise_categories',
    'polarity_code',
    'read_crop_images',
    'split_cells',
]
