from .chromosome_dataset import (
    ChromosomeCOCO,
    ChromosomeDataset,
    canonical_categories,
    normalise_categories,
)

__all__ = [
    'ChromosomeCOCO',
    'ChromosomeDataset',
    'canonical_categories',
    'normalise_categories',
]
