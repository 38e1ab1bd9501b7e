"""Cosine classifier with per-image local class centres (DeepACC)."""

from typing import Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmdet.registry import MODELS
from torch import Tensor

from ..utils import top_proposal_per_class


@MODELS.register_module()
class LocalCenterClassifier(nn.Linear):
    r"""Cosine class weights ``W_M`` and the siamese inference logits of
    DeepACC (Luo et al., MICCAI 2021, Eq. 1-2).

    .. code-block:: none

        x -> cos(x, W_M)                   margin branch (cos_score)
          -> x . W_I + b                   inference branch (cls_score)
             W_I,j = x_c / |x_c|           if p_c,j > delta (local centre)
                     W_M,j / |W_M,j|       otherwise (global weight)

    For each image and class ``j``, ``c`` is the proposal whose
    probability ``p = softmax(scale * cos)`` for ``j`` is highest; it
    becomes the local centre when that probability exceeds ``delta``. The
    last class (the background) always keeps its global weight. The
    feature ``x`` of the logits is not normalised and ``b`` starts at 0.
    Without the inference branch the logits are ``scale * cos``.

    A bbox head builds it as ``fc_cls`` through ``cls_predictor_cfg``, as
    mmdet's ``NormedLinear``, so ``W_M`` is ``fc_cls.weight``.

    Args:
        in_features (int): Width of the feature ``x``.
        out_features (int): Classes, background last.
        scale (float): The cosine scale ``s`` (the margin loss's).
            Defaults to 64.
        delta (float): Local-centre threshold on ``p``. Defaults to 0.5.
        detach_centers (bool): Stop gradients through the local centres.
            Defaults to True.
        with_siamese (bool): Add the inference branch and its bias.
            Defaults to True.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        scale: float = 64.0,
        delta: float = 0.5,
        detach_centers: bool = True,
        with_siamese: bool = True,
    ) -> None:
        super().__init__(in_features, out_features, bias=False)
        self.scale = float(scale)
        self.delta = delta
        self.detach_centers = detach_centers
        self.with_siamese = with_siamese
        if with_siamese:
            self.bias = nn.Parameter(torch.zeros(out_features))

    def extra_repr(self) -> str:
        return (
            f'{super().extra_repr()}, scale={self.scale}, '
            f'delta={self.delta}, with_siamese={self.with_siamese}'
        )

    def cosine(self, x: Tensor) -> Tensor:
        """Cosine of every feature with every class weight ``W_M``.

        Args:
            x (Tensor): Features, shape (num_rois, in_features).

        Returns:
            Tensor: Shape (num_rois, out_features).
        """
        # Divide after the product: no normalised copy of x is kept.
        norms = x.norm(dim=1, keepdim=True).clamp(min=1e-12)
        return F.linear(x, F.normalize(self.weight, dim=1)) / norms

    def center_scores(self, cos_score: Tensor) -> Tensor:
        """The probabilities ``softmax(scale * cos)`` that pick centres.

        Args:
            cos_score (Tensor): Shape (num_rois, out_features).

        Returns:
            Tensor: Same shape.
        """
        return F.softmax(self.scale * cos_score, dim=1)

    def local_weights(
        self,
        x: Tensor,
        scores: Tensor,
        img_inds: Optional[Tensor] = None,
        use_centers: bool = True,
    ) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
        """The class weights ``W_I`` of every image.

        Args:
            x (Tensor): Features, shape (num_rois, in_features).
            scores (Tensor): Centre scores (:meth:`center_scores`), shape
                (num_rois, out_features).
            img_inds (Tensor, optional): Image index of each RoI, shape
                (num_rois, ); None treats all RoIs as one image.
            use_centers (bool): False uses the global weights only.

        Returns:
            tuple[Tensor, Tensor, Tensor, Tensor]:

            - weights (Tensor): Unit-norm rows, shape
              (num_imgs, out_features, in_features).
            - rows (Tensor): Long, shape (num_rois, ): each RoI's image
              row in ``weights``.
            - center_inds (Tensor): Long, shape (num_imgs, out_features):
              the RoI used as local centre, -1 for the global weight.
            - best_scores (Tensor): Shape (num_imgs, out_features): the
              best score of each class in each image.
        """
        rows, best_inds, best_scores = top_proposal_per_class(scores, img_inds)
        use_local = best_scores > self.delta
        if not use_centers:
            use_local[:] = False
        use_local[:, -1] = False
        centers = F.normalize(x[best_inds.clamp(min=0)], dim=-1)
        if self.detach_centers:
            centers = centers.detach()
        global_weights = F.normalize(self.weight, dim=1)
        weights = torch.where(
            use_local[..., None], centers, global_weights[None]
        )
        center_inds = best_inds.masked_fill(~use_local, -1)
        return weights, rows, center_inds, best_scores

    def siamese_logits(
        self,
        x: Tensor,
        scores: Tensor,
        img_inds: Optional[Tensor] = None,
        use_centers: bool = True,
    ) -> Tuple[Tensor, Tensor, Tensor]:
        """Logits ``x . W_I + b`` of the inference branch (paper Eq. 2).

        Args:
            x (Tensor): Features, shape (num_rois, in_features).
            scores (Tensor): Centre scores, shape (num_rois, out_features).
            img_inds (Tensor, optional): Image index of each RoI, shape
                (num_rois, ).
            use_centers (bool): False uses the global weights only.

        Returns:
            tuple[Tensor, Tensor, Tensor]: The logits, shape
            (num_rois, out_features), and ``center_inds`` and
            ``best_scores`` as :meth:`local_weights` returns them (empty
            with no RoIs).
        """
        num_rois, width = scores.shape
        if num_rois == 0:
            none = scores.new_zeros((0, width))
            return scores * 0 + self.bias, none.long(), none
        weights, rows, center_inds, best_scores = self.local_weights(
            x, scores, img_inds, use_centers
        )
        num_imgs = weights.size(0)
        # Score every RoI against every image's weights (num_imgs is the
        # batch size, 1-2), then keep its own image's block.
        all_logits = x @ weights.reshape(-1, weights.size(-1)).t()
        all_logits = all_logits.view(num_rois, num_imgs, width)
        logits = all_logits[torch.arange(num_rois, device=rows.device), rows]
        return logits + self.bias, center_inds, best_scores

    def forward(
        self,
        x: Tensor,
        img_inds: Optional[Tensor] = None,
        use_centers: bool = True,
    ) -> Tuple[Tensor, dict]:
        """Logits of both branches.

        Args:
            x (Tensor): Features, shape (num_rois, in_features).
            img_inds (Tensor, optional): Image index of each RoI, shape
                (num_rois, ); None treats all RoIs as one image.
            use_centers (bool): False uses the global weights only (e.g.
                during a warm-up).

        Returns:
            tuple[Tensor, dict]: The logits ``cls_score`` (inference
            branch, or ``scale * cos`` without it), shape
            (num_rois, out_features), and a dict with ``cos_score`` (same
            shape) and, with the inference branch, ``center_inds`` and
            ``best_scores`` (num_imgs, out_features).
        """
        cos_score = self.cosine(x)
        outs = dict(cos_score=cos_score)
        if not self.with_siamese:
            return self.scale * cos_score, outs
        logits, center_inds, best_scores = self.siamese_logits(
            x, self.center_scores(cos_score), img_inds, use_centers
        )
        outs.update(center_inds=center_inds, best_scores=best_scores)
        return logits, outs
