"""Crop classifiers that read different versions of the same crops."""

from typing import List, Optional, Sequence

import torch
from mmdet.registry import MODELS
from mmdet.utils import ConfigType, OptConfigType
from mmengine.model import BaseModel
from torch import nn

from .chromosome_crop_classifier import Inputs


@MODELS.register_module()
class ChromosomeCropEnsemble(BaseModel):
    """:class:`ChromosomeCropClassifier` members trained together, each
    on its own input channels, their probabilities averaged.

    .. code-block:: none

        crops of a cell, (num_crops, sum of the members' views, H, W)
            -> member 0 reads the first num_views channels (e.g. the crop
               as cut out), member 1 the next (e.g. the crop straightened:
               ChromosomeCropDataset(straighten='both')), ...
        loss:    the sum of the members' losses (logged as ``m0.loss_cls``,
                 ``m1.loss_cls``, ...)
        predict: the mean of the members' class and polarity
                 probabilities (each with its own test flips)

    Members that read the same chromosome differently make different
    mistakes; what the average buys is measured in
    ``configs/crop_classification/README.md``.

    Args:
        members (Sequence[dict]): :class:`ChromosomeCropClassifier`
            configs, at least one; their ``num_views`` add up to the
            input channels.
        data_preprocessor (dict, optional): Defaults to mmengine's
            ``BaseDataPreprocessor``.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(
        self,
        members: Sequence[ConfigType],
        data_preprocessor: OptConfigType = None,
        init_cfg: OptConfigType = None,
    ) -> None:
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg
        )
        if not members:
            raise ValueError('ChromosomeCropEnsemble: no members')
        self.members = nn.ModuleList(MODELS.build(m) for m in members)
        self.channels = [m.num_views for m in self.members]

    @property
    def num_classes(self) -> int:
        return self.members[0].num_classes

    @property
    def test_cfg(self) -> dict:
        """The first member's ``test_cfg``; set, it goes to every member
        (the test flips)."""
        return self.members[0].test_cfg

    @test_cfg.setter
    def test_cfg(self, cfg: dict) -> None:
        for member in self.members:
            member.test_cfg = dict(cfg)

    def _parts(self, inputs: Inputs) -> List[List[torch.Tensor]]:
        """Each member's channels of every cell's crops."""
        if isinstance(inputs, torch.Tensor):
            inputs = [inputs]
        total = sum(self.channels)
        for x in inputs:
            if x.shape[1] != total:
                raise ValueError(
                    f'ChromosomeCropEnsemble: inputs have {x.shape[1]} '
                    f'channels, the members read {total} '
                    f'({" + ".join(map(str, self.channels))}; the data '
                    "set's views and straighten='both' must agree)"
                )
        parts, start = [], 0
        for size in self.channels:
            parts.append([x[:, start : start + size] for x in inputs])
            start += size
        return parts

    def forward(
        self,
        inputs: Inputs,
        data_samples: Optional[List[dict]] = None,
        mode: str = 'tensor',
    ):
        """``'loss'``, ``'predict'`` or ``'tensor'`` (the members'
        outputs, a list)."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return [
                member(part, mode='tensor')
                for member, part in zip(self.members, self._parts(inputs))
            ]
        raise RuntimeError(f'Invalid mode "{mode}"')

    def loss(self, inputs: Inputs, data_samples: List[dict]) -> dict:
        """Every member's losses and log values, keys prefixed ``m<k>.``
        (mmengine sums every key with ``loss`` in it)."""
        losses = {}
        for k, (member, part) in enumerate(
            zip(self.members, self._parts(inputs))
        ):
            for key, value in member.loss(part, data_samples).items():
                losses[f'm{k}.{key}'] = value
        return losses

    def predict(
        self, inputs: Inputs, data_samples: Optional[List[dict]] = None
    ) -> List[dict]:
        """The members' predictions with ``scores`` and
        ``polarity_probs`` averaged and ``pred_labels`` /
        ``pred_scores`` read again from the mean (see
        :meth:`ChromosomeCropClassifier.predict`)."""
        outputs = [
            member.predict(part, data_samples)
            for member, part in zip(self.members, self._parts(inputs))
        ]
        results = []
        for cell in zip(*outputs):
            result = dict(cell[0])
            result['scores'] = torch.stack([r['scores'] for r in cell]).mean(0)
            if all('polarity_probs' in r for r in cell):
                result['polarity_probs'] = torch.stack(
                    [r['polarity_probs'] for r in cell]
                ).mean(0)
            result['pred_scores'], result['pred_labels'] = result[
                'scores'
            ].max(dim=1)
            results.append(result)
        return results
