from .chromosome_dataset import (
    ChromosomeCOCO,
    ChromosomeDataset,
    normalise_categories,
)

__all__ = ['ChromosomeCOCO', 'ChromosomeDataset', 'normalise_categories']
