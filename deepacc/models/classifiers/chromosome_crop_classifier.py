"""Single-chromosome crop classifier with the DeepACC classification head."""

from typing import List, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from mmdet.registry import MODELS
from mmdet.utils import ConfigType, OptConfigType
from mmengine.model import BaseModel
from torch import Tensor

Inputs = Union[Tensor, Sequence[Tensor]]

# Test-time flips, named as mmdet's ``RandomFlip`` names them, and whether
# each one turns the p-arm from up to down: a left-right mirror keeps it
# where it is; an upside-down mirror and the 180-degree turn (both
# flips) move it to the other end, so that view's polarity probability
# is read as 1 - p.
FLIP_DIMS = {'horizontal': (-1,), 'vertical': (-2,), 'diagonal': (-2, -1)}
FLIP_TURNS_POLARITY = {'horizontal': False, 'vertical': True, 'diagonal': True}


@MODELS.register_module()
class ChromosomeCropClassifier(BaseModel):
    """Type (24 classes) and polarity of single-chromosome crops.

    .. code-block:: none

        crops of a cell -> backbone -> feature map -> pool to (C, 7, 7)
            -> DeepAccBBoxHead (with_reg=False): margin (AAM) branch,
               siamese branch with per-cell local centres, GIA loss,
               polarity logit

    The head is the detector's own :class:`DeepAccBBoxHead`, whose
    :class:`LocalCenterClassifier` holds the class weights, the local
    centres and the siamese logits; a cell's crops play the part of one
    metaphase's proposals, so the local class centres are chosen among
    the crops of the same cell (``img_inds`` is the cell's position in
    the batch). Every crop is a chromosome: label
    ``num_classes`` (the head's background) never occurs and is never
    predicted. With ``test_cfg=dict(flips=[...])`` prediction averages
    the class and polarity probabilities of the crops as they are and
    flipped (test-time augmentation; a flip that puts the p-arm at the
    other end counts its view's polarity the other way round).

    Inputs come one tensor per cell (``pseudo_collate`` of
    :class:`ChromosomeCropDataset` items), each (num_crops, in_channels,
    height, width), with one sample per cell in ``data_samples`` (a
    ``BaseDataElement`` or a dict: ``labels`` (num_crops, ) long,
    optionally ``polarity`` (num_crops, ) long with -1 unknown, ``paths``
    and ``cell_id``).

    Args:
        backbone (dict): Backbone config (e.g. mmdet ``ResNet`` with
            ``in_channels=1``).
        head (dict): :class:`DeepAccBBoxHead` config with
            ``with_reg=False`` and ``roi_feat_size`` equal to
            ``pool_size``.
        pool_size (int): Side of the pooled feature (the head's RoI
            feature size).
        num_views (int): Views of each crop, one input channel each
            (:func:`deepacc.datasets.crops.crop_views`: the crop at its
            fixed scale and zoomed to fill the canvas, Varifocal-Net's
            global and local views). Each view goes through the same
            backbone (``in_channels=1``) and their pooled features are
            concatenated, so the head's ``in_channels`` is ``num_views``
            times the backbone's output channels.
        test_cfg (dict, optional): ``flips``: test-time flips among
            ``'horizontal'`` (left-right), ``'vertical'`` (upside-down)
            and ``'diagonal'`` (both: the 180-degree turn); default none.
        data_preprocessor (dict, optional): Defaults to mmengine's
            ``BaseDataPreprocessor`` (moves data to the device).
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(
        self,
        backbone: ConfigType,
        head: ConfigType,
        pool_size: int = 7,
        num_views: int = 1,
        test_cfg: OptConfigType = None,
        data_preprocessor: OptConfigType = None,
        init_cfg: OptConfigType = None,
    ) -> None:
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg
        )
        self.backbone = MODELS.build(backbone)
        self.head = MODELS.build(head)
        self.pool_size = int(pool_size)
        self.num_views = int(num_views)
        if self.num_views < 1:
            raise ValueError(
                f'ChromosomeCropClassifier: num_views must be >= 1, got '
                f'{num_views}'
            )
        self.test_cfg = dict(test_cfg or {})
        unknown = set(self.test_cfg.get('flips', ())) - set(FLIP_DIMS)
        if unknown:
            raise ValueError(
                f'ChromosomeCropClassifier: unknown test flips {unknown}; '
                f'choose among {sorted(FLIP_DIMS)}'
            )
        if self.head.with_reg:
            raise ValueError(
                'ChromosomeCropClassifier: the head must have '
                'with_reg=False (crops have no boxes to regress)'
            )

    @property
    def num_classes(self) -> int:
        """Chromosome classes (the head's foreground classes)."""
        return self.head.num_classes

    def extract_feat(self, inputs: Tensor) -> Tensor:
        """Pooled features of crops.

        Args:
            inputs (Tensor): Shape (num_crops, in_channels, H, W); with
                ``num_views`` > 1, (num_crops, num_views, H, W).

        Returns:
            Tensor: Shape (num_crops, C, pool_size, pool_size), C the
            backbone's channels times ``num_views``.
        """
        num, views = inputs.shape[:2]
        if self.num_views > 1:
            if views != self.num_views:
                raise ValueError(
                    f'ChromosomeCropClassifier: inputs have {views} '
                    f'channels, the model takes {self.num_views} views '
                    "(the data set's views and the model's num_views "
                    'must agree)'
                )
            inputs = inputs.reshape(num * views, 1, *inputs.shape[2:])
        feat = self.backbone(inputs)
        if isinstance(feat, (list, tuple)):
            feat = feat[-1]
        feat = F.adaptive_avg_pool2d(feat, self.pool_size)
        return feat.reshape(num, -1, self.pool_size, self.pool_size)

    @staticmethod
    def _stack(inputs: Inputs) -> tuple:
        """Crops of all cells in one tensor and each crop's cell index."""
        if isinstance(inputs, Tensor):
            inputs = [inputs]
        sizes = [len(x) for x in inputs]
        x = torch.cat(list(inputs)).float()
        cell_inds = torch.repeat_interleave(
            torch.arange(len(sizes), device=x.device),
            torch.tensor(sizes, device=x.device),
        )
        return x, cell_inds, sizes

    def _head_forward(self, inputs: Inputs) -> tuple:
        x, cell_inds, sizes = self._stack(inputs)
        cls_score, _, head_outs = self.head(self.extract_feat(x), cell_inds)
        return cls_score, head_outs, cell_inds, sizes

    def forward(
        self,
        inputs: Inputs,
        data_samples: Optional[List[dict]] = None,
        mode: str = 'tensor',
    ):
        """``'loss'``, ``'predict'`` or ``'tensor'`` (the head's raw
        ``cls_score`` and ``head_outs``)."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            cls_score, head_outs, _, _ = self._head_forward(inputs)
            return cls_score, head_outs
        raise RuntimeError(f'Invalid mode "{mode}"')

    def loss(self, inputs: Inputs, data_samples: List[dict]) -> dict:
        """Losses of a batch of cells.

        Args:
            inputs (Tensor | list[Tensor]): One (num_crops, C, H, W) tensor
                per cell.
            data_samples (list[dict]): One dict per cell with ``labels``
                and optionally ``polarity``.

        Returns:
            dict[str, Tensor]: The head's losses (``loss_cls``,
            ``loss_aam``, ``loss_gia``, ``loss_polarity`` as configured)
            and log-only accuracies.
        """
        cls_score, head_outs, cell_inds, _ = self._head_forward(inputs)
        labels = torch.cat([d.get('labels') for d in data_samples]).long()
        labels = labels.to(cls_score.device)
        rois = cls_score.new_zeros((len(labels), 5))
        rois[:, 0] = cell_inds
        polarity = None
        if self.head.with_polarity:
            polarity = torch.cat([_polarity(d) for d in data_samples])
            polarity = polarity.to(cls_score.device)
        return self.head.loss(
            cls_score,
            None,
            rois,
            labels,
            torch.ones_like(labels, dtype=cls_score.dtype),
            None,
            None,
            polarity_targets=polarity,
            **head_outs,
        )

    def predict(
        self, inputs: Inputs, data_samples: Optional[List[dict]] = None
    ) -> List[dict]:
        """Class, score and polarity of every crop, one dict per cell.

        Args:
            inputs (Tensor | list[Tensor]): One tensor per cell.
            data_samples (list[dict], optional): One dict per cell; its
                ``labels``, ``polarity``, ``paths`` and ``cell_id`` are
                copied into the result.

        Returns:
            list[dict]: Per cell, ``pred_labels`` (num_crops, ) long,
            ``pred_scores`` (num_crops, ) (softmax probability of the
            called class), ``scores`` (num_crops, num_classes) and, with
            polarity, ``polarity_probs`` (num_crops, ), the probability
            that the p-arm is up; plus ``gt_labels`` / ``gt_polarity`` and
            the sample's ``paths`` / ``cell_id`` when given.
        """
        x, cell_inds, sizes = self._stack(inputs)
        scores, polarity = self._probs(x, cell_inds)
        flips = self.test_cfg.get('flips', ())
        for direction in flips:
            flip_scores, flip_polarity = self._probs(
                x.flip(FLIP_DIMS[direction]), cell_inds
            )
            scores = scores + flip_scores
            if polarity is not None:
                if FLIP_TURNS_POLARITY[direction]:
                    flip_polarity = 1 - flip_polarity
                polarity = polarity + flip_polarity
        scores = scores / (1 + len(flips))
        if polarity is not None:
            polarity = polarity / (1 + len(flips))
        pred_scores, pred_labels = scores.max(dim=1)
        results = []
        start = 0
        for k, size in enumerate(sizes):
            part = slice(start, start + size)
            start += size
            result = dict(
                pred_labels=pred_labels[part].cpu(),
                pred_scores=pred_scores[part].cpu(),
                scores=scores[part].cpu(),
            )
            if polarity is not None:
                result['polarity_probs'] = polarity[part].cpu()
            sample = data_samples[k] if data_samples else {}
            for key, name in (
                ('labels', 'gt_labels'),
                ('polarity', 'gt_polarity'),
            ):
                if sample.get(key) is not None:
                    result[name] = sample.get(key).cpu()
            for key in ('paths', 'cell_id'):
                if sample.get(key) is not None:
                    result[key] = sample.get(key)
            results.append(result)
        return results

    def _probs(self, x: Tensor, cell_inds: Tensor) -> tuple:
        """Class probabilities (num_crops, num_classes) and p-arm-up
        probabilities (num_crops, ) or None, of one view of the crops."""
        cls_score, _, head_outs = self.head(self.extract_feat(x), cell_inds)
        # The background column is never a crop's class.
        scores = F.softmax(cls_score, dim=1)[:, : self.num_classes]
        polarity = head_outs.get('polarity_pred')
        if polarity is not None:
            polarity = polarity.reshape(-1).sigmoid()
        return scores, polarity


def _polarity(sample) -> Tensor:
    """A sample's polarity targets, -1 (unknown) when it has none."""
    polarity = sample.get('polarity')
    if polarity is None:
        return torch.full_like(sample.get('labels'), -1)
    return polarity
