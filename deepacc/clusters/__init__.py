"""Chromosome cluster types: foreground objects of a metaphase, what kind
of object each is (single chromosome, touching, overlapping, touching and
overlapping, debris, nucleus) and its ground truth from placed sprites.

Pure numpy / OpenCV functions; the dataset, the classifier and the metric
built on them are registered in :mod:`deepacc.datasets`,
:mod:`deepacc.models` and :mod:`deepacc.evaluation`.
"""

from .objects import (
    POLARITIES,
    BlankImageError,
    ImageObjects,
    NoForegroundError,
    detect_polarity,
    find_objects,
    foreground_opacity,
    object_polygon,
)
from .patches import (
    FEATURE_NAMES,
    NUM_FEATURES,
    object_features,
    object_patches,
)
from .sample import image_sample, object_inputs
from .types import (
    CHROMOSOME_TYPES,
    CLUSTER_TYPES,
    FRAGMENT,
    label_objects,
    object_members,
    sprite_contacts,
    two_way,
    type_of_members,
)

__all__ = [
    'POLARITIES',
    'BlankImageError',
    'ImageObjects',
    'NoForegroundError',
    'detect_polarity',
    'find_objects',
    'foreground_opacity',
    'object_polygon',
    'FEATURE_NAMES',
    'NUM_FEATURES',
    'object_features',
    'object_patches',
    'image_sample',
    'object_inputs',
    'CHROMOSOME_TYPES',
    'CLUSTER_TYPES',
    'FRAGMENT',
    'label_objects',
    'object_members',
    'sprite_contacts',
    'two_way',
    'type_of_members',
]
