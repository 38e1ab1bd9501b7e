"""Group Inner-Adjacency loss (DeepACC, MICCAI 2021, Eq. 3)."""

from typing import Optional, Sequence

import torch
import torch.nn as nn
from mmdet.models.losses.utils import weight_reduce_loss
from mmdet.registry import MODELS
from torch import Tensor

from deepacc.chromosomes import CLASSES, DENVER_GROUPS

from ..utils import top_proposal_per_class

# Denver groups as lists of label indices, in the canonical order.
DENVER_LABEL_GROUPS = tuple(
    tuple(CLASSES.index(name) for name in members)
    for members in DENVER_GROUPS.values()
)


def adjacency_matrix(
    groups: Sequence[Sequence[int]], num_classes: int
) -> Tensor:
    """Bool matrix of the forbidden pairs: same group, different class.

    Args:
        groups (Sequence[Sequence[int]]): Label indices of each group.
        num_classes (int): Width of the probability vectors (background
            included if present); labels outside every group (e.g. the
            background) have no adjacent class.

    Returns:
        Tensor: Bool, shape (num_classes, num_classes).
    """
    adjacent = torch.zeros(num_classes, num_classes, dtype=torch.bool)
    for group in groups:
        for a in group:
            for b in group:
                if a != b:
                    if not (0 <= a < num_classes and 0 <= b < num_classes):
                        raise ValueError(
                            f'GroupInnerAdjacencyLoss: group {tuple(group)} '
                            f'names label {max(a, b)}, but the scores have '
                            f'only {num_classes} columns'
                        )
                    adjacent[a, b] = True
    return adjacent


def group_inner_adjacency(
    prob: Tensor,
    label: Tensor,
    adjacent: Tensor,
    img_inds: Optional[Tensor] = None,
    candidate_mask: Optional[Tensor] = None,
    center_thr: float = 0.5,
    center_scores: Optional[Tensor] = None,
) -> Tensor:
    """Per-proposal Group Inner-Adjacency loss, before reduction.

    For proposal ``i`` with label ``y``: the sum over classes ``j`` adjacent
    to ``y`` (same group, ``j != y``) of ``M(x_i) . M_j``, where ``M_j`` is
    the probability vector of the image's most confident proposal for
    ``j`` (by ``center_scores``, default ``prob``). A ``j`` whose best
    proposal scores ``<= center_thr`` for ``j``, or whose best proposal is
    ``i`` itself, is skipped (see :class:`GroupInnerAdjacencyLoss`).

    Args:
        prob (Tensor): Probability vectors, shape (num_rois, num_classes).
        label (Tensor): Labels, shape (num_rois, ), long. Labels without
            adjacent classes (background) give 0.
        adjacent (Tensor): Bool, shape (num_classes, num_classes).
        img_inds (Tensor, optional): Image index of each RoI, shape
            (num_rois, ); None means one image.
        candidate_mask (Tensor, optional): Bool, shape (num_rois, ): RoIs
            that may serve as ``M_j``.
        center_thr (float): Minimum score for class ``j`` of ``M_j``.
        center_scores (Tensor, optional): Scores that pick ``M_j`` and are
            compared with ``center_thr``, shape (num_rois, num_classes);
            defaults to ``prob``.

    Returns:
        Tensor: Shape (num_rois, ).
    """
    rows, best_inds, best_scores = top_proposal_per_class(
        prob if center_scores is None else center_scores,
        img_inds,
        candidate_mask,
    )
    num_rois = prob.size(0)
    # (num_imgs, C, C): the probability vector of each class's centre.
    centers = prob[best_inds.clamp(min=0)]
    # dots[i, j] = M(x_i) . M_j, with M_j taken from i's image.
    dots = torch.einsum('nc,njc->nj', prob, centers[rows])
    label = label.long()
    in_range = (label >= 0) & (label < adjacent.size(0))
    pair = adjacent.to(prob.device)[label.clamp(0, adjacent.size(0) - 1)]
    pair &= in_range[:, None]
    pair &= (best_scores > center_thr)[rows]
    arange = torch.arange(num_rois, device=prob.device)
    pair &= best_inds[rows] != arange[:, None]
    return (dots * pair).sum(dim=1)


@MODELS.register_module()
class GroupInnerAdjacencyLoss(nn.Module):
    """Group Inner-Adjacency loss: keep same-group classes apart.

    ``L = 1 / N+ * sum_i sum_{j adjacent to y_i} M(x_i) . M_j(x)``: for each
    positive proposal, the dot product of its probability vector with that
    of the image's most confident proposal of every other class of its
    Denver group. It is 0 when those vectors are orthogonal.

    Choices the paper leaves open:

    - ``center_thr`` (default 0.5): ``M_j`` counts only when that proposal
      scores more than this for ``j`` (by ``center_scores``, by default
      ``prob``: :class:`DeepAccBBoxHead` passes the margin branch's
      probabilities, by which it also picks its local centres, so the
      same proposals serve as local centres and as ``M_j``). When ``j`` is
      absent from the image, its "most confident" proposal is usually a
      chromosome of another class of the group, often of ``y_i`` itself;
      penalising the dot product with it would push down ``p_i[y_i]``, the
      opposite of the aim. A confident ``M_j`` makes the dot product
      mostly ``p_i[j]``, which is what the loss is meant to suppress. A
      threshold below every score uses the top proposal unconditionally.
    - A proposal is never its own ``M_j``: ``p . p`` rewards flat
      distributions rather than separating classes.
    - Gradients reach both ``M(x_i)`` and ``M_j``.

    Args:
        groups (Sequence[Sequence[int]], optional): Label indices of each
            group; defaults to the Denver groups of
            :mod:`deepacc.chromosomes` (24 classes).
        center_thr (float): See above. Defaults to 0.5.
        reduction (str): 'none', 'mean' or 'sum'. The mean is over
            positive proposals (labels inside some group).
        loss_weight (float): Defaults to 0.1 (the paper's gamma).
    """

    def __init__(
        self,
        groups: Optional[Sequence[Sequence[int]]] = None,
        center_thr: float = 0.5,
        reduction: str = 'mean',
        loss_weight: float = 0.1,
    ) -> None:
        super().__init__()
        self.groups = tuple(
            tuple(int(c) for c in g)
            for g in (groups if groups is not None else DENVER_LABEL_GROUPS)
        )
        self.center_thr = center_thr
        self.reduction = reduction
        self.loss_weight = loss_weight
        self._adjacent = {}

    def adjacency(self, num_classes: int) -> Tensor:
        """Cached :func:`adjacency_matrix` for ``num_classes`` columns."""
        if num_classes not in self._adjacent:
            self._adjacent[num_classes] = adjacency_matrix(
                self.groups, num_classes
            )
        return self._adjacent[num_classes]

    def forward(
        self,
        prob: Tensor,
        label: Tensor,
        img_inds: Optional[Tensor] = None,
        candidate_mask: Optional[Tensor] = None,
        center_scores: Optional[Tensor] = None,
        weight: Optional[Tensor] = None,
        avg_factor: Optional[float] = None,
        reduction_override: Optional[str] = None,
    ) -> Tensor:
        """Compute the loss.

        Args:
            prob (Tensor): Probability vectors (e.g. softmax of the margin
                branch), shape (num_rois, num_classes).
            label (Tensor): Labels, shape (num_rois, ), long.
            img_inds (Tensor, optional): Image index of each RoI, shape
                (num_rois, ); None means all RoIs are from one image.
            candidate_mask (Tensor, optional): Bool, shape (num_rois, ):
                RoIs allowed to be an ``M_j``.
            center_scores (Tensor, optional): Scores that pick each
                class's most confident proposal and are compared with
                ``center_thr`` (e.g. the margin branch's cosines), shape
                (num_rois, num_classes); defaults to ``prob``.
            weight (Tensor, optional): Per-RoI weight, shape (num_rois, ).
            avg_factor (float, optional): Defaults to the number of
                positive proposals.
            reduction_override (str, optional): Overrides ``reduction``.

        Returns:
            Tensor: The weighted loss.
        """
        assert reduction_override in (None, 'none', 'mean', 'sum')
        reduction = reduction_override or self.reduction
        if prob.numel() == 0:
            return prob.sum() * 0
        adjacent = self.adjacency(prob.size(1))
        loss = group_inner_adjacency(
            prob,
            label,
            adjacent,
            img_inds,
            candidate_mask,
            self.center_thr,
            center_scores,
        )
        if avg_factor is None and reduction == 'mean':
            label = label.long()
            grouped = adjacent.any(dim=1).to(prob.device)
            in_range = (label >= 0) & (label < adjacent.size(0))
            positive = in_range & grouped[label.clamp(0, len(grouped) - 1)]
            avg_factor = max(float(positive.sum()), 1.0)
        if weight is not None:
            weight = weight.float()
        loss = weight_reduce_loss(loss, weight, reduction, avg_factor)
        return self.loss_weight * loss
