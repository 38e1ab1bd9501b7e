from typing import Optional, Sequence, Tuple

import numpy as np
from mmdet.registry import DATASETS

from deepacc.synthesis import ComposeOptions, compose_metaphase

from .cell_split import cells_of_split
from .crop_sets import load_crops, read_crop_images
from .generated_metaphase_dataset import GeneratedMetaphaseDataset


@DATASETS.register_module()
class ComposedMetaphaseDataset(GeneratedMetaphaseDataset):
    """Metaphases composed from labelled crops, a new layout at every draw.

    Every item takes one cell's crops (the cells of ``cell_split`` in
    turn: item ``i`` is cell ``i mod n``) and composes them as
    ``deepacc compose`` does: random turns and layout, some chromosomes
    touching or crossing, and a per-image batch effect (size of all the
    cell's chromosomes, stain contrast, blur, background, noise). Cells
    are split by cell id (:func:`deepacc.datasets.cell_split.split_cells`
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
        seed (int): Image seed (see :class:`GeneratedMetaphaseDataset`).
        compose (dict, optional): :class:`~deepacc.synthesis.
            ComposeOptions` fields (``width``, ``height``,
            ``batch_effect``, ``touch_rate``...).
        **kwargs: ``pipeline``, ``test_mode`` and the other
            :class:`~mmengine.dataset.BaseDataset` arguments.
    """

    def __init__(
        self,
        crops: str,
        cell_split: str = 'train',
        split_ratios: Sequence[float] = (3, 1, 1),
        split_seed: int = 0,
        num_samples: Optional[int] = None,
        layouts_per_cell: int = 1,
        seed: int = 0,
        compose: Optional[dict] = None,
        **kwargs,
    ) -> None:
        self.options = ComposeOptions.from_kwargs(**(compose or {}))
        index = load_crops(crops)
        self.cell_ids = cells_of_split(
            list(index), cell_split, split_ratios, split_seed, crops
        )
        self.cells = read_crop_images(index, self.cell_ids)
        super().__init__(
            len(self.cell_ids) * layouts_per_cell
            if num_samples is None
            else num_samples,
            self.options.width,
            self.options.height,
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
            self.options,
            sources=[path for _, _, path in crops],
        )
