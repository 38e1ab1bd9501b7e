"""Checked per-image inputs for the chromosome metrics.

Predictions and ground truth are lists of per-image dicts (numpy arrays or
tensors), matched by ``img_id``:

* prediction: ``img_id``, ``bboxes`` (N, 4) xyxy, ``scores`` (N,),
  ``labels`` (N,), optionally ``polarity`` (N,), the probability that the
  p-arm is the chromosome's upper end;
* ground truth: ``img_id``, ``bboxes`` (M, 4) xyxy, ``labels`` (M,) and
  optionally ``bboxes_ignore`` (K, 4) with ``labels_ignore`` (K,)
  (``iscrowd`` / ignored boxes, as mmdet's VOCMetric passes them) and
  ``polarity`` (M,): 1 p-arm up, 0 down, -1 unknown.

Every check names the image and what is wrong; nothing is dropped.
"""

from typing import Dict, List, Sequence, Tuple

import numpy as np


def to_numpy(value, dtype) -> np.ndarray:
    """A numpy array from a tensor, mmdet boxes or an array-like."""
    if hasattr(value, 'tensor'):  # mmdet's HorizontalBoxes
        value = value.tensor
    if hasattr(value, 'detach'):
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=dtype)


def check_prediction(
    pred: dict, num_classes: int, source: str = 'predictions'
) -> dict:
    """A prediction dict with numpy arrays of checked shape and labels.

    Args:
        pred (dict): ``img_id``, ``bboxes`` (N, 4), ``scores`` (N,),
            ``labels`` (N,).
        num_classes (int): Labels must lie in ``0..num_classes - 1``.
        source (str): Where the prediction came from, for error messages.

    Returns:
        dict: ``img_id``, ``bboxes`` float64 (N, 4), ``scores`` float64
        (N,), ``labels`` int64 (N,), and ``polarity`` float64 (N,) when
        given.
    """
    img_id = pred.get('img_id')
    bboxes = to_numpy(pred['bboxes'], np.float64).reshape(-1, 4)
    scores = to_numpy(pred['scores'], np.float64).reshape(-1)
    labels = to_numpy(pred['labels'], np.int64).reshape(-1)
    if not len(bboxes) == len(scores) == len(labels):
        raise ValueError(
            f'{source}: image id {img_id!r} has {len(bboxes)} boxes, '
            f'{len(scores)} scores and {len(labels)} labels'
        )
    _check_labels(labels, num_classes, f'{source}: image id {img_id!r}')
    out = dict(img_id=img_id, bboxes=bboxes, scores=scores, labels=labels)
    if pred.get('polarity') is not None:
        polarity = to_numpy(pred['polarity'], np.float64).reshape(-1)
        if (
            len(polarity) != len(labels)
            or not ((polarity >= 0) & (polarity <= 1)).all()
        ):
            raise ValueError(
                f'{source}: image id {img_id!r}: polarity must be '
                f'{len(labels)} probabilities in [0, 1]'
            )
        out['polarity'] = polarity
    return out


def check_ground_truth(
    gt: dict, num_classes: int, source: str = 'ground truth'
) -> dict:
    """A ground-truth dict with numpy arrays of checked shape and labels.

    Args:
        gt (dict): ``img_id``, ``bboxes`` (M, 4), ``labels`` (M,),
            optional ``bboxes_ignore`` (K, 4) and ``labels_ignore`` (K,).
        num_classes (int): Labels must lie in ``0..num_classes - 1``.
        source (str): Where the annotations came from, for error messages.

    Returns:
        dict: ``img_id``, ``bboxes`` float64 (M, 4), ``labels`` int64 (M,),
        ``bboxes_ignore`` float64 (K, 4), ``labels_ignore`` int64 (K,),
        ``polarity`` int64 (M,) (all -1 when not given).
    """
    img_id = gt.get('img_id')
    bboxes = to_numpy(gt['bboxes'], np.float64).reshape(-1, 4)
    labels = to_numpy(gt['labels'], np.int64).reshape(-1)
    ignore = gt.get('bboxes_ignore')
    ignore = (
        np.zeros((0, 4))
        if ignore is None
        else to_numpy(ignore, np.float64).reshape(-1, 4)
    )
    ignore_labels = gt.get('labels_ignore')
    ignore_labels = (
        np.zeros(0, np.int64)
        if ignore_labels is None
        else to_numpy(ignore_labels, np.int64).reshape(-1)
    )
    where = f'{source}: image id {img_id!r}'
    if len(bboxes) != len(labels):
        raise ValueError(
            f'{where} has {len(bboxes)} boxes but {len(labels)} labels'
        )
    if len(ignore) != len(ignore_labels):
        raise ValueError(
            f'{where} has {len(ignore)} ignored boxes but '
            f'{len(ignore_labels)} ignored labels'
        )
    _check_labels(labels, num_classes, where)
    _check_labels(ignore_labels, num_classes, where + ' (ignored boxes)')
    polarity = gt.get('polarity')
    polarity = (
        np.full(len(labels), -1, np.int64)
        if polarity is None
        else to_numpy(polarity, np.int64).reshape(-1)
    )
    if len(polarity) != len(labels) or not np.isin(polarity, (-1, 0, 1)).all():
        raise ValueError(
            f'{where}: polarity must be {len(labels)} values of 1 (p-arm '
            'up), 0 (down) or -1 (unknown)'
        )
    return dict(
        img_id=img_id,
        bboxes=bboxes,
        labels=labels,
        bboxes_ignore=ignore,
        labels_ignore=ignore_labels,
        polarity=polarity,
    )


def _check_labels(labels: np.ndarray, num_classes: int, where: str) -> None:
    bad = labels[(labels < 0) | (labels >= num_classes)]
    if len(bad):
        raise ValueError(
            f'{where}: class indices {sorted(set(bad.tolist()))} are outside '
            f'0..{num_classes - 1} ({num_classes} classes)'
        )


def align_by_img_id(
    preds: Sequence[dict],
    gts: Sequence[dict],
    num_classes: int,
    require_all: bool = False,
) -> List[Tuple[dict, dict]]:
    """Pair predictions with ground truth by ``img_id``, sorted by id.

    An annotated image without a prediction entry is an image on which
    nothing was detected (its chromosomes count as missed), unless
    ``require_all``.

    Args:
        preds (Sequence[dict]): Per-image predictions.
        gts (Sequence[dict]): Per-image ground truth.
        num_classes (int): Number of classes, for the label checks.
        require_all (bool): Raise if an annotated image has no prediction.

    Returns:
        list[tuple[dict, dict]]: Checked ``(prediction, ground truth)``
        pairs, in ascending ``img_id`` order (pycocotools' order).

    Raises:
        ValueError: Duplicate ids, predictions for ids the annotations do
            not have, labels out of range, inconsistent lengths.
    """
    gt_by_id: Dict = {}
    for gt in gts:
        gt = check_ground_truth(gt, num_classes)
        if gt['img_id'] in gt_by_id:
            raise ValueError(
                f'ground truth: image id {gt["img_id"]!r} appears twice'
            )
        gt_by_id[gt['img_id']] = gt
    pred_by_id: Dict = {}
    for pred in preds:
        pred = check_prediction(pred, num_classes)
        if pred['img_id'] in pred_by_id:
            raise ValueError(
                f'predictions: image id {pred["img_id"]!r} appears twice'
            )
        pred_by_id[pred['img_id']] = pred
    unknown = [i for i in pred_by_id if i not in gt_by_id]
    if unknown:
        raise ValueError(
            f'predictions for {len(unknown)} image id(s) that the '
            f'annotations do not have: {_show(unknown)}'
        )
    missing = [i for i in gt_by_id if i not in pred_by_id]
    if require_all and missing:
        raise ValueError(
            f'no predictions for {len(missing)} annotated image id(s): '
            f'{_show(missing)}'
        )
    pairs = []
    for img_id in sorted(gt_by_id, key=_sort_key):
        pred = pred_by_id.get(img_id)
        if pred is None:
            pred = dict(
                img_id=img_id,
                bboxes=np.zeros((0, 4)),
                scores=np.zeros(0),
                labels=np.zeros(0, np.int64),
            )
        pairs.append((pred, gt_by_id[img_id]))
    return pairs


def _sort_key(img_id):
    # Ids are ints in COCO files; sort mixed types without failing.
    return (
        (0, img_id, '')
        if isinstance(img_id, (int, np.integer))
        else (1, 0, str(img_id))
    )


def _show(ids: list, limit: int = 10) -> str:
    ids = sorted(ids, key=_sort_key)
    text = ', '.join(repr(i) for i in ids[:limit])
    return text + (
        f', ... ({len(ids) - limit} more)' if len(ids) > limit else ''
    )
