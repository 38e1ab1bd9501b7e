"""Labelled single-chromosome crops, one item per cell."""

from typing import List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmdet.registry import DATASETS
from mmengine.dataset import BaseDataset
from mmengine.structures import BaseDataElement

from deepacc.chromosomes import CLASSES, PALETTE
from deepacc.scale.estimate import ScaleEstimateError, crops_length
from deepacc.synthesis.appearance import CondenseOptions
from deepacc.synthesis.compose import condense_cell

from .cell_split import cells_of_split
from .crop_distortions import distort_crop, sample_crop_distortion
from .crop_sets import index_crops, read_crop_images
from .crops import (
    DEFAULT_CROP_SCALE,
    DEFAULT_INPUT_SIZE,
    crop_views,
    sample_crop_augment,
)
from .generated_metaphase_dataset import GeneratedMetaphaseDataset
from .straighten import check_straighten, crop_readings


@DATASETS.register_module()
class ChromosomeCropDataset(BaseDataset):
    """Crops grouped by cell for :class:`ChromosomeCropClassifier`.

    An item is a whole cell, because the classifier's siamese branch takes
    its local class centres from the crops of one cell, as the detector
    takes them from the proposals of one metaphase: ``inputs`` (num_crops,
    views, height, width) float and ``data_samples``, a
    :class:`~mmengine.structures.BaseDataElement` with ``labels``
    (num_crops, ) long (0..23), ``polarity`` (num_crops, ) long (1 p-arm
    up, 0 down, -1 unknown) and the meta fields ``paths`` and
    ``cell_id``. Batch with
    ``collate_fn=dict(type='pseudo_collate')``.

    Cells are split by cell id (:func:`deepacc.datasets.cell_split.
    split_cells`), never by crop. Crops are read once, at start.

    Polarity: crops cut out of a karyogram are stored p-arm up
    (``upright=True``). In training each crop is turned by 180 degrees
    with probability ``turn_prob`` (target 0, else 1) besides the small
    rotation, zoom, mirror and contrast of ``augment``; in test mode a
    fixed half of each cell's crops (seeded by ``seed`` and the item) is
    turned, so polarity accuracy is measured on both directions. With
    ``upright=False`` nothing is turned and the polarity is unknown.

    Args:
        crops (str): Crops folder or index CSV (any layout
            :func:`deepacc.datasets.crop_sets.load_crops` reads).
        cell_split (str): ``'train'``, ``'val'``, ``'test'`` or ``'all'``.
        split_ratios (Sequence[float]): Cell split ratios.
        split_seed (int): Cell split seed.
        cell_pattern (str, optional): Cell-id regex of the class-folder
            layout.
        skip_invalid (bool): Report and leave out bad crops instead of
            stopping at the first.
        input_size (tuple[int, int]): Model input (height, width).
        scale (float): Resize factor of every crop (relative lengths are
            kept; a crop that does not fit is shrunk).
        cell_length (float, optional): Bring every cell, in training and
            test alike, to this median chromosome length in pixels
            (:func:`deepacc.scale.crops_length`, measured on the crops as
            read or as drawn condensed) before ``scale``: a condensed
            cell then shows its chromosomes at the sizes of a
            prometaphase one, where at a fixed scale they are smaller
            (:class:`deepacc.classification.CropClassifier` brings a new
            cell to it the same way). Default None: every crop at
            ``scale`` as read.
        upright (bool): Crops are stored p-arm up.
        turn_prob (float): Training probability of the 180-degree turn.
        augment (dict, optional): Arguments of
            :func:`deepacc.datasets.crops.sample_crop_augment` other than
            ``turn_prob`` (training only).
        distort (dict, optional): Arguments of
            :func:`deepacc.datasets.crop_distortions.
            sample_crop_distortion` (stretch, blur, gamma, noise;
            training only); default none.
        condense (dict, optional): Metaphase condensation of training
            cells (:class:`deepacc.synthesis.appearance.CondenseOptions`
            arguments: shorter, wider, sister chromatids apart, every
            crop of a cell alike); needs ``upright`` crops (the
            chromatids part from the centromere). Training only; default
            none.
        condense_rate (float): Probability that a training cell is
            drawn condensed (with ``condense``).
        max_cells (int, optional): Keep this many cells of the split
            (the first of a permutation seeded by ``split_seed``, so a
            smaller set is part of a larger one): a learning curve over
            the number of training cells.
        background (str): ``'auto'``, ``'white'`` or ``'black'``.
        straighten (bool | str): Lay bent crops out straight when they
            are read (``True``;
            :func:`deepacc.datasets.straighten.straighten_crop`), in
            training and test alike, or read each crop both as cut out
            and straightened (``'both'``: the views of one, then of the
            other, for a :class:`ChromosomeCropEnsemble` of two);
            default False. A cell drawn condensed is straightened as
            drawn.
        views (Sequence[str]): Input channels
            (:func:`deepacc.datasets.crops.crop_views`): ``'global'``
            (the crop at ``scale``) and/or ``'zoom'`` (the crop filling
            the canvas), for a model with as many ``num_views``.
        repeat (int): Items per cell and epoch (training).
        lab_crops (str, optional): A second crops folder (a lab's own,
            e.g. its karyograms cut by ``deepacc convert karyograms``)
            whose every cell joins the split's cells, split or not; for
            fine-tuning on a lab's captures (``configs/crop_classification/
            cos-cls-pair_r18-c32_400it-lab-karyograms_gband-crops-cpu.py``).
            Its cell ids must differ from the first folder's.
        lab_repeat (int): Items per ``lab_crops`` cell and epoch in
            training (a few lab cells beside a hundred others; in test
            mode one).
        seed (int): Seed of the test-mode turns and the training draws.
        **kwargs: ``test_mode`` and the other
            :class:`~mmengine.dataset.BaseDataset` arguments.
    """

    METAINFO = {'classes': CLASSES, 'palette': PALETTE}

    def __init__(
        self,
        crops: str,
        cell_split: str = 'train',
        split_ratios: Sequence[float] = (3, 1, 1),
        split_seed: int = 0,
        cell_pattern: Optional[str] = None,
        skip_invalid: bool = False,
        input_size: Tuple[int, int] = DEFAULT_INPUT_SIZE,
        scale: float = DEFAULT_CROP_SCALE,
        cell_length: Optional[float] = None,
        upright: bool = True,
        turn_prob: float = 0.5,
        augment: Optional[dict] = None,
        distort: Optional[dict] = None,
        condense: Optional[dict] = None,
        condense_rate: float = 1.0,
        max_cells: Optional[int] = None,
        background: str = 'auto',
        straighten: Union[bool, str] = False,
        views: Sequence[str] = ('global',),
        repeat: int = 1,
        lab_crops: Optional[str] = None,
        lab_repeat: int = 1,
        seed: int = 0,
        **kwargs,
    ) -> None:
        index = index_crops(crops, cell_pattern, skip_invalid)
        cell_ids = cells_of_split(
            list(index), cell_split, split_ratios, split_seed, crops
        )
        if max_cells is not None and max_cells < len(cell_ids):
            order = np.random.default_rng(split_seed).permutation(
                len(cell_ids)
            )
            cell_ids = sorted(cell_ids[k] for k in order[: int(max_cells)])
        self.cells = read_crop_images(index, cell_ids, skip_invalid)
        self.cell_ids = list(self.cells)
        self.lab_cells = []
        if lab_crops is not None:
            lab = index_crops(lab_crops, cell_pattern, skip_invalid)
            both = sorted(set(lab) & set(index))
            if both:
                raise ValueError(
                    f'{lab_crops}: cell ids also in {crops} '
                    f'({", ".join(both[:5])}): lab cells need their own ids'
                )
            self.cells.update(read_crop_images(lab, None, skip_invalid))
            self.lab_cells = sorted(lab)
        self.lab_repeat = max(int(lab_repeat), 1)
        check_straighten(straighten)
        self.straighten = straighten
        # Each crop's readings (crop_readings), made once: None when the
        # crop is read as it is. A condensed draw is read anew (0.03 s a
        # cell).
        self.readings = None
        if straighten:
            self.readings = {
                cell: [
                    crop_readings(gray, straighten, background)
                    for gray, _, _ in crops
                ]
                for cell, crops in self.cells.items()
            }
        self.cell_split = cell_split
        self.input_size = tuple(int(v) for v in input_size)
        self.scale = float(scale)
        self.cell_length = None if cell_length is None else float(cell_length)
        # Each cell's median chromosome length as read (cell_length only;
        # a condensed draw is measured anew).
        self.lengths = {} if cell_length is None else self._lengths(crops)
        self.upright = upright
        self.turn_prob = float(turn_prob)
        self.augment = dict(augment or {})
        self.distort = dict(distort or {})
        self.condense = CondenseOptions(**condense) if condense else None
        self.condense_rate = float(condense_rate)
        if self.condense is not None and not upright:
            raise ValueError(
                'condense needs upright crops (p-arm up): the chromatids '
                'part from the centromere'
            )
        self.background = background
        self.views = tuple(views)
        self.repeat = max(int(repeat), 1)
        self.seed = int(seed)
        self._draws = 0
        kwargs.setdefault('serialize_data', False)
        super().__init__(**kwargs)

    def _lengths(self, source: str) -> dict:
        """Each cell's median chromosome length as read.

        Raises:
            ScaleEstimateError: A cell without a measurable chromosome,
                named with ``source``.
        """
        lengths = {}
        for cell, crops in self.cells.items():
            try:
                lengths[cell] = crops_length([c[0] for c in crops])
            except ScaleEstimateError as error:
                raise ScaleEstimateError(
                    f'{source}: cell {cell}: {error} (cell_length)'
                ) from None
        return lengths

    def load_data_list(self) -> List[dict]:
        repeat = 1 if self.test_mode else self.repeat
        lab_repeat = 1 if self.test_mode else self.lab_repeat
        cells = [c for _ in range(repeat) for c in self.cell_ids]
        cells += [c for _ in range(lab_repeat) for c in self.lab_cells]
        return [dict(cell_id=c, num_crops=len(self.cells[c])) for c in cells]

    @property
    def num_crops(self) -> int:
        """Crops over all cells of the split."""
        return sum(len(v) for v in self.cells.values())

    # The on-the-fly metaphase datasets' random source: fixed per item in
    # test mode, new at every draw in training (reproducible from the
    # Runner's seed); it reads only test_mode, seed and _draws.
    item_rng = GeneratedMetaphaseDataset.image_rng

    def prepare_data(self, idx: int) -> dict:
        cell = self.get_data_info(idx)['cell_id']
        crops = self.cells[cell]
        rng = self.item_rng(idx)
        grays = [gray for gray, _, _ in crops]
        length = self.lengths.get(cell)
        readings = (
            self.readings[cell] if self.readings else [[g] for g in grays]
        )
        if (
            self.condense is not None
            and not self.test_mode
            and rng.random() < self.condense_rate
        ):
            grays, _ = condense_cell(
                grays, rng, self.condense, self.background
            )
            readings = [
                crop_readings(g, self.straighten, self.background)
                for g in grays
            ]
            if self.cell_length is not None:
                length = crops_length(grays)
        scale = self.scale
        if self.cell_length is not None:
            scale *= self.cell_length / length
        if self.test_mode:
            turns = np.zeros(len(crops), bool)
            if self.upright:
                turns[rng.permutation(len(crops))[: len(crops) // 2]] = True
            params = [dict(turn=bool(t)) for t in turns]
        else:
            turn_prob = self.turn_prob if self.upright else 0.0
            params = [
                sample_crop_augment(rng, turn_prob=turn_prob, **self.augment)
                for _ in crops
            ]
        images = [
            np.concatenate(
                [
                    crop_views(
                        gray,
                        self.input_size,
                        scale,
                        self.views,
                        background=self.background,
                        **p,
                    )
                    for gray in reading
                ]
            )
            for reading, p in zip(readings, params)
        ]
        if self.distort and not self.test_mode:
            distorted = []
            for views in images:
                drawn = sample_crop_distortion(rng, **self.distort)
                distorted.append(
                    np.stack([distort_crop(view, **drawn) for view in views])
                )
            images = distorted
        polarity = [
            (0 if p['turn'] else 1) if self.upright else -1 for p in params
        ]
        return dict(
            inputs=torch.from_numpy(np.stack(images)),
            data_samples=BaseDataElement(
                labels=torch.tensor([c[1] for c in crops], dtype=torch.long),
                polarity=torch.tensor(polarity, dtype=torch.long),
                metainfo=dict(paths=[c[2] for c in crops], cell_id=cell),
            ),
        )
