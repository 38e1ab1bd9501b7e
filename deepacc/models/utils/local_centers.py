"""Per-image most confident proposal of every class.

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
