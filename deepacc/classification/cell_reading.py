"""A cell's crops read together, as a karyotype.

The crops of one cell are not independent: a normal cell has two of each
autosome and XX or XY. Read one crop at a time, a classifier that calls
a third "4" next to a single "5" has made a mistake it could have seen.
:func:`read_cell` assigns the classes of a cell's crops jointly with the
detector's whole-cell reading, :func:`deepacc.karyotype.assignment.
assign_karyotype` (Hungarian algorithm, a cost in nats per copy gained or
lost), so aneuploid cells are still read where the probabilities say so.
"""

from typing import Dict, Optional, Sequence, Tuple

import numpy as np

from deepacc.chromosomes import NUM_CLASSES
from deepacc.evaluation.metrics.crop_classification_metric import (
    crop_scores,
)
from deepacc.karyotype.assignment import DEFAULT_PENALTIES, assign_karyotype
from deepacc.karyotype.iscn import numerical_karyotype

Penalties = Optional[Tuple[float, float]]


def read_cell(
    scores: np.ndarray, penalties: Penalties = DEFAULT_PENALTIES
) -> np.ndarray:
    """The classes of one cell's crops, assigned together.

    Every crop is a chromosome, so "not a chromosome" is given probability
    0; the reading leaves a crop out only where every class would cost it
    more than that (about 28 nats), and such a crop keeps its own most
    probable class.

    Args:
        scores (np.ndarray): (num_crops, 24) class probabilities of the
            cell's crops (rows need not sum to 1).
        penalties (tuple[float, float], optional): (gain, loss) penalty in
            nats per copy more or fewer than a normal cell has; None reads
            each crop on its own (its most probable class).

    Returns:
        np.ndarray: (num_crops, ) class indices 0..23.
    """
    probs = np.asarray(scores, np.float64)
    if probs.ndim != 2 or probs.shape[1] != NUM_CLASSES:
        raise ValueError(
            f'scores must be (num_crops, {NUM_CLASSES}) class '
            f'probabilities, got shape {probs.shape}'
        )
    top1 = probs.argmax(1) if len(probs) else np.zeros(0, np.int64)
    if penalties is None or not len(probs):
        return top1
    probs = probs / np.clip(probs.sum(1, keepdims=True), 1e-12, None)
    with_background = np.concatenate([probs, np.zeros((len(probs), 1))], 1)
    gain, loss = penalties
    labels, _ = assign_karyotype(
        with_background, gain_penalty=gain, loss_penalty=loss
    )
    return np.where(labels >= 0, labels, top1)


def cell_karyotype(labels: Sequence[int]) -> str:
    """The ISCN numerical karyotype of one cell's crop classes.

    Args:
        labels (Sequence[int]): Class index (0..23) of every crop.

    Returns:
        str: e.g. ``'46,XY'`` or ``'47,XX,+21'``.
    """
    labels = np.asarray(labels, np.int64).reshape(-1)
    return numerical_karyotype(np.bincount(labels, minlength=NUM_CLASSES))


def compare_readings(
    results: Sequence[dict], penalties: Tuple[float, float] = DEFAULT_PENALTIES
) -> Dict[str, dict]:
    """Both readings of classified cells scored against the truth.

    Args:
        results (list[dict]): Per cell (arrays or CPU tensors), the crop
            classifier's ``pred_labels`` (each crop's most probable
            class), ``scores`` (num_crops, 24), ``gt_labels`` and
            optionally ``polarity_probs`` / ``gt_polarity``.
        penalties (tuple[float, float]): (gain, loss) of the joint
            reading.

    Returns:
        dict[str, dict]: For ``'independent'`` and ``'joint'``: ``labels``
        (per cell, (num_crops, ) classes), ``scores``
        (:func:`~deepacc.evaluation.metrics.crop_classification_metric.
        crop_scores` of that reading: accuracy, F1, confusion, polarity)
        and ``karyotypes_right`` (cells whose ISCN string equals the true
        one's).
    """
    truth = [cell_karyotype(r['gt_labels']) for r in results]
    labels = dict(
        independent=[np.asarray(r['pred_labels']) for r in results],
        joint=[read_cell(r['scores'], penalties) for r in results],
    )
    out = {}
    for name, cells in labels.items():
        out[name] = dict(
            labels=cells,
            scores=crop_scores(
                [dict(r, pred_labels=c) for r, c in zip(results, cells)]
            ),
            karyotypes_right=sum(
                cell_karyotype(c) == t for c, t in zip(cells, truth)
            ),
        )
    return out
