"""Cluster types and their ground truth from placed sprites.

The types are those of Lin et al. (ResNeXt-WSL, Medical Image Analysis
2021): a single chromosome, touching chromosomes, overlapping chromosomes,
touching and overlapping chromosomes; plus what a metaphase also holds,
debris and interphase nuclei (objects without a chromosome).

The generator and the composer know which chromosomes touch (masks within
one pixel) and which overlap (masks sharing pixels):
:func:`deepacc.synthesis.layout.contacts`, stored per sprite in
``extra['touching']`` / ``extra['overlapping']``. An object's type
follows from the chromosomes it holds (:func:`type_of_members`).
"""

from typing import List, Optional, Sequence, Set, Tuple

import numpy as np

from deepacc.synthesis.layout import contacts, window_mask

CLUSTER_TYPES = (
    'single',
    'touching',
    'overlapping',
    'touching+overlapping',
    'debris',
    'nucleus',
)
# The paper's four classes: objects made of chromosomes.
CHROMOSOME_TYPES = CLUSTER_TYPES[:4]
SINGLE, TOUCHING, OVERLAPPING, BOTH, DEBRIS, NUCLEUS = range(6)
# Objects that are a piece of a chromosome whose larger part lies in
# another object (a pale band cut by the threshold): no type.
FRAGMENT = -1


def type_of_members(
    members: Sequence[int],
    touching: Sequence[Set[int]],
    overlapping: Sequence[Set[int]],
) -> int:
    """The type index of an object holding the chromosomes ``members``.

    One chromosome: single. Several: touching when some pair touches and
    none overlaps, overlapping when some pair overlaps and none touches,
    both when there are both kinds of pairs. Chromosomes joined in the
    image without touching masks (blur closing a one-pixel gap) count as
    touching, since that is what a reader sees.

    Args:
        members (list[int]): Sprite indices in the object (at least one).
        touching (list[set[int]]): Per sprite, the sprites it touches.
        overlapping (list[set[int]]): Per sprite, the sprites it overlaps.

    Returns:
        int: Index into :data:`CLUSTER_TYPES` (0..3).
    """
    members = sorted(set(members))
    if not members:
        raise ValueError('an object without chromosomes has no cluster type')
    if len(members) == 1:
        return SINGLE
    inside = set(members)
    touch = any(touching[i] & inside for i in members)
    over = any(overlapping[i] & inside for i in members)
    if touch and over:
        return BOTH
    if over:
        return OVERLAPPING
    return TOUCHING


def sprite_contacts(sprites) -> Tuple[List[Set[int]], List[Set[int]]]:
    """Touching / overlapping sets from ``sprite.extra`` (as the generator
    and the composer store them), or :func:`contacts` when absent."""
    if all('touching' in s.extra for s in sprites):
        return (
            [set(s.extra['touching']) for s in sprites],
            [set(s.extra.get('overlapping', ())) for s in sprites],
        )
    return contacts(sprites)


def object_members(
    labels: np.ndarray, sprites, num_objects: int
) -> Tuple[List[List[int]], np.ndarray]:
    """Which chromosomes each object holds.

    A chromosome belongs to the object that covers most of its mask; other
    objects that cover part of it are fragments of it.

    Args:
        labels (np.ndarray): (H, W) int object map (0 background, ``k``
            object ``k - 1``), e.g. :attr:`ImageObjects.labels`.
        sprites (list[Sprite]): Placed chromosome sprites.
        num_objects (int): Number of objects.

    Returns:
        tuple: ``members`` (per object, sorted sprite indices) and
        ``covered`` ((num_objects,) int: chromosome pixels per object).
    """
    height, width = labels.shape
    members: List[List[int]] = [[] for _ in range(num_objects)]
    covered = np.zeros(num_objects, np.int64)
    for i, sprite in enumerate(sprites):
        window = sprite.clip(width, height)
        if window is None:
            continue
        x0, y0, x1, y1 = window
        under = labels[y0:y1, x0:x1][window_mask(sprite, x0, y0, x1, y1)]
        counts = np.bincount(under, minlength=num_objects + 1)[1:]
        covered += counts
        if counts.any():
            members[int(np.argmax(counts))].append(i)
    return [sorted(m) for m in members], covered


def label_objects(
    labels: np.ndarray,
    areas: Sequence[int],
    sprites,
    nucleus_area: Optional[float] = None,
) -> Tuple[np.ndarray, List[List[int]]]:
    """The true type of every object of an image, from its sprites.

    Args:
        labels (np.ndarray): (H, W) object map (see :func:`object_members`).
        areas (list[int]): Pixel count of each object.
        sprites (list[Sprite]): The image's placed chromosome sprites, with
            ``extra['touching']`` / ``['overlapping']`` (else computed).
        nucleus_area (float, optional): Objects without chromosome pixels
            are nuclei from this area up and debris below. Default: the
            median chromosome mask area of the image (the generator's
            specks are under 80 px, its nuclei several chromosomes large).

    Returns:
        tuple: ``types`` ((N,) int: index into :data:`CLUSTER_TYPES`, or
        :data:`FRAGMENT`) and ``members`` (per object, its chromosomes).
    """
    areas = np.asarray(areas, np.int64)
    members, covered = object_members(labels, sprites, len(areas))
    touching, overlapping = sprite_contacts(sprites)
    if nucleus_area is None:
        sizes = [int(s.mask.sum()) for s in sprites]
        nucleus_area = float(np.median(sizes)) if sizes else 200.0
    types = np.empty(len(areas), np.int64)
    for k, (inside, pixels) in enumerate(zip(members, covered)):
        if inside:
            types[k] = type_of_members(inside, touching, overlapping)
        elif pixels > 0.5 * areas[k]:
            types[k] = FRAGMENT
        else:
            types[k] = NUCLEUS if areas[k] >= nucleus_area else DEBRIS
    return types, members


def two_way(types: Sequence[int]) -> np.ndarray:
    """Single (0) / cluster (1) / other (2: debris, nucleus, fragment)."""
    types = np.asarray(types, np.int64)
    out = np.full(types.shape, 2, np.int64)
    out[types == SINGLE] = 0
    out[(types >= TOUCHING) & (types <= BOTH)] = 1
    return out
