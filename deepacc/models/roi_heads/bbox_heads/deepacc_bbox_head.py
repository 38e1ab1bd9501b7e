"""The DeepACC bbox head: siamese ArcFace classification, own regression."""

import math
from typing import List, Optional, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmdet.models.losses import accuracy
from mmdet.models.roi_heads.bbox_heads import ConvFCBBoxHead
from mmdet.models.task_modules.samplers import SamplingResult
from mmdet.registry import MODELS
from mmdet.utils import ConfigType, OptConfigType
from mmengine.config import ConfigDict
from mmengine.logging import MessageHub
from torch import Tensor

from ...utils import top_proposal_per_class


@MODELS.register_module()
class DeepAccBBoxHead(ConvFCBBoxHead):
    r"""Bbox head of DeepACC (Luo et al., MICCAI 2021, section 2).

    .. code-block:: none

                     /-> cls fcs -> x -+-> margin branch:    s * cos(x, W_M)
        RoI feature                    \-> inference branch: x . W_I + b
                     \-> reg fcs -> box deltas

    Regression and classification share no layers (2 FC layers each).
    The margin branch is a bias-free cosine classifier over
    ``num_classes + 1`` classes, trained with ``loss_margin``
    (:class:`AdditiveAngularMarginLoss`). The inference branch uses, for
    each image and class ``j``, the normalised feature of the image's
    proposal that the margin branch scores highest for ``j`` as the class
    weight when that score exceeds ``delta``, and the normalised global
    weight ``W_M,j`` otherwise; its logits ``W_I,j . x + b_j`` take the
    un-normalised feature ``x`` and a learnable zero-initialised bias, are
    trained with ``loss_cls`` (cross-entropy) and are the head's
    ``cls_score``: their softmax is the final score. ``loss_gia``
    (:class:`GroupInnerAdjacencyLoss`) acts on the margin branch's
    probabilities ``softmax(s * cos)``.

    The head needs the image index of every RoI, so that local centres
    never mix images; :class:`DeepAccRoIHead` passes it
    (``accepts_img_inds``). ``forward`` therefore returns a third item, a
    dict of the margin branch's outputs that ``loss_and_target`` takes.

    Choices the paper leaves open (all options, with these defaults):

    - ``center_score='prob'`` and ``delta=0.5``: a class's most
      confident proposal is the one whose margin-branch probability
      ``softmax(s * cos)`` for the class is highest, and it becomes the
      local centre when that probability exceeds ``delta``. Above 0.5 the
      margin branch's own call for that proposal *is* the class, which is
      how the paper's "score of the most confident proposal" reads, and
      it is calibrated by the classifier. The alternative, ``'cos'``
      (the raw cosine to ``W_M,j`` compared with ``delta``), is not:
      measured with ``benchmarks/local_centres.py`` on the CPU synth
      recipe after 300 iterations, the best cosine of every present class
      was above 0.5 (median 0.97: early features share one direction), so
      it switched on 100% of the centres at test time with 20.5% of them
      of the right class, where ``'prob'`` switched on 3.8% with 56%
      right; after the full 1800 iterations (test mAP 87%) the cosine
      still switched on 100% (88% right), the probability 83% (96%
      right). At initialisation the cosine is the opposite (at most 0.19:
      nothing switches on). In that run ``center_frac`` rose from 2% to
      83% of the present classes and ``loss_gia`` from 0.0006 to 0.013
      (``configs/deepacc/README.md``).
    - ``detach_centers=True``: the local centres are constants for the
      inference loss. The centre is picked by a hard argmax and serves as
      a class weight for every RoI of its image; without the stop the
      inference loss of hundreds of RoIs lands on one RoI's feature, which
      the margin branch (AAM loss) is meant to shape. Global weights used
      as fallback are not detached.
    - ``margin_on_background=True``: the angular margin applies to every
      sampled RoI's label, background included, as Eq. 1 of the paper
      reads (the background is one of the classifier's n columns).
    - ``background_center=False``: the background column always uses its
      global weight. The pairing prior behind local centres concerns
      chromosomes; the most confident background RoI is arbitrary clutter.
    - ``train_centers='sampled'``: in training, any sampled RoI (positive
      or negative) may become a centre, which is the rule used at test time
      (all proposals of the image, nothing else is known there), so the
      inference branch trains under the conditions it is used in.
      ``'positive'`` restricts training centres to RoIs assigned to a
      chromosome.
    - The GIA loss's ``M_j`` are picked by the same scores (and its own
      ``center_thr``) among the same candidates.
    - ``center_warmup_iters=0``: local centres from the first iteration,
      as the paper reads (it answers the early instability with delta
      alone). With ``N > 0`` the inference branch uses the global weights
      in training until Runner iteration ``N``, then the centres; at test
      time it always uses them. Measured on the synthetic CPU recipe
      (``benchmarks/README.md``): centres from iteration 0 cost 16
      points of validation mAP at 600 iterations (31.8 against 48.1
      without them), being on for 23-73% of the present classes with
      only 9-62% of them right; with ``N=700`` (a third of 2100) they
      are on for 99% of the present classes from iteration 720, 98%
      right, and the model tests at mAP_max 95.33 / AER 10.23 where the
      literal reading gave 92.03 / 15.93 (3 seeds); on the crop-composed
      cells ``N=1200`` gave 83.88 / 20.70 against 75.13 / 28.50. The
      CPU recipes set it to about a third of their schedules. It counts
      iterations, not a share of a schedule: what makes a centre right
      is how far the margin branch has learnt, and switched on at
      iteration 267 of an 800-iteration run the centres were mostly
      wrong (33-48% right) and the model ended below the literal one.
      Nor should the switch come near the end: it raises the inference
      loss by 40-100% for a few hundred iterations (at 700 of 800,
      right centres still left the model below the literal one).
    - ``inference_scale=1.0``, ``learn_inference_scale=False``: the
      logits are the paper's ``W_I,j . x + b_j``; with a scale ``t``
      they are ``t (W_I,j . x + b_j)``, ``t`` fixed or learnt (in log
      space, from the given value; logged as ``inference_scale``). With
      unit-norm class weights the logits' size comes from ``|x|`` alone,
      and the crops recipe's DeepACC leaves twice the separate-branch
      head's share of chromosomes under the call threshold. Neither
      scale changes that (``benchmarks/README.md``): a fixed ``t`` of
      1.5-3 on a trained checkpoint calls them, mostly wrong (AER 20.41
      -> 20.27-21.17); learnt from the start, ``t`` fell to 0.75 and the
      run tested level with the same seed without it (mAP_max 84.30
      against 83.85, missed 6.31% against 6.06%).
    - ``inference_weights='shared'``: the inference branch's fallback
      weights are the margin branch's ``W_M`` (normalised), as the paper
      reads, so ``loss_cls`` and ``loss_margin`` train the same class
      weights. ``'own'`` gives the inference branch its own unconstrained
      global weights ``W_G`` (a bias-free linear layer, the bias stays
      ``b``): a class without a local centre scores ``W_G,j . x + b_j``,
      as a stock classifier does, and a local centre keeps the length of
      ``W_G,j`` with its proposal's direction; ``W_M`` is then trained by
      the margin loss alone and only picks the centres. Tried for the
      crops recipe's gap to the separate-branch stock head
      (``benchmarks/README.md``; (g) seed 1): the margin branch then
      never learnt (the AAM loss flat from iteration 700, no centre on
      in training or at test), the model missed as few chromosomes as
      the stock head (3.3%) but misclassified more (15.7% against
      12.5%), and tested level with the shared weights (mAP_max 84.09
      / AER 20.92 against 83.85 / 20.41). With ``'shared'`` the
      inference branch's cross-entropy is what trains ``W_M`` to pick
      centres.

    Polarity (``with_polarity=True``, not in the paper; Varifocal-Net's
    second task): one more linear layer on the classification feature
    gives, per RoI, a logit that the chromosome's p-arm is the *upper* end
    of its long axis (the end with the smaller image y; annotations'
    ``p_arm_up``). It is trained with ``loss_polarity`` (sigmoid
    cross-entropy) on positive RoIs whose chromosome has a known polarity
    only: targets of -1 (unknown, and every background RoI) are never
    trained on. It is off by default so that the paper's Table 1 heads
    stay as they were.

    Ablations (paper Table 1): ``with_siamese=False`` keeps only the
    margin branch, whose ``s * cos`` is then the ``cls_score`` (c); a
    ``loss_margin`` with ``margin=0`` gives the siamese branch without the
    angular margin (d); ``loss_gia=None`` drops the GIA loss (e).

    Args:
        num_cls_fcs (int): FC layers of the classification branch.
        num_reg_fcs (int): FC layers of the regression branch.
        fc_out_channels (int): Width of those FC layers. Defaults to 1024.
        with_siamese (bool): Use the inference branch. Defaults to True.
        center_score (str): 'prob' or 'cos', the margin-branch score that
            ranks proposals and is compared with ``delta``.
        delta (float): Local-centre threshold. Defaults to 0.5.
        detach_centers (bool): Stop gradients through local centres.
        margin_on_background (bool): Angular margin on background RoIs.
        background_center (bool): Allow a local centre for the
            background.
        train_centers (str): 'sampled' or 'positive'.
        center_warmup_iters (int): Training iterations before local
            centres are used. Defaults to 0 (from the start).
        inference_scale (float): Factor ``t`` on the inference
            branch's logits (> 0). Defaults to 1.0.
        learn_inference_scale (bool): Learn ``t`` (from
            ``inference_scale``). Defaults to False.
        inference_weights (str): 'shared' (``W_M``, the paper) or 'own'
            (``W_G``): the inference branch's global class weights.
        loss_cls (dict): Loss of the inference branch (CE, weight 1.0).
        loss_margin (dict): Loss of the margin branch (AAM, s=64,
            m=0.25, weight 0.1).
        loss_gia (dict, optional): Group Inner-Adjacency loss (weight
            0.1); None disables it.
        with_polarity (bool): Predict each RoI's polarity. Defaults to
            False.
        loss_polarity (dict): Loss of the polarity logit (sigmoid
            cross-entropy, weight 1.0).
        init_cfg (dict, optional): Initialisation config.
    """

    accepts_img_inds = True

    def __init__(
        self,
        num_cls_fcs: int = 2,
        num_reg_fcs: int = 2,
        fc_out_channels: int = 1024,
        with_siamese: bool = True,
        center_score: str = 'prob',
        delta: float = 0.5,
        detach_centers: bool = True,
        margin_on_background: bool = True,
        background_center: bool = False,
        train_centers: str = 'sampled',
        center_warmup_iters: int = 0,
        inference_scale: float = 1.0,
        learn_inference_scale: bool = False,
        inference_weights: str = 'shared',
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
        if center_score not in ('cos', 'prob'):
            raise ValueError(
                'DeepAccBBoxHead: center_score must be "cos" or "prob", '
                f'got {center_score!r}'
            )
        if train_centers not in ('sampled', 'positive'):
            raise ValueError(
                'DeepAccBBoxHead: train_centers must be "sampled" or '
                f'"positive", got {train_centers!r}'
            )
        if inference_weights not in ('shared', 'own'):
            raise ValueError(
                'DeepAccBBoxHead: inference_weights must be "shared" or '
                f'"own", got {inference_weights!r}'
            )
        if loss_cls.get('use_sigmoid', False):
            raise ValueError(
                'DeepAccBBoxHead: the inference branch is a '
                'softmax classifier; loss_cls must not use '
                'sigmoid'
            )
        super().__init__(
            num_shared_convs=0,
            num_shared_fcs=0,
            num_cls_convs=0,
            num_cls_fcs=num_cls_fcs,
            num_reg_convs=0,
            num_reg_fcs=num_reg_fcs if kwargs.get('with_reg', True) else 0,
            fc_out_channels=fc_out_channels,
            # W_M: the margin branch's bias-free class weights.
            cls_predictor_cfg=dict(type='Linear', bias=False),
            loss_cls=loss_cls,
            init_cfg=init_cfg,
            **kwargs,
        )
        self.with_siamese = with_siamese
        self.center_score = center_score
        self.delta = delta
        self.detach_centers = detach_centers
        self.margin_on_background = margin_on_background
        self.background_center = background_center
        self.train_centers = train_centers
        if center_warmup_iters < 0:
            raise ValueError(
                'DeepAccBBoxHead: center_warmup_iters must be >= 0, got '
                f'{center_warmup_iters}'
            )
        self.center_warmup_iters = center_warmup_iters
        if not inference_scale > 0:
            raise ValueError(
                'DeepAccBBoxHead: inference_scale must be > 0, got '
                f'{inference_scale}'
            )
        if learn_inference_scale and with_siamese:
            # Learnt in log space: stays positive, and AdamW's steps
            # change it by a ratio, whatever its size.
            self.inference_log_scale = nn.Parameter(
                torch.tensor(math.log(inference_scale))
            )
        else:
            self.fixed_inference_scale = float(inference_scale)
        self.loss_margin = MODELS.build(loss_margin)
        self.loss_gia = MODELS.build(loss_gia) if loss_gia else None
        if self.with_siamese:
            self.inference_bias = nn.Parameter(
                torch.zeros(self.num_classes + 1)
            )
        if self.with_siamese and inference_weights == 'own':
            # W_G: the inference branch's own global weights, initialised
            # as mmdet initialises a classifier (fc_cls).
            self.fc_inference = nn.Linear(
                self.cls_last_dim, self.num_classes + 1, bias=False
            )
            if init_cfg is None:
                self.init_cfg += [
                    dict(
                        type='Normal',
                        std=0.01,
                        override=dict(name='fc_inference'),
                    )
                ]
        self.with_polarity = with_polarity
        if with_polarity:
            self.fc_polarity = nn.Linear(self.cls_last_dim, 1)
            self.loss_polarity = MODELS.build(loss_polarity)

    @property
    def scale(self) -> float:
        """The cosine scale ``s`` of the margin branch."""
        return float(getattr(self.loss_margin, 'scale', 64.0))

    @property
    def inference_scale(self) -> Union[Tensor, float]:
        """The factor ``t`` on the inference branch's logits: a learnt
        scalar with ``learn_inference_scale``, else the fixed value."""
        if hasattr(self, 'inference_log_scale'):
            return self.inference_log_scale.exp()
        return self.fixed_inference_scale

    def center_scores(self, cos_score: Tensor) -> Tensor:
        """Margin-branch scores that rank local-centre candidates.

        Args:
            cos_score (Tensor): Shape (num_rois, num_classes + 1).

        Returns:
            Tensor: Cosines or ``softmax(s * cos)``, same shape.
        """
        if self.center_score == 'cos':
            return cos_score
        return F.softmax(self.scale * cos_score, dim=1)

    def in_center_warmup(self) -> bool:
        """Whether local centres are held off: in training, before
        iteration ``center_warmup_iters`` of the Runner (mmengine's
        ``MessageHub`` ``'iter'``, as mmdet's BoxInst warms up its
        pairwise loss). Never at test time, nor outside a Runner."""
        if not self.training or self.center_warmup_iters <= 0:
            return False
        hub = MessageHub.get_current_instance()
        it = hub.get_info('iter')
        return it is not None and it < self.center_warmup_iters

    def forward(
        self, x: Tensor, img_inds: Optional[Tensor] = None
    ) -> Tuple[Tensor, ...]:
        """Forward RoI features.

        Args:
            x (Tensor): RoI features, shape (num_rois, in_channels, 7, 7).
            img_inds (Tensor, optional): Image index of each RoI
                (``rois[:, 0]``), shape (num_rois, ). None treats all RoIs
                as one image.

        Returns:
            tuple[Tensor, Tensor, dict]:

            - cls_score (Tensor): Inference-branch logits (or ``s * cos``
              without the siamese branch), shape
              (num_rois, num_classes + 1).
            - bbox_pred (Tensor | None): Box deltas, shape
              (num_rois, num_classes * 4); None with ``with_reg=False``.
            - head_outs (dict): ``cos_score`` (num_rois, num_classes + 1),
              the margin branch's cosines, ``cls_feat``
              (num_rois, fc_out_channels), the classification feature,
              with the siamese branch ``center_inds`` and
              ``best_scores`` (num_imgs, num_classes + 1) from
              :meth:`local_class_weights`, and with polarity
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
        # Divide after the product: no normalised copy of x_cls is kept.
        norms = x_cls.norm(dim=1, keepdim=True).clamp(min=1e-12)
        cos_score = F.linear(x_cls, F.normalize(self.fc_cls.weight, dim=1))
        cos_score = cos_score / norms
        head_outs = dict(cos_score=cos_score, cls_feat=x_cls)
        if self.with_siamese:
            cls_score, center_inds, best_scores = self.siamese_forward(
                x_cls, cos_score, img_inds
            )
            head_outs.update(center_inds=center_inds, best_scores=best_scores)
        else:
            cls_score = self.scale * cos_score
        if self.with_polarity:
            head_outs['polarity_pred'] = self.fc_polarity(x_cls).squeeze(1)
        return cls_score, bbox_pred, head_outs

    def local_class_weights(
        self,
        cls_feat: Tensor,
        cos_score: Tensor,
        img_inds: Optional[Tensor] = None,
        candidate_mask: Optional[Tensor] = None,
    ) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
        """The inference branch's class weights ``W_I`` of every image.

        Args:
            cls_feat (Tensor): Classification features, shape
                (num_rois, fc_out_channels).
            cos_score (Tensor): Margin-branch cosines, shape
                (num_rois, num_classes + 1).
            img_inds (Tensor, optional): Image index of each RoI, shape
                (num_rois, ).
            candidate_mask (Tensor, optional): Bool, shape (num_rois, ):
                RoIs that may become centres; None allows all.

        Returns:
            tuple[Tensor, Tensor, Tensor, Tensor]:

            - weights (Tensor): Shape (num_imgs, num_classes + 1,
              fc_out_channels), unit-norm rows.
            - rows (Tensor): Long, shape (num_rois, ): each RoI's image
              row in ``weights``.
            - center_inds (Tensor): Long, shape (num_imgs,
              num_classes + 1): the RoI used as local centre, -1 where the
              global weight is used.
            - best_scores (Tensor): Shape (num_imgs, num_classes + 1), the
              best margin-branch score of each class in each image.
        """
        rows, best_inds, best_scores = top_proposal_per_class(
            self.center_scores(cos_score), img_inds, candidate_mask
        )
        use_local = best_scores > self.delta
        if self.in_center_warmup():
            use_local[:] = False
        if not self.background_center:
            use_local[:, self.num_classes] = False
        centers = F.normalize(cls_feat[best_inds.clamp(min=0)], dim=-1)
        if self.detach_centers:
            centers = centers.detach()
        if hasattr(self, 'fc_inference'):
            # A centre takes the direction of its proposal and the length
            # of the class's own global weight.
            global_weights = self.fc_inference.weight
            centers = centers * global_weights.norm(dim=1)[None, :, None]
        else:
            global_weights = F.normalize(self.fc_cls.weight, dim=1)
        weights = torch.where(
            use_local[..., None], centers, global_weights[None]
        )
        center_inds = best_inds.masked_fill(~use_local, -1)
        return weights, rows, center_inds, best_scores

    def siamese_forward(
        self,
        cls_feat: Tensor,
        cos_score: Tensor,
        img_inds: Optional[Tensor] = None,
        candidate_mask: Optional[Tensor] = None,
    ) -> Tuple[Tensor, Tensor, Tensor]:
        """Logits of the siamese inference branch (paper Eq. 2), and the
        centres it used.

        Args:
            cls_feat (Tensor): Classification features ``x``, shape
                (num_rois, fc_out_channels).
            cos_score (Tensor): Margin-branch cosines, shape
                (num_rois, num_classes + 1).
            img_inds (Tensor, optional): Image index of each RoI, shape
                (num_rois, ).
            candidate_mask (Tensor, optional): Bool, shape (num_rois, ):
                RoIs that may become local centres.

        Returns:
            tuple[Tensor, Tensor, Tensor]: the logits (num_rois,
            num_classes + 1); ``center_inds`` and ``best_scores``
            (num_imgs, num_classes + 1) as :meth:`local_class_weights`
            returns them (empty with no RoIs).
        """
        num_rois, width = cos_score.shape
        if num_rois == 0:
            none = cos_score.new_zeros((0, width))
            return (
                (cos_score * 0 + self.inference_bias) * self.inference_scale,
                none.long(),
                none,
            )
        weights, rows, center_inds, best_scores = self.local_class_weights(
            cls_feat, cos_score, img_inds, candidate_mask
        )
        num_imgs = weights.size(0)
        # Score every RoI against every image's weights (num_imgs is the
        # batch size, 1-2), then keep its own image's block.
        all_logits = cls_feat @ weights.reshape(-1, weights.size(-1)).t()
        all_logits = all_logits.view(num_rois, num_imgs, width)
        logits = all_logits[torch.arange(num_rois, device=rows.device), rows]
        logits = (logits + self.inference_bias) * self.inference_scale
        return logits, center_inds, best_scores

    def loss_and_target(
        self,
        cls_score: Tensor,
        bbox_pred: Tensor,
        rois: Tensor,
        sampling_results: List[SamplingResult],
        rcnn_train_cfg: ConfigDict,
        concat: bool = True,
        reduction_override: Optional[str] = None,
        cos_score: Optional[Tensor] = None,
        cls_feat: Optional[Tensor] = None,
        center_inds: Optional[Tensor] = None,
        best_scores: Optional[Tensor] = None,
        polarity_pred: Optional[Tensor] = None,
    ) -> dict:
        """Targets and losses; see :meth:`BBoxHead.loss_and_target`.

        Args:
            cls_score (Tensor): Shape (num_rois, num_classes + 1).
            bbox_pred (Tensor): Shape (num_rois, num_classes * 4).
            rois (Tensor): Shape (num_rois, 5), image index first.
            sampling_results (list[SamplingResult]): Sampled RoIs.
            rcnn_train_cfg (ConfigDict): ``train_cfg`` of the R-CNN.
            concat (bool): Concatenate the targets of all images.
            reduction_override (str, optional): Loss reduction override.
            cos_score (Tensor): Margin-branch cosines from ``forward``,
                shape (num_rois, num_classes + 1).
            cls_feat (Tensor): Classification features from ``forward``,
                shape (num_rois, fc_out_channels).
            center_inds (Tensor, optional): Local centres from
                ``forward``, shape (num_imgs, num_classes + 1).
            best_scores (Tensor, optional): Their scores, same shape.
            polarity_pred (Tensor, optional): Polarity logits from
                ``forward``, shape (num_rois, ); its targets are the
                ``pos_gt_polarity`` (num_pos, ) that
                :class:`DeepAccRoIHead` sets on each sampling result.

        Returns:
            dict: ``loss_bbox`` (the dict of losses) and ``bbox_targets``.
        """
        cls_reg_targets = self.get_targets(
            sampling_results, rcnn_train_cfg, concat=concat
        )
        polarity_targets = None
        if polarity_pred is not None:
            polarity_targets = self.polarity_targets(sampling_results)
        losses = self.loss(
            cls_score,
            bbox_pred,
            rois,
            *cls_reg_targets,
            reduction_override=reduction_override,
            cos_score=cos_score,
            cls_feat=cls_feat,
            center_inds=center_inds,
            best_scores=best_scores,
            polarity_pred=polarity_pred,
            polarity_targets=polarity_targets,
        )
        return dict(loss_bbox=losses, bbox_targets=cls_reg_targets)

    @staticmethod
    def polarity_targets(sampling_results: List[SamplingResult]) -> Tensor:
        """Polarity target of every sampled RoI, in ``rois`` order.

        Args:
            sampling_results (list[SamplingResult]): Sampled RoIs; each
                may carry ``pos_gt_polarity`` (num_pos, ), the polarity of
                the chromosome each positive is assigned to.

        Returns:
            Tensor: Long, shape (num_rois, ): 1 (p-arm up), 0 (down) or
            -1 (unknown: negatives, and positives without
            ``pos_gt_polarity``).
        """
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
        bbox_pred: Tensor,
        rois: Tensor,
        labels: Tensor,
        label_weights: Tensor,
        bbox_targets: Tensor,
        bbox_weights: Tensor,
        reduction_override: Optional[str] = None,
        cos_score: Optional[Tensor] = None,
        cls_feat: Optional[Tensor] = None,
        center_inds: Optional[Tensor] = None,
        best_scores: Optional[Tensor] = None,
        polarity_pred: Optional[Tensor] = None,
        polarity_targets: Optional[Tensor] = None,
    ) -> dict:
        """All losses of the head.

        Args:
            cls_score (Tensor): Shape (num_rois, num_classes + 1).
            bbox_pred (Tensor): Shape (num_rois, num_classes * 4).
            rois (Tensor): Shape (num_rois, 5), image index first.
            labels (Tensor): Shape (num_rois, ); ``num_classes`` is the
                background.
            label_weights (Tensor): Shape (num_rois, ).
            bbox_targets (Tensor): Shape (num_rois, 4).
            bbox_weights (Tensor): Shape (num_rois, 4).
            reduction_override (str, optional): Loss reduction override.
            cos_score (Tensor): Margin-branch cosines, shape
                (num_rois, num_classes + 1).
            cls_feat (Tensor): Classification features, shape
                (num_rois, fc_out_channels).
            center_inds (Tensor, optional): Local centres used by
                ``cls_score``, shape (num_imgs, num_classes + 1).
            best_scores (Tensor, optional): Their margin-branch scores,
                same shape.
            polarity_pred (Tensor, optional): P-arm-up logits, shape
                (num_rois, ).
            polarity_targets (Tensor, optional): Long, shape
                (num_rois, ): 1 up, 0 down, -1 unknown (not trained on).

        Returns:
            dict[str, Tensor]: ``loss_cls`` (inference branch, only with
            the siamese branch), ``loss_bbox``, ``loss_aam``, ``loss_gia``
            (when enabled), ``loss_polarity`` (with polarity); log-only
            ``acc`` (final classifier), ``acc_margin`` (margin branch,
            with the siamese branch), ``acc_polarity``, the
            local-centre statistics of :meth:`center_stats` and, when it
            is learnt, ``inference_scale``.
        """
        if cos_score is None or cls_feat is None:
            raise ValueError(
                'DeepAccBBoxHead.loss needs cos_score and cls_feat from '
                'its forward; use it inside DeepAccRoIHead'
            )
        img_inds = rois[:, 0]
        foreground = (labels >= 0) & (labels < self.num_classes)
        candidates = None
        if self.train_centers == 'positive':
            candidates = foreground
            if self.with_siamese:
                cls_score, center_inds, best_scores = self.siamese_forward(
                    cls_feat, cos_score, img_inds, candidates
                )
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
        avg_factor = max(float((label_weights > 0).sum()), 1.0)
        losses['loss_aam'] = self.loss_margin(
            cos_score,
            labels,
            label_weights,
            avg_factor=avg_factor,
            reduction_override=reduction_override,
            margin_mask=None if self.margin_on_background else foreground,
        )
        if self.loss_gia is not None:
            prob = F.softmax(self.scale * cos_score, dim=1)
            losses['loss_gia'] = self.loss_gia(
                prob,
                labels,
                img_inds,
                candidate_mask=candidates,
                center_scores=self.center_scores(cos_score),
                reduction_override=reduction_override,
            )
        if cos_score.numel() > 0:
            margin_acc = accuracy(cos_score, labels)
            if self.with_siamese:
                losses['acc_margin'] = margin_acc
            else:
                losses['acc'] = margin_acc
            if center_inds is not None and best_scores is not None:
                losses.update(
                    self.center_stats(
                        labels, img_inds, center_inds, best_scores
                    )
                )
        if hasattr(self, 'inference_log_scale'):
            losses['inference_scale'] = self.inference_scale.detach()
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
        """Polarity loss over the RoIs with a known polarity.

        Args:
            polarity_pred (Tensor): Logits, shape (num_rois, ).
            polarity_targets (Tensor, optional): Long, shape (num_rois, ),
                -1 where unknown; None: all unknown.

        Returns:
            dict[str, Tensor]: ``loss_polarity`` (0 with no known
            target) and log-only ``acc_polarity`` (percent; 100 with no
            known target).
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
        pred = polarity_pred[known]
        target = polarity_targets[known]
        loss = self.loss_polarity(
            pred,
            target.float(),
            avg_factor=num_known,
            reduction_override=reduction_override,
        )
        with torch.no_grad():
            acc = ((pred > 0).long() == target).float().mean() * 100
        return dict(loss_polarity=loss, acc_polarity=acc)

    def center_stats(
        self,
        labels: Tensor,
        img_inds: Tensor,
        center_inds: Tensor,
        best_scores: Tensor,
    ) -> dict:
        """How the local centres are doing, for the training log.

        Over the (image, class) pairs whose class has a positive RoI among
        the image's sampled RoIs ("present classes"):

        - ``center_frac``: fraction that used a local centre (the rest
          fell back to the global weight ``W_M,j``);
        - ``center_score``: mean best margin-branch score (the value
          compared with ``delta``);
        - ``center_acc``: fraction of the used centres whose RoI is a
          chromosome of that class (1 when none is used).

        Args:
            labels (Tensor): RoI labels, shape (num_rois, ).
            img_inds (Tensor): Image index of each RoI, shape (num_rois, ).
            center_inds (Tensor): Shape (num_imgs, num_classes + 1), -1
                where the global weight is used.
            best_scores (Tensor): Shape (num_imgs, num_classes + 1).

        Returns:
            dict[str, Tensor]: The three values (no ``loss`` in the keys:
            logged, not optimised).
        """
        with torch.no_grad():
            _, rows = torch.unique(img_inds.long(), return_inverse=True)
            num_imgs = center_inds.size(0)
            present = labels.new_zeros(
                (num_imgs, self.num_classes + 1), dtype=torch.bool
            )
            fg = (labels >= 0) & (labels < self.num_classes)
            present[rows[fg], labels[fg]] = True
            used = (center_inds >= 0) & present
            center_labels = labels[center_inds.clamp(min=0)]
            class_ids = torch.arange(
                self.num_classes + 1, device=labels.device
            )
            right = used & (center_labels == class_ids[None])
            num_present = present.sum().clamp(min=1).float()
            scores = best_scores.detach().masked_fill(~present, 0)
            return dict(
                center_frac=used.sum() / num_present,
                center_score=scores.sum() / num_present,
                center_acc=(
                    right.sum() / used.sum()
                    if used.any()
                    else best_scores.new_tensor(1.0)
                ),
            )
