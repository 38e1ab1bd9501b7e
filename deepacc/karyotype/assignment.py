"""Reading a cell as a whole: calls assigned under the karyotype's counts.

A cytogeneticist does not name each chromosome on its own: a third "4"
next to a single "5" says one of the "4"s is a 5, and a chromosome the
detector was unsure of is still counted when its class is short of a
copy. Classic karyotyping systems did the same with the transportation
method (two members per class; Carothers and Piper 1994, "Computer-aided
classification of human chromosomes: a review"). This module does it on
the detector's own probabilities, without forbidding aneuploidy.

The candidates of a cell are its top-1 detections (any score; duplicates
removed by class-agnostic NMS as for calls), each with the proposal's
whole softmax ``q`` (24 classes, background last). A reading gives every
candidate a class or "not a chromosome" and costs

    sum over candidates of -log q[given answer]
    + gain_penalty * (copies more than a normal cell has)
    + loss_penalty * (copies fewer),

counting, per autosome, the copies above or below two, and for the sex
chromosomes the changes from the nearer of XX and XY (``45,X``: one
loss; ``47,XXY``: one gain). The reading of least cost is found exactly:
for each sex-chromosome count (X 0-3, Y 0-2) one rectangular assignment
(Hungarian algorithm, ``scipy.optimize.linear_sum_assignment``) of the
candidates to copy slots (per autosome: two slots that earn
``-loss_penalty``, further slots up to ``max_copies`` that cost
``+gain_penalty``; the X and Y slots of that count, all filled) or to
"not a chromosome".

The penalties are in nats. An extra copy is kept only where calling the
chromosome something else, or nothing, would cost the detector's
probabilities more than ``gain_penalty``; a candidate under the call
threshold is counted where its class is short of a copy and the odds for
that class against "not a chromosome" exceed ``exp(-loss_penalty)``.
Zero penalties keep each candidate's most probable answer.

The defaults (gain 4, loss 6) were chosen on 60 validation cells of the
synthetic recipe (other seeds than its test cells) and measured on its
60 test cells (benchmarks/README.md, "Whole-cell reading"): of the 60,
49 get the right ISCN string against 2 for the calls (normal cells 43 of
46, aneuploid cells 6 of 14; a normal karyotype for every cell would be
right for 44, aneuploid 0), with the karyotype tool's NMS between
candidates at 0.4 (41 right at the metrics' 0.7). Higher gain penalties
make more normal cells right and fewer aneuploid ones: a trisomy is
read only when the detector is confident of its third copy. With a weak
detector the counts decide more than the detector does (the record
says how many chromosomes the reading added and relabelled). The
metrics of the paper (Acc, AER, mAP) never use this reading.
"""

from itertools import product
from typing import Dict, Tuple

import numpy as np

from deepacc.chromosomes import CLASSES, NUM_CLASSES

X_LABEL = CLASSES.index('X')
Y_LABEL = CLASSES.index('Y')
NORMAL_SEX = ((2, 0), (1, 1))  # (X copies, Y copies) of XX and XY
DEFAULT_GAIN_PENALTY = 4.0
DEFAULT_LOSS_PENALTY = 6.0
DEFAULT_PENALTIES = (DEFAULT_GAIN_PENALTY, DEFAULT_LOSS_PENALTY)
_HARD = 1e6  # bonus that makes a sex-chromosome slot compulsory


def sex_distance(num_x: int, num_y: int) -> Tuple[int, int]:
    """Copies gained and lost from XX or XY to ``num_x`` X and ``num_y``
    Y, by the nearer of the two (fewest changes; fewer losses on a tie).
    """
    changes = []
    for x, y in NORMAL_SEX:
        gained = max(num_x - x, 0) + max(num_y - y, 0)
        lost = max(x - num_x, 0) + max(y - num_y, 0)
        changes.append((gained + lost, lost, gained))
    total, lost, gained = min(changes)
    return gained, lost


def assign_karyotype(
    class_scores: np.ndarray,
    gain_penalty: float = DEFAULT_GAIN_PENALTY,
    loss_penalty: float = DEFAULT_LOSS_PENALTY,
    max_copies: int = 4,
    max_x: int = 3,
    max_y: int = 2,
) -> Tuple[np.ndarray, float]:
    """The least-cost reading of one cell's candidates.

    Args:
        class_scores (np.ndarray): (N, 25) softmax of each candidate's
            proposal, the 24 classes in canonical order, background last.
        gain_penalty (float): Cost in nats of each copy more than a
            normal cell has (>= 0).
        loss_penalty (float): Cost in nats of each copy fewer (>= 0).
        max_copies (int): Most copies of one autosome a reading may have.
        max_x (int): Most X copies considered.
        max_y (int): Most Y copies considered.

    Returns:
        tuple[np.ndarray, float]: (N,) labels (0..23, or -1 for "not a
        chromosome") and the reading's cost.
    """
    from scipy.optimize import linear_sum_assignment

    q = np.asarray(class_scores, dtype=np.float64)
    if q.ndim != 2 or q.shape[1] != NUM_CLASSES + 1:
        raise ValueError(
            f'class_scores must be (N, {NUM_CLASSES + 1}) softmax rows '
            f'(background last), got shape {q.shape}'
        )
    if gain_penalty < 0 or loss_penalty < 0:
        raise ValueError(
            f'penalties must be >= 0, got gain {gain_penalty}, '
            f'loss {loss_penalty}'
        )
    n = len(q)
    nll = -np.log(np.clip(q, 1e-12, None))
    # Autosome slots: every candidate's cost of being that class's k-th
    # copy; the two normal copies earn the loss penalty back.
    autosome_cols, autosome_costs = [], []
    for label in range(NUM_CLASSES - 2):
        for k in range(max_copies):
            autosome_cols.append(label)
            autosome_costs.append(-loss_penalty if k < 2 else gain_penalty)
    autosome_cols = np.asarray(autosome_cols)
    base = nll[:, autosome_cols] + np.asarray(autosome_costs)[None, :]
    drop = np.repeat(nll[:, -1:], n, axis=1)  # "not a chromosome"
    best_labels, best_cost = np.full(n, -1, dtype=np.int64), np.inf
    for num_x, num_y in product(range(max_x + 1), range(max_y + 1)):
        if num_x + num_y > n:
            continue
        cols = np.concatenate(
            [autosome_cols, [X_LABEL] * num_x, [Y_LABEL] * num_y]
        ).astype(np.int64)
        sex = np.concatenate(
            [
                np.repeat(nll[:, X_LABEL : X_LABEL + 1], num_x, axis=1),
                np.repeat(nll[:, Y_LABEL : Y_LABEL + 1], num_y, axis=1),
            ],
            axis=1,
        )
        cost = np.concatenate([base, sex - _HARD, drop], axis=1)
        rows, picked = linear_sum_assignment(cost)
        gained, lost = sex_distance(num_x, num_y)
        total = (
            cost[rows, picked].sum()
            + _HARD * (num_x + num_y)
            + gain_penalty * gained
            + loss_penalty * lost
        )
        if total < best_cost:
            labels = np.full(n, -1, dtype=np.int64)
            chosen = picked < len(cols)
            labels[rows[chosen]] = cols[picked[chosen]]
            best_labels, best_cost = labels, float(total)
    # Constant of the normal copies, so that the cost equals the
    # definition in the module docstring.
    return best_labels, best_cost + 2 * loss_penalty * (NUM_CLASSES - 2)


def reading_cost(
    class_scores: np.ndarray,
    labels: np.ndarray,
    gain_penalty: float,
    loss_penalty: float,
) -> float:
    """The cost of a given reading (for checks and reports).

    Args:
        class_scores (np.ndarray): (N, 25) softmax rows, background last.
        labels (np.ndarray): (N,) labels, -1 for "not a chromosome".
        gain_penalty (float): Cost per copy more than a normal cell has.
        loss_penalty (float): Cost per copy fewer.

    Returns:
        float: As defined in the module docstring.
    """
    q = np.asarray(class_scores, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    answer = np.where(labels >= 0, labels, NUM_CLASSES)
    nll = -np.log(np.clip(q[np.arange(len(q)), answer], 1e-12, None)).sum()
    counts = np.bincount(labels[labels >= 0], minlength=NUM_CLASSES)
    autosomes = counts[: NUM_CLASSES - 2] - 2
    gained, lost = sex_distance(int(counts[X_LABEL]), int(counts[Y_LABEL]))
    gained += int(np.clip(autosomes, 0, None).sum())
    lost += int(np.clip(-autosomes, 0, None).sum())
    return float(nll + gain_penalty * gained + loss_penalty * lost)


def assignment_changes(
    top1_labels: np.ndarray, assigned: np.ndarray, called: np.ndarray
) -> Dict[str, int]:
    """How a reading differs from the detector's own calls.

    Args:
        top1_labels (np.ndarray): (N,) each candidate's top-1 class.
        assigned (np.ndarray): (N,) the reading (-1: not a chromosome).
        called (np.ndarray): (N,) bool, whether the candidate is one of
            the detector's calls (score >= the call threshold).

    Returns:
        dict[str, int]: ``relabelled`` (calls given another class),
        ``added`` (candidates under the call threshold read as
        chromosomes), ``removed`` (calls read as not a chromosome).
    """
    top1_labels = np.asarray(top1_labels).reshape(-1)
    assigned = np.asarray(assigned).reshape(-1)
    called = np.asarray(called, dtype=bool).reshape(-1)
    kept = assigned >= 0
    return dict(
        relabelled=int((called & kept & (assigned != top1_labels)).sum()),
        added=int((~called & kept).sum()),
        removed=int((called & ~kept).sum()),
    )
