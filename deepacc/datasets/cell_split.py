"""Crop sets split by cell: a cell is never in two parts."""

from typing import Dict, List, Sequence

import numpy as np

SPLIT_NAMES = ('train', 'val', 'test')


def split_cells(
    cell_ids: Sequence[str], ratios: Sequence[float] = (3, 1, 1), seed: int = 0
) -> Dict[str, List[str]]:
    """Assign whole cells to train / val / test.

    The sorted ids are shuffled with ``seed`` and cut in proportion to
    ``ratios`` (largest remainders), so the split depends only on the set
    of cells, the ratios and the seed: a dataset drawing training images
    and a composer writing the test set agree without a shared file.

    Args:
        cell_ids (list[str]): Cell ids.
        ratios (list[float]): Two or three positive weights.
        seed (int): Shuffle seed.

    Returns:
        dict[str, list[str]]: ``train``, ``val`` (and ``test``) cell ids,
        sorted.
    """
    ratios = np.asarray(ratios, np.float64)
    if not 2 <= len(ratios) <= len(SPLIT_NAMES) or (ratios <= 0).any():
        raise ValueError(
            'cell split ratios must be two or three positive numbers, '
            f'got {list(ratios)}'
        )
    ids = sorted(cell_ids)
    np.random.default_rng(seed).shuffle(ids)
    exact = ratios / ratios.sum() * len(ids)
    sizes = np.floor(exact).astype(int)
    for k in np.argsort(sizes - exact)[: len(ids) - sizes.sum()]:
        sizes[k] += 1
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    return {
        name: sorted(ids[bounds[k] : bounds[k + 1]])
        for k, name in enumerate(SPLIT_NAMES[: len(ratios)])
    }


def cells_of_split(
    cells: Sequence[str],
    name: str,
    ratios: Sequence[float] = (3, 1, 1),
    seed: int = 0,
    source: str = 'crops',
) -> List[str]:
    """The cell ids of one part of :func:`split_cells` (``'all'``: every
    cell), refusing an unknown or empty part.

    Args:
        cells (list[str]): All cell ids.
        name (str): ``'train'``, ``'val'``, ``'test'`` or ``'all'``.
        ratios (list[float]): Split ratios.
        seed (int): Split seed.
        source (str): The crops' location, for messages.

    Returns:
        list[str]: Sorted cell ids.
    """
    if name == 'all':
        return sorted(cells)
    parts = split_cells(cells, ratios, seed)
    if name not in parts:
        raise ValueError(
            f'{source}: cell split {name!r} does not exist; ratios '
            f'{list(ratios)} make {", ".join(parts)} (or use "all")'
        )
    if not parts[name]:
        raise ValueError(
            f'{source}: the {name!r} part of {len(cells)} cells with '
            f'ratios {list(ratios)} is empty'
        )
    return parts[name]
