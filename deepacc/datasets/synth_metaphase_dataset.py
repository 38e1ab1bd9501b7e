from typing import Tuple

import numpy as np
from mmdet.registry import DATASETS

from deepacc.synthesis import SynthOptions, render_metaphase

from .generated_metaphase_dataset import GeneratedMetaphaseDataset


@DATASETS.register_module()
class SynthMetaphaseDataset(GeneratedMetaphaseDataset):
    """Synthetic G-banded metaphases, a new one at every draw.

    The same generator as ``deepacc synth`` (karyotypes with aneuploidies,
    per-image batch effects, touching and overlapping chromosomes, debris,
    nuclei), rendered in the data loader instead of read from files. Train
    and test sets are told apart by ``seed``: every image is a new random
    cell, so a test set is never seen in training.

    Args:
        num_samples (int): Items per epoch.
        seed (int): Seed (see :class:`GeneratedMetaphaseDataset`).
        synth (dict, optional): :class:`~deepacc.synthesis.SynthOptions`
            fields (``width``, ``height``, ``batch_effect``...).
        **kwargs: ``pipeline``, ``test_mode`` and the other
            :class:`~mmengine.dataset.BaseDataset` arguments.
    """

    def __init__(
        self,
        num_samples: int,
        seed: int = 0,
        synth: dict = None,
        **kwargs,
    ) -> None:
        self.options = SynthOptions.from_kwargs(**(synth or {}))
        super().__init__(
            num_samples,
            self.options.width,
            self.options.height,
            seed=seed,
            **kwargs,
        )

    def render(
        self, index: int, rng: np.random.Generator
    ) -> Tuple[np.ndarray, list, dict]:
        return render_metaphase(rng, self.options)
