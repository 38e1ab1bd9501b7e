"""From raw detections to chromosome calls.

A *call* is what a cytogeneticist would accept from the detector: each
proposal's top-1 class, kept if its score reaches ``score_thr``, with
duplicates of the same chromosome removed by class-agnostic NMS. The
metrics (Acc, AER, whole-cell counts) and the karyotype report both use
exactly this selection, so it lives here once.
"""

from typing import Tuple

import numpy as np


def bbox_overlaps(boxes_a: np.ndarray, boxes_b: np.ndarray) -> np.ndarray:
    """IoU between two sets of xyxy boxes.

    Args:
        boxes_a (np.ndarray): (N, 4) boxes.
        boxes_b (np.ndarray): (M, 4) boxes.

    Returns:
        np.ndarray: (N, M) IoU matrix.
    """
    boxes_a = np.asarray(boxes_a, dtype=np.float64).reshape(-1, 4)
    boxes_b = np.asarray(boxes_b, dtype=np.float64).reshape(-1, 4)
    area_a = (boxes_a[:, 2] - boxes_a[:, 0]) * (boxes_a[:, 3] - boxes_a[:, 1])
    area_b = (boxes_b[:, 2] - boxes_b[:, 0]) * (boxes_b[:, 3] - boxes_b[:, 1])
    lt = np.maximum(boxes_a[:, None, :2], boxes_b[None, :, :2])
    rb = np.minimum(boxes_a[:, None, 2:], boxes_b[None, :, 2:])
    wh = np.clip(rb - lt, 0, None)
    inter = wh[..., 0] * wh[..., 1]
    union = area_a[:, None] + area_b[None, :] - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0)


def select_calls(
    bboxes: np.ndarray,
    scores: np.ndarray,
    labels: np.ndarray,
    score_thr: float = 0.5,
    nms_iou: float = 0.7,
) -> np.ndarray:
    """Indices of the top-1 detections kept as chromosome calls.

    Keeps detections with ``score >= score_thr`` and suppresses, across
    classes, any detection overlapping a higher-scored kept one with
    IoU > ``nms_iou`` (greedy NMS; ties keep the earlier index).

    Args:
        bboxes (np.ndarray): (N, 4) xyxy boxes, one per proposal (top-1
            class already chosen).
        scores (np.ndarray): (N,) scores.
        labels (np.ndarray): (N,) class indices (unused by the selection,
            checked for length).
        score_thr (float): Minimum score of a call.
        nms_iou (float): Class-agnostic NMS IoU threshold.

    Returns:
        np.ndarray: Indices into the inputs, highest score first.
    """
    bboxes = np.asarray(bboxes, dtype=np.float64).reshape(-1, 4)
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    if not len(bboxes) == len(scores) == len(np.asarray(labels).reshape(-1)):
        raise ValueError(
            f'select_calls: {len(bboxes)} boxes, {len(scores)} scores and '
            f'{len(np.asarray(labels).reshape(-1))} labels differ in length'
        )
    candidates = np.flatnonzero(scores >= score_thr)
    order = candidates[np.argsort(-scores[candidates], kind='stable')]
    if len(order) == 0:
        return order.astype(np.int64)
    ious = bbox_overlaps(bboxes[order], bboxes[order])
    suppressed = np.zeros(len(order), dtype=bool)
    keep = []
    for i in range(len(order)):
        if suppressed[i]:
            continue
        keep.append(order[i])
        suppressed |= ious[i] > nms_iou
    return np.asarray(keep, dtype=np.int64)


def count_by_class(labels: np.ndarray, num_classes: int) -> np.ndarray:
    """Per-class counts of calls, ``(num_classes,)`` int array."""
    labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    bad = labels[(labels < 0) | (labels >= num_classes)]
    if len(bad):
        raise ValueError(
            f'class indices {sorted(set(bad.tolist()))} are '
            f'outside 0..{num_classes - 1}'
        )
    return np.bincount(labels, minlength=num_classes)


def split_calls(result: dict) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(bboxes, scores, labels) numpy arrays from an InstanceData dict."""
    out = []
    for key in ('bboxes', 'scores', 'labels'):
        value = result[key]
        if hasattr(value, 'detach'):
            value = value.detach().cpu().numpy()
        out.append(np.asarray(value))
    return out[0].reshape(-1, 4), out[1].reshape(-1), out[2].reshape(-1)


def top1_from_multiclass(
    bboxes: np.ndarray, scores: np.ndarray, labels: np.ndarray
) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Top-1 detections from a multi-class output (one row per class).

    Heads without a top-1 output (stock bbox heads, RetinaNet) emit, per
    proposal, one row for every class above their score threshold. Rows
    with identical boxes come from the same proposal (class-agnostic
    regression); of each such group, the highest-scored row is kept (ties:
    the earlier row). With class-specific regression every row has its own
    box, nothing is grouped, and :func:`select_calls`'s class-agnostic NMS
    removes the near-duplicates instead.

    Args:
        bboxes (np.ndarray): (N, 4) boxes.
        scores (np.ndarray): (N,) scores.
        labels (np.ndarray): (N,) class indices.

    Returns:
        tuple[np.ndarray, np.ndarray, np.ndarray]: (M, 4) boxes, (M,)
        scores and (M,) labels, M <= N, in the input's order.
    """
    bboxes = np.asarray(bboxes).reshape(-1, 4)
    scores = np.asarray(scores).reshape(-1)
    labels = np.asarray(labels).reshape(-1)
    if not len(bboxes) == len(scores) == len(labels):
        raise ValueError(
            f'top1_from_multiclass: {len(bboxes)} boxes, {len(scores)} '
            f'scores and {len(labels)} labels differ in length'
        )
    if len(bboxes) == 0:
        return bboxes, scores, labels
    # Best score first (stable), then the first row of each unique box.
    order = np.argsort(-scores, kind='stable')
    _, first = np.unique(bboxes[order], axis=0, return_index=True)
    keep = np.sort(order[first])
    return bboxes[keep], scores[keep], labels[keep]
