"""Anchor-to-box IoU that computes only the pairs that intersect.

mmdet's ``BboxOverlaps2D`` builds the whole (boxes x anchors) IoU matrix
with broadcast tensors: for a 640x480 image with five anchor shapes per
location on P2-P6 that is ~128k anchors x ~46 chromosomes, about ten
passes over 6M-element temporaries per image for the RPN's assigner,
where only ~2% of the pairs overlap at all. On a CPU that was ~9% of a
training step of the CPU recipes (``benchmarks/step_profile.py``).
"""

from mmdet.models.task_modules import BboxOverlaps2D
from mmdet.registry import TASK_UTILS
from mmdet.structures.bbox import bbox_overlaps, get_box_tensor


@TASK_UTILS.register_module()
class SparseBboxOverlaps2D(BboxOverlaps2D):
    """``BboxOverlaps2D`` that computes IoU only where boxes intersect.

    For each box of ``bboxes1`` (the ground truth in ``MaxIoUAssigner``,
    a few dozen chromosomes) it selects the boxes of ``bboxes2`` (the
    anchors) whose interiors intersect it and computes mmdet's
    ``bbox_overlaps`` for those pairs only; every other entry is 0, which
    is what the dense formula gives for boxes that do not intersect (their
    intersection is clamped to 0). The matrix is therefore the same,
    element for element, as ``BboxOverlaps2D``'s, so the assigner's
    choices do not change; use it as an assigner's ``iou_calculator``::

        rpn=dict(assigner=dict(
            iou_calculator=dict(type='SparseBboxOverlaps2D')))

    Other modes (``iof``, ``giou``: non-overlapping pairs are not 0 in
    GIoU), aligned pairs, batched boxes and ``dtype='fp16'`` go to
    ``BboxOverlaps2D`` unchanged.
    """

    def __call__(self, bboxes1, bboxes2, mode='iou', is_aligned=False):
        boxes = get_box_tensor(bboxes1)
        priors = get_box_tensor(bboxes2)
        if (
            mode != 'iou'
            or is_aligned
            or self.dtype == 'fp16'
            or boxes.dim() != 2
            or priors.dim() != 2
        ):
            return super().__call__(bboxes1, bboxes2, mode, is_aligned)
        boxes = boxes[:, :4]
        priors = priors[:, :4]
        overlaps = priors.new_zeros(boxes.size(0), priors.size(0))
        for row, box in enumerate(boxes):
            hit = (
                (priors[:, 0] < box[2])
                & (priors[:, 2] > box[0])
                & (priors[:, 1] < box[3])
                & (priors[:, 3] > box[1])
            )
            hit = hit.nonzero(as_tuple=True)[0]
            if hit.numel():
                overlaps[row, hit] = bbox_overlaps(
                    box.expand(hit.numel(), 4), priors[hit], is_aligned=True
                )
        return overlaps
