"""The chromosome confusion matrix of calls, in numpy.

Rows are the true classes plus ``'spurious'`` (calls on no chromosome),
columns the called classes plus ``'missed'`` (chromosomes no call found);
the corner is always 0. It uses exactly the calls and matching of Acc/AER
(:func:`karyotype_errors`), so its diagonal sums to their TP count.
"""

from typing import List, Sequence, Tuple

import numpy as np

from deepacc.chromosomes import CLASSES, DENVER_GROUPS

from .karyotype_errors import karyotype_errors

SPURIOUS = 'spurious'
MISSED = 'missed'


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


def denver_order() -> Tuple[List[int], List[Tuple[str, int, int]]]:
    """Class order grouped by Denver group (X in C, Y in G).

    Returns:
        tuple: ``order`` (24 label indices: 1-3, 4-5, 6-12, X, 13-15,
        16-18, 19-20, 21-22, Y) and ``spans``: ``(group, start, stop)``
        positions of each group in that order.
    """
    order, spans = [], []
    for group, members in DENVER_GROUPS.items():
        start = len(order)
        order += [CLASSES.index(m) for m in members]
        spans.append((group, start, len(order)))
    return order, spans


def reorder(matrix: np.ndarray, order: Sequence[int]) -> np.ndarray:
    """Permute the class rows and columns, keeping spurious / missed last.

    Args:
        matrix (np.ndarray): (C + 1, C + 1) confusion matrix.
        order (Sequence[int]): The C class indices in their new order.

    Returns:
        np.ndarray: The permuted (C + 1, C + 1) matrix.
    """
    full = list(order) + [matrix.shape[0] - 1]
    return matrix[np.ix_(full, full)]
