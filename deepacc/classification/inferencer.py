"""The Python API: one cell's crops in, their classes and karyotype out.

>>> from deepacc.classification import CropClassifier
>>> classifier = CropClassifier('work_dirs/crops/config.py',
...                             'work_dirs/crops/iter_800.pth')
>>> record = classifier(['cell7/clase1/a.tiff', ...])  # or grey arrays
>>> record['karyotype'], record['crops'][0]['class']
('46,XY', '1')

Crops are single chromosomes cut out of a karyogram, p-arm up, as
``deepacc classify train`` learnt them; all the crops of one call are one
cell.
"""

import os
import os.path as osp
from typing import Optional, Sequence, Tuple, Union

import cv2
import numpy as np
import torch
from mmdet.registry import MODELS
from mmengine.runner import load_checkpoint

from deepacc.chromosomes import CLASSES, NUM_CLASSES
from deepacc.datasets.crops import (
    DEFAULT_CROP_SCALE,
    DEFAULT_INPUT_SIZE,
    crop_views,
    read_crop,
)
from deepacc.datasets.straighten import check_straighten, crop_readings
from deepacc.karyotype.assignment import DEFAULT_PENALTIES
from deepacc.scale import (
    crops_length,
    crops_width,
    model_scale,
    parse_scale,
)
from deepacc.utils.model_config import load_model_config

from .cell_reading import cell_karyotype, read_cell

CropLike = Union[str, os.PathLike, np.ndarray]


class CropClassifier:
    """A trained :class:`ChromosomeCropClassifier` (or
    :class:`ChromosomeCropEnsemble`) applied to one cell.

    The crops become model inputs as the config's test dataset makes them
    (``input_size``, ``scale``, ``background``, ``straighten``; not
    turned) and go through
    the model together, so the siamese branch chooses its local class
    centres among them. Their classes are then read together as a
    karyotype (:func:`~deepacc.classification.cell_reading.read_cell`)
    or, with ``penalties=None``, each on its own.

    Args:
        config (str | Config, optional): Config file or object; None:
            the one the Runner stored in the checkpoint.
        checkpoint (str): Checkpoint written by the Runner.
        device (str): ``'cpu'``, ``'cuda'`` or ``'cuda:N'``.
        penalties (tuple[float, float], optional): (gain, loss) penalties
            in nats of the joint reading; None: independent per-crop calls.
        cfg_options (dict, optional): Config overrides.
        scale (str | float): ``'auto'`` (default): measure the cell and
            resize its crops to the size the model was trained at: for a
            config whose test data set has ``cell_length``, the cell's
            median chromosome length (:func:`deepacc.scale.crops_length`)
            brought to it, as the data set does; otherwise the cell's
            chromosome width (:func:`deepacc.scale.crops_width`) brought
            to the training width (checkpoint meta or config
            ``chromosome_width``); ``'none'``: the config's crop scale as
            it is; a number: that factor on top of it.
    """

    def __init__(
        self,
        config,
        checkpoint: str,
        device: str = 'cpu',
        penalties: Optional[Tuple[float, float]] = DEFAULT_PENALTIES,
        cfg_options: Optional[dict] = None,
        scale='auto',
    ) -> None:
        config = load_model_config(
            checkpoint,
            config,
            ('ChromosomeCropClassifier', 'ChromosomeCropEnsemble'),
        )
        if cfg_options:
            config.merge_from_dict(cfg_options)
        data = config.get('test_dataloader', {}).get('dataset', {})
        self.input_size = tuple(data.get('input_size', DEFAULT_INPUT_SIZE))
        self.scale = float(data.get('scale', DEFAULT_CROP_SCALE))
        self.background = data.get('background', 'auto')
        self.views = tuple(data.get('views', ('global',)))
        length = data.get('cell_length', None)
        self.cell_length = None if length is None else float(length)
        self.straighten = data.get('straighten', False)
        check_straighten(self.straighten)
        self.penalties = penalties
        self.checkpoint = os.fspath(checkpoint)
        self.model = MODELS.build(config.model)
        load_checkpoint(
            self.model, self.checkpoint, map_location='cpu', logger='silent'
        )
        self.model.to(device).eval()
        self.device = device
        if self.cell_length is not None and parse_scale(scale) == 'auto':
            # Brought to a length, measured on each cell: no width needed.
            self.scale_mode, self.model_width = 'auto', None
            self.width_reference = None
        else:
            # Crop classifiers' widths are read one crop at a time (no
            # reference); the karyotyper reads a cell's width to match it.
            self.scale_mode, self.model_width, self.width_reference = (
                model_scale(scale, config, self.checkpoint)
            )

    def scale_factor(self, greys: Sequence[np.ndarray]) -> Optional[float]:
        """The factor ``scale`` asks for on one cell's grey crops."""
        if self.scale_mode == 'none' or not len(greys):
            return None
        if self.scale_mode == 'auto' and self.cell_length is not None:
            return self.cell_length / crops_length(greys)
        if self.scale_mode == 'auto':
            return self.model_width / crops_width(greys)
        return float(self.scale_mode)

    def inputs(
        self, crops: Sequence[CropLike], factor: Optional[float] = None
    ) -> np.ndarray:
        """Model inputs of crops (file paths or grey uint8 arrays),
        resized by ``factor`` on top of the config's crop scale.

        Returns:
            np.ndarray: (num_crops, views, height, width) float32.

        Raises:
            ValueError: A file that is not a readable image, or an array
                that is not an (H, W) or (H, W, 3) uint8 image.
        """
        scale = self.scale * (1.0 if factor is None else factor)
        images = [
            np.concatenate(
                [
                    crop_views(
                        grey,
                        self.input_size,
                        scale,
                        self.views,
                        background=self.background,
                    )
                    for grey in crop_readings(
                        _grey(crop), self.straighten, self.background
                    )
                ]
            )
            for crop in crops
        ]
        height, width = self.input_size
        if not images:
            channels = len(self.views) * (
                2 if self.straighten == 'both' else 1
            )
            return np.zeros((0, channels, height, width), np.float32)
        return np.stack(images).astype(np.float32)

    def classify(
        self, crops: Sequence[CropLike], factor: Optional[float] = None
    ) -> dict:
        """The model's outputs for one cell's crops.

        Args:
            crops (list[str | np.ndarray]): Paths or grey uint8 arrays.
            factor (float, optional): Resize factor on top of the
                config's crop scale; default: what ``scale`` asks for
                (for ``'auto'``, the crops' own width). A caller that
                measured the width on the whole image passes it here.

        Returns:
            dict: ``scores`` (num_crops, 24) class probabilities,
            ``factor`` (the resize factor used, or None) and, for
            models with polarity, ``polarity_probs`` (num_crops, ) (the
            probability that the p-arm is up).
        """
        greys = [_grey(crop) for crop in crops]
        if factor is None:
            factor = self.scale_factor(greys)
        inputs = torch.from_numpy(self.inputs(greys, factor)).to(self.device)
        if not len(inputs):
            return dict(
                scores=np.zeros((0, NUM_CLASSES), np.float32), factor=None
            )
        with torch.no_grad():
            (result,) = self.model.predict([inputs])
        out = dict(scores=result['scores'].numpy(), factor=factor)
        if 'polarity_probs' in result:
            out['polarity_probs'] = result['polarity_probs'].numpy()
        return out

    def predict(
        self,
        crops: Sequence[CropLike],
        names: Optional[Sequence[str]] = None,
    ) -> dict:
        """The record of one cell.

        Args:
            crops (list[str | np.ndarray]): The cell's crops: paths or
                grey (H, W) uint8 arrays.
            names (list[str], optional): Crop names for the record;
                default the paths, ``crop<k>`` for arrays.

        Returns:
            dict: ``karyotype`` (ISCN string of the classes read),
            ``reading`` (``'joint'`` or ``'independent'``), ``num_crops``,
            ``counts`` (per class), ``relabelled`` (crops the joint reading
            gave another class than their most probable one), ``model``
            and ``crops``: per crop ``file``, ``class``, ``score`` (its
            probability) and, with polarity, ``polarity`` (``'p-arm up'``
            or ``'p-arm down'``) and ``polarity_confidence``.
        """
        if names is None:
            names = [
                os.fspath(c) if _is_path(c) else f'crop{k}'
                for k, c in enumerate(crops)
            ]
        if len(names) != len(crops):
            raise ValueError(f'{len(names)} names for {len(crops)} crops')
        out = self.classify(crops)
        scores = out['scores']
        top1 = scores.argmax(1) if len(scores) else np.zeros(0, np.int64)
        labels = read_cell(scores, self.penalties)
        polarity = out.get('polarity_probs')
        items = []
        for k, name in enumerate(names):
            item = {
                'file': name,
                'class': CLASSES[int(labels[k])],
                'score': round(float(scores[k, labels[k]]), 4),
            }
            if polarity is not None:
                p_up = float(polarity[k])
                item.update(
                    polarity='p-arm up' if p_up >= 0.5 else 'p-arm down',
                    polarity_confidence=round(max(p_up, 1 - p_up), 4),
                )
            items.append(item)
        counts = np.bincount(labels, minlength=NUM_CLASSES)
        return dict(
            karyotype=cell_karyotype(labels),
            reading='independent' if self.penalties is None else 'joint',
            num_crops=len(items),
            counts={name: int(n) for name, n in zip(CLASSES, counts)},
            relabelled=int((labels != top1).sum()),
            scale_factor=(
                None if out['factor'] is None else round(out['factor'], 4)
            ),
            model=osp.basename(self.checkpoint),
            crops=items,
        )

    def __call__(
        self,
        crops: Sequence[CropLike],
        names: Optional[Sequence[str]] = None,
    ) -> dict:
        return self.predict(crops, names)


def _is_path(crop: CropLike) -> bool:
    return isinstance(crop, (str, os.PathLike))


def _grey(crop: CropLike) -> np.ndarray:
    """A crop as an (H, W) uint8 grey array."""
    if _is_path(crop):
        return read_crop(os.fspath(crop))
    image = np.asarray(crop)
    if image.dtype != np.uint8:
        raise ValueError(f'crop: expected a uint8 array, got {image.dtype}')
    if image.ndim == 3 and image.shape[2] == 3:
        return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    if image.ndim != 2 or image.size == 0:
        raise ValueError(
            f'crop: expected an (H, W) or (H, W, 3) image, got shape '
            f'{image.shape}'
        )
    return image
