"""Crop classification scores in numpy: accuracy, per-class F1, polarity."""

from typing import Optional

import numpy as np

from deepacc.chromosomes import CLASSES


def crop_classification_scores(
    pred_labels: np.ndarray,
    gt_labels: np.ndarray,
    polarity_probs: Optional[np.ndarray] = None,
    gt_polarity: Optional[np.ndarray] = None,
    num_classes: int = len(CLASSES),
) -> dict:
    """Type and polarity scores of classified crops.

    Args:
        pred_labels (np.ndarray): Called classes, shape (num_crops, ),
            0..num_classes - 1.
        gt_labels (np.ndarray): True classes, shape (num_crops, ).
        polarity_probs (np.ndarray, optional): Probability that the p-arm
            is up, shape (num_crops, ); >= 0.5 reads as "up".
        gt_polarity (np.ndarray, optional): 1 up, 0 down, -1 unknown,
            shape (num_crops, ).
        num_classes (int): Number of classes.

    Returns:
        dict: ``accuracy`` (fraction of crops called right), ``precision``,
        ``recall``, ``f1`` (num_classes, ) per class (0 where undefined:
        a class never called or never present), ``support``
        (num_classes, ) true crops per class, ``macro_f1`` (mean F1 over
        the classes present), ``confusion`` (num_classes, num_classes)
        int64 counts (rows true, columns called), ``num_crops``,
        ``polarity_acc`` (over crops with a known polarity; NaN without
        any) and ``num_polarity``.
    """
    pred = np.asarray(pred_labels, np.int64).reshape(-1)
    gt = np.asarray(gt_labels, np.int64).reshape(-1)
    if pred.shape != gt.shape:
        raise ValueError(
            f'{len(pred)} predictions for {len(gt)} ground-truth labels'
        )
    for name, values in (('predicted', pred), ('true', gt)):
        if len(values) and (values.min() < 0 or values.max() >= num_classes):
            raise ValueError(
                f'{name} labels must be in 0..{num_classes - 1}, got '
                f'{values.min()}..{values.max()}'
            )
    confusion = np.zeros((num_classes, num_classes), np.int64)
    np.add.at(confusion, (gt, pred), 1)
    tp = np.diag(confusion).astype(np.float64)
    called = confusion.sum(axis=0).astype(np.float64)
    support = confusion.sum(axis=1)
    precision = np.divide(tp, called, out=np.zeros_like(tp), where=called > 0)
    recall = np.divide(tp, support, out=np.zeros_like(tp), where=support > 0)
    denom = precision + recall
    f1 = np.divide(
        2 * precision * recall, denom, out=np.zeros_like(tp), where=denom > 0
    )
    present = support > 0
    scores = dict(
        accuracy=float(tp.sum() / len(gt)) if len(gt) else float('nan'),
        precision=precision,
        recall=recall,
        f1=f1,
        support=support,
        macro_f1=float(f1[present].mean()) if present.any() else float('nan'),
        confusion=confusion,
        num_crops=int(len(gt)),
        polarity_acc=float('nan'),
        num_polarity=0,
    )
    if polarity_probs is not None and gt_polarity is not None:
        probs = np.asarray(polarity_probs, np.float64).reshape(-1)
        truth = np.asarray(gt_polarity, np.int64).reshape(-1)
        known = truth >= 0
        if known.any():
            right = (probs[known] >= 0.5).astype(np.int64) == truth[known]
            scores.update(
                polarity_acc=float(right.mean()),
                num_polarity=int(known.sum()),
            )
    return scores
