"""Class-wise average precision at one IoU threshold, in numpy.

Two styles, each equal to an independent implementation:

* ``'voc'`` (default) -- mmdet's ``eval_map`` (``tpfp_default``, area
  mode): each detection is compared with the ground truth box of its class
  it overlaps most; it is a TP if that IoU reaches ``iou_thr`` and the box
  was not taken by a higher-scored detection, else a FP; AP is the exact
  area under the interpolated precision/recall curve.
* ``'coco'`` -- pycocotools' ``COCOeval`` AP at IoU 0.5: each detection
  takes the best-overlapping ground truth box that is still free; AP is
  the mean interpolated precision at 101 recall points.

They differ where a detection overlaps two boxes of its class (touching
chromosomes of the same class) and by the interpolation (the 101-point
mean lies within about 1/101 of the area on a smooth curve).

Classes without ground truth in the evaluated images have no AP (NaN) and
are left out of the mean, as both pycocotools and mmdet do; their false
positives therefore cost nothing in mAP (they do in Acc/AER). Ties in score
keep image order (ascending ``img_id``) and, within an image, input order
(pycocotools' stable sort). Ignored boxes (``iscrowd``) neither reward nor
punish the detections that hit them; in the ``'coco'`` style they are
matched like pycocotools' crowd regions (intersection over detection area).
Unlike pycocotools there is no per-image cap on detections (maxDets=100).
"""

from typing import Dict, List, Sequence, Tuple

import numpy as np

from deepacc.structures import bbox_overlaps

from .inputs import align_by_img_id

AP_STYLES = ('voc', 'coco')
# pycocotools' recall thresholds, computed the same way.
COCO_REC_THRS = np.linspace(
    0.0, 1.00, int(np.round((1.00 - 0.0) / 0.01)) + 1, endpoint=True
)


def average_precision(
    recalls: np.ndarray, precisions: np.ndarray, mode: str = 'area'
) -> float:
    """Area under a precision/recall curve.

    Args:
        recalls (np.ndarray): (num_dets,) cumulative recall, detections in
            descending score order.
        precisions (np.ndarray): (num_dets,) cumulative precision.
        mode (str): ``'area'``: exact area under the curve made monotone
            from the right (mmdet / VOC2010+); ``'101point'``: mean of that
            curve at recalls 0, 0.01, ..., 1 (pycocotools).

    Returns:
        float: The average precision in [0, 1].
    """
    recalls = np.asarray(recalls, dtype=np.float64).reshape(-1)
    precisions = np.asarray(precisions, dtype=np.float64).reshape(-1)
    if mode == 'area':
        mrec = np.concatenate(([0.0], recalls, [1.0]))
        mpre = np.concatenate(([0.0], precisions, [0.0]))
        mpre = np.maximum.accumulate(mpre[::-1])[::-1]
        ind = np.flatnonzero(mrec[1:] != mrec[:-1])
        return float(np.sum((mrec[ind + 1] - mrec[ind]) * mpre[ind + 1]))
    if mode == '101point':
        if len(recalls) == 0:
            return 0.0
        mpre = np.maximum.accumulate(precisions[::-1])[::-1]
        inds = np.searchsorted(recalls, COCO_REC_THRS, side='left')
        q = np.zeros(len(COCO_REC_THRS))
        valid = inds < len(mpre)
        q[valid] = mpre[inds[valid]]
        return float(q.mean())
    raise ValueError(f'unknown AP mode {mode!r}; use "area" or "101point"')


def match_image(
    pred: dict, gt: dict, iou_thr: float = 0.5, style: str = 'voc'
) -> Tuple[np.ndarray, np.ndarray]:
    """TP / FP flags of one image's detections, class by class.

    Args:
        pred (dict): Checked prediction (``bboxes`` (N, 4), ``scores``
            (N,), ``labels`` (N,)).
        gt (dict): Checked ground truth (``bboxes`` (M, 4), ``labels``
            (M,), ``bboxes_ignore`` (K, 4), ``labels_ignore`` (K,)).
        iou_thr (float): IoU needed for a TP.
        style (str): ``'voc'`` or ``'coco'`` (see the module docstring).

    Returns:
        tuple[np.ndarray, np.ndarray]: ``order`` (N,) the detections in
        descending score order (stable) and ``flags`` (N,) int8 in that
        order: 1 TP, 0 FP, -1 ignored (hit an ignored box).
    """
    if style not in AP_STYLES:
        raise ValueError(f'unknown AP style {style!r}; use one of {AP_STYLES}')
    order = np.argsort(-pred['scores'], kind='stable')
    boxes = pred['bboxes'][order]
    labels = pred['labels'][order]
    flags = np.zeros(len(order), dtype=np.int8)
    num_gt = len(gt['bboxes'])
    if len(order) == 0 or num_gt + len(gt['bboxes_ignore']) == 0:
        return order, flags
    all_boxes = np.concatenate([gt['bboxes'], gt['bboxes_ignore']])
    all_labels = np.concatenate([gt['labels'], gt['labels_ignore']])
    is_ignore = np.arange(len(all_boxes)) >= num_gt
    same = labels[:, None] == all_labels[None, :]
    ious = bbox_overlaps(boxes, all_boxes)
    if style == 'voc':
        ious = np.where(same, ious, -1.0)
        best = ious.argmax(axis=1)
        hit = ious[np.arange(len(order)), best] >= iou_thr
        flags[hit & is_ignore[best]] = -1
        real = np.flatnonzero(hit & ~is_ignore[best])
        # The first (highest-scored) detection on a box takes it.
        _, first = np.unique(best[real], return_index=True)
        flags[real[first]] = 1
        return order, flags
    if style == 'coco' and is_ignore.any():
        # Crowd regions: intersection over the detection's area.
        ign = np.flatnonzero(is_ignore)
        ious[:, ign] = _iof(boxes, all_boxes[ign])
    return order, _match_coco(ious, same, is_ignore, iou_thr)


def _match_coco(ious, same, is_ignore, iou_thr):
    """pycocotools' greedy matching (``COCOeval.evaluateImg``)."""
    flags = np.zeros(len(ious), dtype=np.int8)
    thr = min(iou_thr, 1 - 1e-10)
    cand = same & (ious >= thr)
    real_cand = cand & ~is_ignore[None, :]
    taken = np.zeros(len(is_ignore), dtype=bool)
    for i in np.flatnonzero(cand.any(axis=1)):
        free = np.flatnonzero(real_cand[i] & ~taken)
        if len(free):
            vals = ious[i, free]
            # Equal IoU: pycocotools keeps the later box.
            j = free[len(vals) - 1 - np.argmax(vals[::-1])]
            taken[j] = True
            flags[i] = 1
        elif (cand[i] & is_ignore).any():
            flags[i] = -1
    return flags


def _iof(boxes: np.ndarray, regions: np.ndarray) -> np.ndarray:
    """(N, K) intersection of each box with each region over box area."""
    lt = np.maximum(boxes[:, None, :2], regions[None, :, :2])
    rb = np.minimum(boxes[:, None, 2:], regions[None, :, 2:])
    wh = np.clip(rb - lt, 0, None)
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    return np.where(
        area[:, None] > 0,
        wh[..., 0] * wh[..., 1] / np.maximum(area[:, None], 1e-12),
        0.0,
    )


def eval_class_ap(
    preds: Sequence[dict],
    gts: Sequence[dict],
    num_classes: int,
    iou_thr: float = 0.5,
    style: str = 'voc',
) -> Dict[str, np.ndarray]:
    """Per-class AP and mAP over a set of images.

    Args:
        preds (Sequence[dict]): Per-image predictions (``img_id``,
            ``bboxes`` (N, 4) xyxy, ``scores`` (N,), ``labels`` (N,)).
        gts (Sequence[dict]): Per-image ground truth (``img_id``,
            ``bboxes`` (M, 4), ``labels`` (M,), optional
            ``bboxes_ignore`` / ``labels_ignore``). Annotated images
            without predictions are images where nothing was detected.
        num_classes (int): Number of classes.
        iou_thr (float): IoU threshold of a TP.
        style (str): ``'voc'`` (= mmdet ``eval_map``) or ``'coco'``
            (= pycocotools AP at one IoU).

    Returns:
        dict: ``mAP`` (float, mean over classes with ground truth; 0.0 if
        none has any, as mmdet), ``ap`` (num_classes,) with NaN for classes
        without ground truth, ``num_gts`` (num_classes,) and ``num_dets``
        (num_classes,).

    Raises:
        ValueError: Predictions for unknown image ids, duplicate ids,
            class indices out of range.
    """
    if style not in AP_STYLES:
        raise ValueError(f'unknown AP style {style!r}; use one of {AP_STYLES}')
    pairs = align_by_img_id(preds, gts, num_classes)
    scores: List[np.ndarray] = []
    labels: List[np.ndarray] = []
    flags: List[np.ndarray] = []
    num_gts = np.zeros(num_classes, dtype=np.int64)
    for pred, gt in pairs:
        order, flag = match_image(pred, gt, iou_thr, style)
        scores.append(pred['scores'][order])
        labels.append(pred['labels'][order])
        flags.append(flag)
        num_gts += np.bincount(gt['labels'], minlength=num_classes)
    return ap_from_flags(
        _cat(scores, np.float64),
        _cat(labels, np.int64),
        _cat(flags, np.int8),
        num_gts,
        mode='area' if style == 'voc' else '101point',
    )


def _cat(parts, dtype):
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)


def ap_from_flags(
    scores: np.ndarray,
    labels: np.ndarray,
    flags: np.ndarray,
    num_gts: np.ndarray,
    mode: str = 'area',
) -> Dict[str, np.ndarray]:
    """Per-class AP from matched detections of all images.

    Args:
        scores (np.ndarray): (D,) scores, images concatenated in order,
            each image's detections in descending score order.
        labels (np.ndarray): (D,) class indices.
        flags (np.ndarray): (D,) 1 TP, 0 FP, -1 ignored.
        num_gts (np.ndarray): (num_classes,) ground truth boxes per class.
        mode (str): ``'area'`` or ``'101point'``.

    Returns:
        dict: ``mAP``, ``ap``, ``num_gts``, ``num_dets`` (see
        :func:`eval_class_ap`).
    """
    num_classes = len(num_gts)
    keep = flags >= 0
    scores, labels, flags = scores[keep], labels[keep], flags[keep]
    # One stable sort by (class, -score) keeps image order among ties.
    order = np.lexsort((-scores, labels))
    labels, tp = labels[order], flags[order].astype(np.float64)
    bounds = np.searchsorted(labels, np.arange(num_classes + 1))
    ap = np.full(num_classes, np.nan)
    num_dets = np.diff(bounds)
    for c in range(num_classes):
        if num_gts[c] == 0:
            continue
        tps = np.cumsum(tp[bounds[c] : bounds[c + 1]])
        n = np.arange(1, len(tps) + 1, dtype=np.float64)
        ap[c] = average_precision(tps / num_gts[c], tps / n, mode)
    valid = ~np.isnan(ap)
    return dict(
        mAP=float(ap[valid].mean()) if valid.any() else 0.0,
        ap=ap,
        num_gts=np.asarray(num_gts, dtype=np.int64),
        num_dets=num_dets,
    )
