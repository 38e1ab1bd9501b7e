"""Base class of datasets that render a fresh metaphase per draw."""

from typing import List, Tuple

import cv2
import numpy as np
import torch
from mmengine.dataset import BaseDataset

from deepacc.chromosomes import CLASSES, PALETTE

from .chromosome_dataset import polarity_code


class GeneratedMetaphaseDataset(BaseDataset):
    """Metaphases made when an item is drawn, not read from files.

    In training (``test_mode=False``) every draw of an index renders a new
    image: its random source mixes the dataset ``seed``, the index, the
    DataLoader worker's torch seed (new every epoch for non-persistent
    workers) and a per-process draw counter, so the data never repeats and
    a run is still reproducible from mmengine's ``randomness.seed``. In
    test mode image ``i`` is always the same (seeded by ``(seed, i)``
    only): a fixed, file-free evaluation set.

    Items look like those of :class:`ChromosomeDataset` after loading:
    ``img`` (H, W, 3) uint8, ``instances`` with ``bbox`` (x1, y1, x2, y2),
    ``bbox_label``, ``ignore_flag`` and ``polarity`` (1 p-arm up, 0 down,
    -1 unknown).
    Pipelines start with mmdet's ``LoadImageFromNDArray`` instead of
    ``LoadImageFromFile``. ``get_data_info`` stays cheap (size and id
    only), so mmdet's ``AspectRatioBatchSampler`` does not render anything.

    Subclasses implement :meth:`render`.

    Args:
        num_samples (int): Items per epoch (the dataset's length).
        width (int): Image width.
        height (int): Image height.
        seed (int): Seed of the images (test mode: the whole set).
        **kwargs: :class:`mmengine.dataset.BaseDataset` arguments
            (``pipeline``, ``test_mode``...).
    """

    METAINFO = {'classes': CLASSES, 'palette': PALETTE}

    def __init__(
        self,
        num_samples: int,
        width: int,
        height: int,
        seed: int = 0,
        **kwargs,
    ) -> None:
        if int(num_samples) < 1:
            raise ValueError(
                f'{type(self).__name__}: num_samples must be >= 1, got '
                f'{num_samples}'
            )
        self.num_samples = int(num_samples)
        self.width = int(width)
        self.height = int(height)
        self.seed = int(seed)
        self._draws = 0
        kwargs.setdefault('serialize_data', False)
        super().__init__(**kwargs)

    def load_data_list(self) -> List[dict]:
        return [
            dict(img_id=i, width=self.width, height=self.height)
            for i in range(self.num_samples)
        ]

    def render(
        self, index: int, rng: np.random.Generator
    ) -> Tuple[np.ndarray, list, dict]:
        """Image ``index`` drawn from ``rng``.

        Returns:
            tuple: ``image`` (height, width) uint8 grey, the placed
            chromosome sprites (``label``, ``bbox()``, ``p_ter``...) and
            per-image ``info`` (``karyotype``...).
        """
        raise NotImplementedError

    def image_rng(self, index: int) -> np.random.Generator:
        """The random source of the next draw of item ``index``."""
        if self.test_mode:
            entropy = [self.seed, index]
        else:
            self._draws += 1
            entropy = [self.seed, index, torch.initial_seed(), self._draws]
        return np.random.default_rng(np.random.SeedSequence(entropy))

    def prepare_data(self, idx: int):
        data_info = self.get_data_info(idx)
        image, sprites, _ = self.render(idx, self.image_rng(idx))
        instances = []
        for sprite in sprites:
            x, y, w, h = sprite.bbox()
            instances.append(
                dict(
                    bbox=[float(x), float(y), float(x + w), float(y + h)],
                    bbox_label=int(sprite.label),
                    ignore_flag=0,
                    polarity=polarity_code(sprite.p_arm_up),
                )
            )
        data_info.update(
            img=cv2.cvtColor(image, cv2.COLOR_GRAY2BGR),
            instances=instances,
        )
        return self.pipeline(data_info)
