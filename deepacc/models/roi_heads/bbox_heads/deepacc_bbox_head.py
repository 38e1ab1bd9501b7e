"""The DeepACC bbox head: siamese ArcFace classification, own regression."""

from typing import List, Optional, Tuple

import torch
import torch.nn as nn
from mmdet.models.losses import accuracy
from mmdet.models.roi_heads.bbox_heads import ConvFCBBoxHead
from mmdet.models.task_modules.samplers import SamplingResult
from mmdet.registry import MODELS
from mmdet.utils import ConfigType, OptConfigType
from mmengine.config import ConfigDict
from mmengine.logging import MessageHub
from torch import Tensor

from ...layers import LocalCenterClassifier
from ...utils import center_stats

# Options measured not to help and removed, with the behaviour kept: the
# configs dumped beside older checkpoints still spell these values out.
REMOVED_OPTIONS = dict(
    center_score='prob',
    background_center=False,
    train_centers='sampled',
    inference_scale=1.0,
    learn_inference_scale=False,
    inference_weights='shared',
)


@MODELS.register_module()
class DeepAccBBoxHead(ConvFCBBoxHead):
    r"""Bbox head of DeepACC (Luo et al., MICCAI 2021, section 2).

    .. code-block:: none

                     /-> cls fcs -> x -> fc_cls: margin    s * cos(x, W_M)
        RoI feature                              inference x . W_I + b
                     \-> reg fcs -> fc_reg -> box deltas

    ``fc_cls`` is a :class:`LocalCenterClassifier` (local centres, siamese
    logits). ``loss_margin`` (AAM) trains the margin branch, ``loss_cls``
    (CE) the inference branch, whose softmax is the score, and ``loss_gia``
    acts on ``softmax(s * cos)``. ``forward`` takes each RoI's image index
    (:class:`DeepAccRoIHead` passes it) and returns a third item,
    ``head_outs``, that ``loss_and_target`` takes. Polarity (not in the
    paper) is a linear p-arm-up logit trained on positives of known
    polarity. Table 1: ``with_siamese=False`` is (c), an AAM margin of 0
    (d), ``loss_gia=None`` (e).

    Choices the paper leaves open, one line each (the measurements are in
    ``benchmarks/README.md``, in the section named):

    - ``delta=0.5`` on the margin branch's probability, not its raw
      cosine ("Local centres: which threshold reading engages").
    - ``detach_centers=True``: a centre is a class weight of every RoI of
      its image; unstopped, their loss lands on one feature (not measured).
    - ``margin_on_background=True``: Eq. 1 puts the margin on every label,
      background included (not measured).
    - Centres: any sampled RoI in training, as any proposal at test time;
      the background keeps its global weight (not measured).
    - ``center_warmup_iters=0`` (the paper); the CPU recipes use a third of
      their schedule ("Local centres in training: what they cost, and a
      warm-up").
    - Unscaled logits and ``W_M`` shared by both branches, as the paper
      reads: a logit scale and own inference weights, measured and removed
      ("Table 1 ablation with the CPU recipe").

    Args:
        num_cls_fcs (int): FC layers of the classification branch.
        num_reg_fcs (int): FC layers of the regression branch.
        fc_out_channels (int): Width of those FC layers.
        with_siamese (bool): Use the inference branch.
        delta (float): Local-centre threshold.
        detach_centers (bool): Stop gradients through local centres.
        margin_on_background (bool): Angular margin on background RoIs.
        center_warmup_iters (int): Training iterations before local
            centres are used (0: from the start).
        loss_cls (dict): Inference-branch loss (softmax CE).
        loss_margin (dict): Margin-branch loss (AAM, s 64, m 0.25, 0.1).
        loss_gia (dict, optional): Group Inner-Adjacency loss; None off.
        with_polarity (bool): Predict each RoI's polarity.
        loss_polarity (dict): Polarity loss (sigmoid CE).
        init_cfg (dict, optional): Initialisation config.
    """

    accepts_img_inds = True

    def __init__(
        self,
        num_cls_fcs: int = 2,
        num_reg_fcs: int = 2,
        fc_out_channels: int = 1024,
        with_siamese: bool = True,
        delta: float = 0.5,
        detach_centers: bool = True,
        margin_on_background: bool = True,
        center_warmup_iters: int = 0,
        loss_cls: ConfigType = dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0
        ),
        loss_margin: ConfigType = dict(
            type='AdditiveAngularMarginLoss',
            scale=64.0,
            margin=0.25,
            loss_weight=0.1,
        ),
        loss_gia: OptConfigType = dict(
            type='GroupInnerAdjacencyLoss', loss_weight=0.1
        ),
        with_polarity: bool = False,
        loss_polarity: ConfigType = dict(
            type='CrossEntropyLoss', use_sigmoid=True, loss_weight=1.0
        ),
        init_cfg: OptConfigType = None,
        **kwargs,
    ) -> None:
        if loss_cls.get('use_sigmoid', False):
            raise ValueError(
                'DeepAccBBoxHead: the inference branch is a softmax '
                'classifier; loss_cls must not use sigmoid'
            )
        if center_warmup_iters < 0:
            raise ValueError(
                'DeepAccBBoxHead: center_warmup_iters must be >= 0, got '
                f'{center_warmup_iters}'
            )
        for key, kept in REMOVED_OPTIONS.items():
            if kwargs.get(key, kept) != kept:
                raise ValueError(
                    f'DeepAccBBoxHead: {key}={kwargs[key]!r} was removed '
                    f'(measured not to help; benchmarks/README.md); only '
                    f'{kept!r} remains'
                )
            kwargs.pop(key, None)
        margin_loss = MODELS.build(loss_margin)
        super().__init__(
            num_shared_convs=0,
            num_shared_fcs=0,
            num_cls_convs=0,
            num_cls_fcs=num_cls_fcs,
            num_reg_convs=0,
            num_reg_fcs=num_reg_fcs if kwargs.get('with_reg', True) else 0,
            fc_out_channels=fc_out_channels,
            cls_predictor_cfg=dict(
                type=LocalCenterClassifier,
                scale=margin_loss.scale,
                delta=delta,
                detach_centers=detach_centers,
                with_siamese=with_siamese,
            ),
            loss_cls=loss_cls,
            init_cfg=init_cfg,
            **kwargs,
        )
        self.with_siamese = with_siamese
        self.margin_on_background = margin_on_background
        self.center_warmup_iters = center_warmup_iters
        self.loss_margin = margin_loss
        self.loss_gia = MODELS.build(loss_gia) if loss_gia else None
        self.with_polarity = with_polarity
        if with_polarity:
            self.fc_polarity = nn.Linear(self.cls_last_dim, 1)
            self.loss_polarity = MODELS.build(loss_polarity)

    @property
    def scale(self) -> float:
        """The cosine scale ``s`` of the margin branch."""
        return self.fc_cls.scale

    def in_center_warmup(self) -> bool:
        """Whether local centres are held off: in training, before the
        Runner's iteration ``center_warmup_iters`` (mmengine's
        ``MessageHub`` ``'iter'``, as mmdet's BoxInst warms up its
        pairwise loss). Never at test time, nor outside a Runner."""
        if not self.training or self.center_warmup_iters <= 0:
            return False
        it = MessageHub.get_current_instance().get_info('iter')
        return it is not None and it < self.center_warmup_iters

    def forward(
        self, x: Tensor, img_inds: Optional[Tensor] = None
    ) -> Tuple[Tensor, Optional[Tensor], dict]:
        """Forward RoI features (num_rois, in_channels, 7, 7) of the
        images ``img_inds`` (``rois[:, 0]``, None: one image).

        Returns:
            tuple[Tensor, Tensor | None, dict]: ``cls_score``
            (num_rois, num_classes + 1), ``bbox_pred`` (None without
            regression) and ``head_outs``: the ``fc_cls`` outputs
            (:meth:`LocalCenterClassifier.forward`) and, with polarity,
            ``polarity_pred`` (num_rois, ), the p-arm-up logit.
        """
        x_cls = x.flatten(1)
        for fc in self.cls_fcs:
            x_cls = self.relu(fc(x_cls))
        bbox_pred = None
        if self.with_reg:
            x_reg = x.flatten(1)
            for fc in self.reg_fcs:
                x_reg = self.relu(fc(x_reg))
            bbox_pred = self.fc_reg(x_reg)
        cls_score, head_outs = self.fc_cls(
            x_cls, img_inds, use_centers=not self.in_center_warmup()
        )
        if self.with_polarity:
            head_outs['polarity_pred'] = self.fc_polarity(x_cls).squeeze(1)
        return cls_score, bbox_pred, head_outs

    def loss_and_target(
        self,
        cls_score: Tensor,
        bbox_pred: Tensor,
        rois: Tensor,
        sampling_results: List[SamplingResult],
        rcnn_train_cfg: ConfigDict,
        concat: bool = True,
        reduction_override: Optional[str] = None,
        polarity_pred: Optional[Tensor] = None,
        **head_outs,
    ) -> dict:
        """As :meth:`BBoxHead.loss_and_target`, with ``head_outs`` from
        :meth:`forward`; polarity targets are each sampling result's
        ``pos_gt_polarity`` (set by :class:`DeepAccRoIHead`)."""
        targets = self.get_targets(
            sampling_results, rcnn_train_cfg, concat=concat
        )
        polarity_targets = None
        if polarity_pred is not None:
            polarity_targets = self.polarity_targets(sampling_results)
        losses = self.loss(
            cls_score,
            bbox_pred,
            rois,
            *targets,
            reduction_override=reduction_override,
            polarity_pred=polarity_pred,
            polarity_targets=polarity_targets,
            **head_outs,
        )
        return dict(loss_bbox=losses, bbox_targets=targets)

    @staticmethod
    def polarity_targets(sampling_results: List[SamplingResult]) -> Tensor:
        """Polarity target of every sampled RoI, in ``rois`` order: long
        (num_rois, ), 1 p-arm up, 0 down, -1 unknown (negatives, and
        positives without ``pos_gt_polarity``)."""
        targets = []
        for res in sampling_results:
            pos = getattr(res, 'pos_gt_polarity', None)
            if pos is None:
                pos = res.pos_inds.new_full((res.pos_inds.numel(),), -1)
            targets += [
                pos.long(),
                res.neg_inds.new_full((res.neg_inds.numel(),), -1),
            ]
        return torch.cat(targets)

    def loss(
        self,
        cls_score: Tensor,
        bbox_pred: Optional[Tensor],
        rois: Tensor,
        labels: Tensor,
        label_weights: Tensor,
        bbox_targets: Optional[Tensor],
        bbox_weights: Optional[Tensor],
        reduction_override: Optional[str] = None,
        *,
        cos_score: Tensor,
        center_inds: Optional[Tensor] = None,
        best_scores: Optional[Tensor] = None,
        polarity_pred: Optional[Tensor] = None,
        polarity_targets: Optional[Tensor] = None,
    ) -> dict:
        """All losses of the head.

        Args:
            cls_score ... reduction_override: As :meth:`BBoxHead.loss`.
            cos_score, center_inds, best_scores (Tensor): ``head_outs`` of
                :meth:`forward`.
            polarity_pred (Tensor, optional): P-arm-up logits (num_rois, ).
            polarity_targets (Tensor, optional): Long (num_rois, ): 1 up,
                0 down, -1 unknown (not trained on).

        Returns:
            dict[str, Tensor]: ``loss_cls`` (with the inference branch),
            ``loss_bbox``, ``loss_aam``, ``loss_gia``, ``loss_polarity``
            as configured; log-only accuracies and :func:`center_stats`.
        """
        losses = super().loss(
            cls_score if self.with_siamese else None,
            bbox_pred,
            rois,
            labels,
            label_weights,
            bbox_targets,
            bbox_weights,
            reduction_override=reduction_override,
        )
        if self.with_siamese and 'loss_cls' not in losses:
            # No RoIs: keep the keys stable for logging.
            losses['loss_cls'] = cls_score.sum() * 0
        foreground = (labels >= 0) & (labels < self.num_classes)
        losses['loss_aam'] = self.loss_margin(
            cos_score,
            labels,
            label_weights,
            avg_factor=max(float((label_weights > 0).sum()), 1.0),
            reduction_override=reduction_override,
            margin_mask=None if self.margin_on_background else foreground,
        )
        img_inds = rois[:, 0]
        if self.loss_gia is not None:
            losses['loss_gia'] = self.loss_gia(
                self.fc_cls.center_scores(cos_score),
                labels,
                img_inds,
                reduction_override=reduction_override,
            )
        if cos_score.numel() > 0:
            acc_key = 'acc_margin' if self.with_siamese else 'acc'
            losses[acc_key] = accuracy(cos_score, labels)
            if center_inds is not None and best_scores is not None:
                losses.update(
                    center_stats(labels, img_inds, center_inds, best_scores)
                )
        if self.with_polarity and polarity_pred is not None:
            losses.update(
                self.polarity_loss(
                    polarity_pred, polarity_targets, reduction_override
                )
            )
        return losses

    def polarity_loss(
        self,
        polarity_pred: Tensor,
        polarity_targets: Optional[Tensor],
        reduction_override: Optional[str] = None,
    ) -> dict:
        """``loss_polarity`` over the RoIs of known polarity (0 without
        one) and log-only ``acc_polarity`` (percent, 100 without one).

        Args:
            polarity_pred (Tensor): Logits, shape (num_rois, ).
            polarity_targets (Tensor, optional): Long, shape (num_rois, ),
                -1 where unknown; None: all unknown.
        """
        if polarity_targets is None:
            polarity_targets = polarity_pred.new_full(
                polarity_pred.shape, -1, dtype=torch.long
            )
        known = polarity_targets >= 0
        num_known = int(known.sum())
        if num_known == 0:
            return dict(
                loss_polarity=polarity_pred.sum() * 0,
                acc_polarity=polarity_pred.new_tensor(100.0),
            )
        pred, target = polarity_pred[known], polarity_targets[known]
        loss = self.loss_polarity(
            pred,
            target.float(),
            avg_factor=num_known,
            reduction_override=reduction_override,
        )
        with torch.no_grad():
            acc = ((pred > 0).long() == target).float().mean() * 100
        return dict(loss_polarity=loss, acc_polarity=acc)

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # Checkpoints from before LocalCenterClassifier kept the inference
        # branch's bias on the head itself.
        old = prefix + 'inference_bias'
        if old in state_dict:
            state_dict[prefix + 'fc_cls.bias'] = state_dict.pop(old)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)
