from typing import Sequence, Tuple

import numpy as np
from mmdet.registry import DATASETS

from deepacc.synthesis.compose import (
    cells_of_split,
    compose_metaphase,
    load_crops,
    read_crop,
)

from .generated_metaphase_dataset import GeneratedMetaphaseDataset


@DATASETS.register_module()
class ComposedMetaphaseDataset(GeneratedMetaphaseDataset):
    """Metaphases composed from labelled crops, a new layout at every draw.

    Every item takes one cell's crops (the cells of ``cell_split`` in
    turn: item ``i`` is cell ``i mod n``) and composes them as
    ``deepacc compose`` does: random turns and layout, some chromosomes
    touching or crossing, and a per-image batch effect (size of all the
    cell's chromosomes, stain contrast, blur, background, noise). Cells
    are split by cell id (:func:`deepacc.synthesis.compose.split_cells`
    with ``split_ratios`` and ``split_seed``), so a cell is never in two
    splits; ``deepacc compose --cell-split test`` writes the same test
    cells to files. The crops of the split are read once, at start.

    Args:
        crops (str): Crops folder (``cells/<cell>/clase<k>/*.tiff`` or
            with ``index.csv``) or an index CSV.
        cell_split (str): ``'train'``, ``'val'``, ``'test'`` or ``'all'``.
        split_ratios (Sequence[float]): Cell split ratios.
        split_seed (int): Cell split seed.
        num_samples (int, optional): Items per epoch; defaults to
            ``layouts_per_cell`` per cell of the split.
        layouts_per_cell (int): See ``num_samples``.
        width (int): Image width.
        height (int): Image height.
        seed (int): Image seed (see :class:`GeneratedMetaphaseDataset`).
        scale (float): Resize factor of the crops.
        batch_effect (float): Per-image variation 0..1.
        touch_rate (float): Probability that a chromosome touches another.
        overlap_rate (float): Probability that it crosses another.
        density (float): Fraction of the spread covered by chromosomes.
        background (str): ``'auto'``, ``'white'`` or ``'black'``.
        noise (float): Sensor noise sigma, grey levels.
        **kwargs: ``pipeline``, ``test_mode`` and the other
            :class:`~mmengine.dataset.BaseDataset` arguments.
    """

    def __init__(
        self,
        crops: str,
        cell_split: str = 'train',
        split_ratios: Sequence[float] = (3, 1, 1),
        split_seed: int = 0,
        num_samples: int = None,
        layouts_per_cell: int = 1,
        width: int = 640,
        height: int = 480,
        seed: int = 0,
        scale: float = 1.0,
        batch_effect: float = 1.0,
        touch_rate: float = 0.1,
        overlap_rate: float = 0.03,
        density: float = 0.2,
        background: str = 'auto',
        noise: float = 2.0,
        **kwargs,
    ) -> None:
        cells = load_crops(crops)
        cell_ids = cells_of_split(
            list(cells), cell_split, split_ratios, split_seed, crops
        )
        self.cell_ids = cell_ids
        self.cells = {
            cell: [
                (read_crop(path), label, path) for path, label in cells[cell]
            ]
            for cell in cell_ids
        }
        self.compose_kwargs = dict(
            width=width,
            height=height,
            scale=scale,
            touch_rate=touch_rate,
            overlap_rate=overlap_rate,
            background=background,
            noise=noise,
            batch_effect=batch_effect,
            density=density,
        )
        super().__init__(
            len(cell_ids) * layouts_per_cell
            if num_samples is None
            else num_samples,
            width,
            height,
            seed=seed,
            **kwargs,
        )

    def render(
        self, index: int, rng: np.random.Generator
    ) -> Tuple[np.ndarray, list, dict]:
        cell = self.cell_ids[index % len(self.cell_ids)]
        crops = self.cells[cell]
        return compose_metaphase(
            [(gray, label) for gray, label, _ in crops],
            rng,
            sources=[path for _, _, path in crops],
            **self.compose_kwargs,
        )
