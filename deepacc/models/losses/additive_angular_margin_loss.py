"""Additive Angular Margin (ArcFace) loss, Deng et al., CVPR 2019."""

import math
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmdet.models.losses.utils import weight_reduce_loss
from mmdet.registry import MODELS
from torch import Tensor


def aam_logits(
    cosine: Tensor,
    label: Tensor,
    scale: float = 64.0,
    margin: float = 0.25,
    margin_mask: Optional[Tensor] = None,
    eps: float = 1e-6,
) -> Tensor:
    """Logits of the Additive Angular Margin loss.

    The target class gets ``s * cos(theta + m)``, every other class
    ``s * cos(theta)``. ``cos`` is clamped to ``[-1 + eps, 1 - eps]``
    before ``acos``: near-duplicate proposals give ``cos = 1`` exactly,
    where ``acos`` has an infinite derivative. Where ``theta + m`` would
    pass pi, ``cos(theta + m)`` stops decreasing in ``theta``; there the
    target logit is ``cos(theta) - m * sin(m)`` instead (the usual ArcFace
    fix), so the loss keeps pushing towards the class.

    Args:
        cosine (Tensor): Cosine between each normalised feature and each
            normalised class weight, shape (num_samples, num_classes).
        label (Tensor): Target class of each sample, shape
            (num_samples, ), long.
        scale (float): The scale ``s``.
        margin (float): The additive angular margin ``m`` in radians.
        margin_mask (Tensor, optional): Bool, shape (num_samples, ): which
            samples get the margin; None means all.
        eps (float): The clamp before ``acos``.

    Returns:
        Tensor: Logits, shape (num_samples, num_classes).
    """
    target = cosine.gather(1, label[:, None].long())
    if margin != 0:
        cos_t = target.clamp(-1.0 + eps, 1.0 - eps)
        theta = torch.acos(cos_t)
        with_margin = torch.where(
            theta + margin <= math.pi,
            torch.cos(theta + margin),
            cos_t - margin * math.sin(margin),
        )
        if margin_mask is not None:
            with_margin = torch.where(
                margin_mask.bool()[:, None], with_margin, target
            )
        logits = cosine.scatter(1, label[:, None].long(), with_margin)
    else:
        logits = cosine
    return scale * logits


@MODELS.register_module()
class AdditiveAngularMarginLoss(nn.Module):
    """Additive Angular Margin loss over cosine similarities.

    The input is the output of a bias-free cosine classifier (normalised
    features times normalised class weights), not raw logits. With
    ``margin=0`` this is the normalised softmax (NormFace) loss.

    Args:
        scale (float): The scale ``s``. Defaults to 64 (DeepACC).
        margin (float): The angular margin ``m`` in radians. Defaults to
            0.25 (DeepACC).
        eps (float): Clamp of the target cosine before ``acos``.
        reduction (str): 'none', 'mean' or 'sum'.
        loss_weight (float): Weight of the loss. Defaults to 0.1 (the
            paper's alpha).
    """

    def __init__(
        self,
        scale: float = 64.0,
        margin: float = 0.25,
        eps: float = 1e-6,
        reduction: str = 'mean',
        loss_weight: float = 0.1,
    ) -> None:
        super().__init__()
        self.scale = scale
        self.margin = margin
        self.eps = eps
        self.reduction = reduction
        self.loss_weight = loss_weight

    def forward(
        self,
        cosine: Tensor,
        label: Tensor,
        weight: Optional[Tensor] = None,
        avg_factor: Optional[float] = None,
        reduction_override: Optional[str] = None,
        margin_mask: Optional[Tensor] = None,
    ) -> Tensor:
        """Compute the loss.

        Args:
            cosine (Tensor): Cosines, shape (num_samples, num_classes),
                values in [-1, 1].
            label (Tensor): Targets, shape (num_samples, ), long.
            weight (Tensor, optional): Per-sample weight, shape
                (num_samples, ).
            avg_factor (float, optional): Average factor of the mean.
            reduction_override (str, optional): Overrides ``reduction``.
            margin_mask (Tensor, optional): Bool, shape (num_samples, ):
                which samples get the margin; None means all.

        Returns:
            Tensor: The weighted loss.
        """
        assert reduction_override in (None, 'none', 'mean', 'sum')
        reduction = reduction_override or self.reduction
        if cosine.numel() == 0:
            return cosine.sum() * 0
        logits = aam_logits(
            cosine, label, self.scale, self.margin, margin_mask, self.eps
        )
        loss = F.cross_entropy(logits, label.long(), reduction='none')
        if weight is not None:
            weight = weight.float()
        loss = weight_reduce_loss(loss, weight, reduction, avg_factor)
        return self.loss_weight * loss
