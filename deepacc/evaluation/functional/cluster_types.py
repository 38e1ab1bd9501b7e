"""Accuracy, sensitivity and specificity of cluster-type predictions.

As in Lin et al. (ResNeXt-WSL): accuracy is the share of objects whose
type is right; a type's sensitivity is TP / (TP + FN) (its objects that
got it) and its specificity TN / (TN + FP) (the other objects that did
not get it), one type against the rest; the macro figures average the
types that occur in the truth.
"""

from typing import Dict, Sequence

import numpy as np


def type_confusion(
    truth: Sequence[int], pred: Sequence[int], num_classes: int
) -> np.ndarray:
    """(num_classes, num_classes) counts, rows true, columns predicted.

    Entries with a negative true label (fragments) are left out.
    """
    truth = np.asarray(truth, np.int64).reshape(-1)
    pred = np.asarray(pred, np.int64).reshape(-1)
    if truth.shape != pred.shape:
        raise ValueError(
            f'{len(truth)} true labels but {len(pred)} predictions'
        )
    keep = truth >= 0
    truth, pred = truth[keep], pred[keep]
    bad = (truth >= num_classes) | (pred < 0) | (pred >= num_classes)
    if bad.any():
        raise ValueError(
            f'labels outside 0..{num_classes - 1}: truth '
            f'{sorted(set(truth[bad].tolist()))}, predicted '
            f'{sorted(set(pred[bad].tolist()))}'
        )
    return np.bincount(
        truth * num_classes + pred, minlength=num_classes * num_classes
    ).reshape(num_classes, num_classes)


def cluster_type_scores(
    confusion: np.ndarray, groups: Sequence[int] = None
) -> Dict[str, object]:
    """The paper's figures from a confusion matrix.

    Args:
        confusion (np.ndarray): (C, C) counts, rows true, columns
            predicted (:func:`type_confusion`).
        groups (list[int], optional): Per type, a group index for the
            coarse (e.g. two-way single vs cluster) accuracy: a prediction
            counts there when its group is the true type's group.

    Returns:
        dict: ``accuracy``; ``sensitivity`` and ``specificity`` ((C,)
        arrays, NaN where undefined: no true object of the type, or no
        other object); ``macro_sensitivity`` / ``macro_specificity`` (mean
        over the types with true objects); ``num_objects``; with
        ``groups``, ``group_accuracy``. Empty input gives NaN.
    """
    m = np.asarray(confusion, np.float64)
    total = m.sum()
    tp = np.diag(m)
    positives = m.sum(1)
    called = m.sum(0)
    fp = called - tp
    negatives = total - positives
    tn = negatives - fp
    with np.errstate(invalid='ignore', divide='ignore'):
        sens = np.where(positives > 0, tp / positives, np.nan)
        spec = np.where(negatives > 0, tn / negatives, np.nan)
    present = positives > 0
    nan = float('nan')
    out = dict(
        accuracy=float(tp.sum() / total) if total else nan,
        sensitivity=sens,
        specificity=spec,
        macro_sensitivity=float(sens[present].mean())
        if present.any()
        else nan,
        macro_specificity=(
            float(np.nanmean(spec[present]))
            if present.any() and not np.isnan(spec[present]).all()
            else nan
        ),
        num_objects=int(total),
    )
    if groups is not None:
        groups = np.asarray(groups)
        same = groups[:, None] == groups[None, :]
        out['group_accuracy'] = float(m[same].sum() / total) if total else nan
    return out
