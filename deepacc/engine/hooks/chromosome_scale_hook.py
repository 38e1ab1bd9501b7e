"""Record the chromosome scale a model is trained at."""

import random
from typing import Optional

import numpy as np
import torch
from mmdet.registry import DATASETS, HOOKS
from mmengine.dataset import ConcatDataset
from mmengine.hooks import Hook

from deepacc.datasets import ChromosomeCropDataset
from deepacc.scale.estimate import (
    REFERENCE_WIDTH,
    ScaleEstimateError,
    crops_width,
    estimate_chromosome_width,
)


@HOOKS.register_module()
class ChromosomeScaleHook(Hook):
    """Measure the median chromosome width of the training images as the
    network sees them and keep it in every checkpoint's
    ``meta['chromosome_width']``, where ``--scale auto`` finds it, with
    the reference size it was read at in
    ``meta['chromosome_width_reference']`` (images:
    :data:`deepacc.scale.REFERENCE_WIDTH`; crops: None, one reading per
    crop), so a new image is read the same way.

    Before training, ``num_images`` images are drawn from a separate copy
    of the training data set (its pipeline applied, so a resize in it is
    counted; for a data set of objects cut from metaphases, such as
    ``ClusterObjectDataset``, its ``metaphases``; for a data set of
    single-chromosome crops, ``ChromosomeCropDataset``, the crops as read,
    before its own fixed ``scale``, pooled over the parts of a
    ``ConcatDataset`` of them) and measured with
    :func:`deepacc.scale.estimate_chromosome_width`. The images are drawn
    under fixed seeds (generated and composed training cells take their
    draws from torch's seed), so every run of a config reads the same
    images, and Python's, numpy's and torch's random states are restored
    afterwards, so training draws the same as without the hook. (The
    mixed-look crops config's cells are 10-20 px wide: 8 images under six
    seeds read 14.29-17.49 px, 32 images under three 15.08-15.79.)

    Args:
        num_images (int): Training images to measure.
        pipeline (list[dict], optional): Measure the images through this
            pipeline instead of the training data set's: for a training
            pipeline with a random resize (scale jitter), its fixed-size
            version, so the width recorded is the middle of the jitter,
            not one draw of it.
    """

    priority = 'VERY_LOW'

    def __init__(
        self, num_images: int = 32, pipeline: Optional[list] = None
    ) -> None:
        self.num_images = int(num_images)
        self.pipeline = pipeline
        self.width: Optional[float] = None
        # The reference size of the last measurement (see the class).
        self.reference: Optional[float] = None

    def before_train(self, runner) -> None:
        self.width = self.measure(runner.cfg.train_dataloader.dataset)
        if self.width is None:
            runner.logger.warning(
                'ChromosomeScaleHook: no training image could be measured; '
                'checkpoints will carry no chromosome_width'
            )
        else:
            runner.logger.info(
                f'ChromosomeScaleHook: training chromosome width '
                f'{self.width:.2f} px (median of {self.num_images} images)'
            )

    def measure(self, dataset_cfg, seed: int = 0) -> Optional[float]:
        """Median width over the first images of a data set config, drawn
        under ``seed``; the random states are left as they were."""
        states = (
            random.getstate(),
            np.random.get_state(),
            torch.get_rng_state(),
        )
        random.seed(seed)
        np.random.seed(seed)
        torch.manual_seed(seed)
        try:
            return self._measure(dataset_cfg)
        finally:
            random.setstate(states[0])
            np.random.set_state(states[1])
            torch.set_rng_state(states[2])

    def _measure(self, dataset_cfg) -> Optional[float]:
        if 'metaphases' in dataset_cfg:
            dataset_cfg = dataset_cfg['metaphases']
        if self.pipeline is not None:
            dataset_cfg = dict(dataset_cfg, pipeline=self.pipeline)
        dataset = DATASETS.build(dataset_cfg)
        parts = (
            dataset.datasets
            if isinstance(dataset, ConcatDataset)
            else [dataset]
        )
        if all(isinstance(p, ChromosomeCropDataset) for p in parts):
            self.reference = None
            # cells: {cell id: [(grey crop, label, path), ...]}, pooled
            # over concatenated crop sets (a lab's own crops beside others).
            crops = [
                c[0] for p in parts for cell in p.cells.values() for c in cell
            ]
            step = max(1, len(crops) // (self.num_images * 46))
            try:
                return crops_width(crops[::step])
            except ScaleEstimateError:
                return None
        self.reference = REFERENCE_WIDTH
        widths = []
        for index in range(min(self.num_images, len(dataset))):
            item = dataset[index]
            if 'inputs' in item:
                image = item['inputs'].permute(1, 2, 0).cpu().numpy()
            else:
                image = np.asarray(item['img'])
            image = np.ascontiguousarray(image.astype(np.uint8))
            try:
                widths.append(
                    estimate_chromosome_width(image, reference=self.reference)
                )
            except ValueError:  # blank, empty or unmeasurable image
                continue
        return float(np.median(widths)) if widths else None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        if self.width is not None:
            meta = checkpoint.setdefault('meta', {})
            meta['chromosome_width'] = self.width
            meta['chromosome_width_reference'] = self.reference
