"""One image's objects as classifier inputs (and, with sprites, targets)."""

from typing import Optional, Sequence

import numpy as np

from .objects import ImageObjects, find_objects
from .patches import object_features, object_patches
from .types import label_objects


def object_inputs(objects: ImageObjects, patch_size: int = 64) -> dict:
    """``patches`` (N, 2, S, S) and ``features`` (N, F) float32 arrays."""
    return dict(
        patches=object_patches(objects, patch_size),
        features=object_features(objects, patch_size),
    )


def image_sample(
    image: np.ndarray,
    sprites: Optional[Sequence] = None,
    polarity: str = 'auto',
    min_area: int = 12,
    patch_size: int = 64,
) -> dict:
    """Objects, inputs and (with ``sprites``) true types of one image.

    Args:
        image (np.ndarray): (H, W) grey or (H, W, 3) BGR uint8 image.
        sprites (list[Sprite], optional): The image's placed chromosomes.
        polarity (str): See :func:`find_objects`.
        min_area (int): See :func:`find_objects`.
        patch_size (int): Patch side.

    Returns:
        dict: ``objects`` (:class:`ImageObjects`), ``patches``,
        ``features`` and, with sprites, ``types`` ((N,) int,
        :data:`FRAGMENT` for pieces) and ``members``.
    """
    objects = find_objects(image, polarity=polarity, min_area=min_area)
    out = dict(objects=objects, **object_inputs(objects, patch_size))
    if sprites is not None:
        out['types'], out['members'] = label_objects(
            objects.labels, objects.areas, sprites
        )
    return out
