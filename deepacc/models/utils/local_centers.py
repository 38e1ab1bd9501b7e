"""Per-image most confident proposal of every class, and how right it is.

Both the siamese inference branch (local class centres) and the Group
Inner-Adjacency loss need, for each image and each class, the proposal that
the margin branch scores highest for that class. RoIs of a batch are mixed
in one tensor; ``img_inds`` (``rois[:, 0]``) keeps the images apart.
"""

from typing import Optional, Tuple

import torch
from torch import Tensor


def top_proposal_per_class(
    scores: Tensor,
    img_inds: Optional[Tensor] = None,
    candidate_mask: Optional[Tensor] = None,
) -> Tuple[Tensor, Tensor, Tensor]:
    """Find each image's highest scoring proposal for every class.

    Args:
        scores (Tensor): Per-proposal class scores (probabilities or
            cosines), shape (num_rois, num_classes).
        img_inds (Tensor, optional): Image index of every RoI, shape
            (num_rois, ). None means all RoIs come from one image.
        candidate_mask (Tensor, optional): Bool, shape (num_rois, ); only
            RoIs where it is True may be chosen. None allows every RoI.

    Returns:
        tuple[Tensor, Tensor, Tensor]:

        - rows (Tensor): Long, shape (num_rois, ): the row of each RoI's
          image in the two tensors below (images in ascending index order).
        - best_inds (Tensor): Long, shape (num_imgs, num_classes): index
          into ``scores`` of the image's best proposal for each class, -1
          when the image has no candidate RoI.
        - best_scores (Tensor): Shape (num_imgs, num_classes): that
          proposal's score for the class, ``-inf`` when there is no
          candidate.
    """
    num_rois, num_classes = scores.shape
    if img_inds is None:
        img_inds = scores.new_zeros(num_rois, dtype=torch.long)
    img_ids, rows = torch.unique(img_inds.long(), return_inverse=True)
    num_imgs = img_ids.numel()
    best_inds = scores.new_full((num_imgs, num_classes), -1, dtype=torch.long)
    best_scores = scores.new_full((num_imgs, num_classes), float('-inf'))
    scores = scores.detach()
    if candidate_mask is not None:
        scores = scores.masked_fill(
            ~candidate_mask.bool()[:, None], float('-inf')
        )
    for row in range(num_imgs):
        in_img = torch.nonzero(rows == row, as_tuple=True)[0]
        img_best, local = scores[in_img].max(dim=0)
        has_candidate = torch.isfinite(img_best)
        best_inds[row] = torch.where(
            has_candidate, in_img[local], best_inds.new_tensor(-1)
        )
        best_scores[row] = img_best
    return rows, best_inds, best_scores


@torch.no_grad()
def center_stats(
    labels: Tensor, img_inds: Tensor, center_inds: Tensor, best_scores: Tensor
) -> dict:
    """How the local centres are doing, for the training log.

    Over the (image, class) pairs with a positive RoI of the class
    ("present classes"): ``center_frac``, the share that used a local
    centre; ``center_score``, the mean best centre score (the value
    compared with ``delta``); ``center_acc``, the share of the used
    centres whose RoI is of the class (1 when none is used).

    Args:
        labels (Tensor): RoI labels, shape (num_rois, ); the last class
            (``num_classes``) is the background.
        img_inds (Tensor): Image index of each RoI, shape (num_rois, ).
        center_inds (Tensor): Long, shape (num_imgs, num_classes + 1):
            the RoI used as local centre, -1 where the global weight is.
        best_scores (Tensor): Shape (num_imgs, num_classes + 1).

    Returns:
        dict[str, Tensor]: The three values (no ``loss`` in the keys:
        logged, not optimised).
    """
    _, rows = torch.unique(img_inds.long(), return_inverse=True)
    present = torch.zeros_like(center_inds, dtype=torch.bool)
    fg = (labels >= 0) & (labels < center_inds.size(1) - 1)
    present[rows[fg], labels[fg]] = True
    used = (center_inds >= 0) & present
    center_labels = labels[center_inds.clamp(min=0)]
    class_ids = torch.arange(center_inds.size(1), device=labels.device)
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
