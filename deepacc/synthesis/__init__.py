"""Synthetic G-banded metaphases and metaphases composed from crops."""

from .chromosome import band_profile, render_chromosome
from .compose import compose_dataset, compose_metaphase
from .generator import generate_dataset, image_rng
from .karyotype import karyotype_from_counts, sample_karyotype
from .layout import contacts, place_sprites
from .metaphase import render_metaphase, sample_batch
from .options import ComposeOptions, SynthOptions
from .sprite import Sprite

__all__ = [
    'ComposeOptions',
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
    'karyotype_from_counts',
    'sample_karyotype',
    'place_sprites',
    'contacts',
]
