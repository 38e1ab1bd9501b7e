"""Synthetic G-banded metaphases and metaphases composed from crops."""

from .chromosome import band_profile, render_chromosome
from .compose import (
    cells_of_split,
    compose_dataset,
    compose_metaphase,
    load_crops,
    split_cells,
)
from .generator import generate_dataset, image_rng
from .karyotype import karyotype_from_counts, sample_karyotype
from .layout import contacts, place_sprites
from .metaphase import render_metaphase, sample_batch
from .options import SynthOptions
from .sprite import Sprite

__all__ = [
    'Sprite',
    'SynthOptions',
    'band_profile',
    'render_chromosome',
    'render_metaphase',
    'sample_batch',
    'generate_dataset',
    'image_rng',
    'compose_dataset',
    'compose_metaphase',
    'cells_of_split',
    'split_cells',
    'load_crops',
    'karyotype_from_counts',
    'sample_karyotype',
    'place_sprites',
    'contacts',
]
