"""The chromosome confusion matrix of calls, in numpy.

Rows are the true classes plus ``'spurious'`` (calls on no chromosome),
columns the called classes plus ``'missed'`` (chromosomes no call found);
the corner is always 0. It uses exactly the calls and matching of Acc/AER
(:func:`karyotype_errors`), so its diagonal sums to their TP count.
"""

from typing import Sequence

import numpy as np

from deepacc.chromosomes import CLASSES

# The matrix's display order and names live with its picture; exported
# here too, beside the matrix.
from deepacc.visualization.confusion_matrix import (  # noqa: F401
    MISSED,
    SPURIOUS,
    denver_order,
    reorder,
)

from .karyotype_errors import karyotype_errors


def confusion_matrix(
    preds: Sequence[dict],
    gts: Sequence[dict],
    num_classes: int = len(CLASSES),
    score_thr: float = 0.5,
    nms_iou: float = 0.7,
    iou_thr: float = 0.5,
) -> np.ndarray:
    """Confusion matrix of top-1 calls against ground truth.

    Args:
        preds (Sequence[dict]): Per-image top-1 detections (``img_id``,
            ``bboxes``, ``scores``, ``labels``).
        gts (Sequence[dict]): Per-image ground truth (``img_id``,
            ``bboxes``, ``labels``).
        num_classes (int): Number of classes.
        score_thr (float): Minimum score of a call.
        nms_iou (float): Class-agnostic NMS threshold between calls.
        iou_thr (float): Minimum IoU of a call/chromosome match.

    Returns:
        np.ndarray: (num_classes + 1, num_classes + 1) int64 counts, in
        canonical class order; the last row is 'spurious', the last column
        'missed'.
    """
    return karyotype_errors(
        preds, gts, num_classes, score_thr, nms_iou, iou_thr
    )['confusion']
