"""Acc, AER, whole-cell counts and the Denver split of errors, in numpy.

The paper's definitions (DESIGN.md section 3): take each proposal's top-1
class, keep the calls chosen by :func:`deepacc.structures.select_calls`
(score >= ``score_thr``, class-agnostic NMS at ``nms_iou``), and match them
one-to-one to the ground truth at IoU >= ``iou_thr``, ignoring classes:
calls in descending score order each take the free ground-truth box they
overlap most (ties: the first box). Then, per call or box:

* TP -- a call matched to a box of its class;
* misclassified -- a call matched to a box of another class, split into
  errors *within* a Denver group (4 called 5) and *across* groups;
* spurious -- a call matched to no box;
* missed -- a box that no call (of any class) matched.

Default convention: FP = misclassified + spurious, FN = missed (a found
but misclassified chromosome is one error). ``strict=True``: FN = missed +
misclassified (it is two). With P calls and G boxes,

    Acc = TP / P,    AER = (FP + FN) / G,

so in the default convention AER = err_within_group + err_across_group +
spurious + missed, each a fraction of G. Polarity accuracy is taken over
the TP calls whose chromosome has a known polarity: a call says "p-arm up"
when its ``polarity`` probability is >= 0.5. Acc is NaN without calls and AER
NaN without ground truth. Calls that overlap only an ignored (crowd) box
by ``iou_thr`` are left out of every count.
"""

from typing import Dict, Sequence, Tuple

import numpy as np

from deepacc.chromosomes import GROUP_OF_LABEL
from deepacc.structures import bbox_overlaps, count_by_class, select_calls

from .inputs import align_by_img_id


def match_calls(
    call_boxes: np.ndarray,
    gt_boxes: np.ndarray,
    iou_thr: float = 0.5,
    ignore_boxes: np.ndarray = None,
) -> np.ndarray:
    """One-to-one, class-agnostic matching of calls to ground truth.

    Args:
        call_boxes (np.ndarray): (P, 4) calls in descending score order.
        gt_boxes (np.ndarray): (G, 4) ground-truth boxes.
        iou_thr (float): Minimum IoU of a match.
        ignore_boxes (np.ndarray, optional): (K, 4) ignored boxes.

    Returns:
        np.ndarray: (P,) index of the matched box, -1 for none, -2 for a
        call that matched no box but overlaps an ignored one.
    """
    call_boxes = np.asarray(call_boxes, dtype=np.float64).reshape(-1, 4)
    gt_boxes = np.asarray(gt_boxes, dtype=np.float64).reshape(-1, 4)
    matched = np.full(len(call_boxes), -1, dtype=np.int64)
    if len(call_boxes) and len(gt_boxes):
        ious = bbox_overlaps(call_boxes, gt_boxes)
        taken = np.zeros(len(gt_boxes), dtype=bool)
        for i in np.flatnonzero((ious >= iou_thr).any(axis=1)):
            row = np.where(taken, -1.0, ious[i])
            j = int(row.argmax())
            if row[j] >= iou_thr:
                matched[i] = j
                taken[j] = True
    if ignore_boxes is not None and len(ignore_boxes):
        free = np.flatnonzero(matched == -1)
        if len(free):
            hit = (
                bbox_overlaps(call_boxes[free], ignore_boxes) >= iou_thr
            ).any(axis=1)
            matched[free[hit]] = -2
    return matched


def error_rates(
    tp: int,
    misclassified: int,
    spurious: int,
    missed: int,
    strict: bool = False,
) -> Tuple[float, float]:
    """(Acc, AER) from the four counts (see the module docstring).

    Args:
        tp (int): Calls of the right class.
        misclassified (int): Calls on a chromosome of another class.
        spurious (int): Calls on no chromosome.
        missed (int): Chromosomes no call found.
        strict (bool): Count a misclassified chromosome as FP and FN.

    Returns:
        tuple[float, float]: Acc and AER as fractions (NaN when the
        denominator is 0).
    """
    num_pred = tp + misclassified + spurious
    num_gt = tp + misclassified + missed
    fp = misclassified + spurious
    fn = missed + (misclassified if strict else 0)
    acc = tp / num_pred if num_pred else float('nan')
    aer = (fp + fn) / num_gt if num_gt else float('nan')
    return acc, aer


def karyotype_errors(
    preds: Sequence[dict],
    gts: Sequence[dict],
    num_classes: int,
    score_thr: float = 0.5,
    nms_iou: float = 0.7,
    iou_thr: float = 0.5,
    strict: bool = False,
) -> Dict:
    """Acc, AER, whole-cell correctness and the confusion of calls.

    Args:
        preds (Sequence[dict]): Per-image TOP-1 detections (``img_id``,
            ``bboxes`` (N, 4), ``scores`` (N,), ``labels`` (N,), optional
            ``polarity`` (N,)).
        gts (Sequence[dict]): Per-image ground truth (``img_id``,
            ``bboxes`` (M, 4), ``labels`` (M,), optional
            ``bboxes_ignore`` and ``polarity`` (M,), -1 unknown).
            Annotated images without predictions are images without
            calls.
        num_classes (int): Number of classes.
        score_thr (float): Minimum score of a call.
        nms_iou (float): Class-agnostic NMS threshold between calls.
        iou_thr (float): Minimum IoU of a call/chromosome match.
        strict (bool): Misclassified = FP + FN instead of FP only.

    Returns:
        dict: ``Acc``, ``AER``, ``whole_cell_correct`` (fraction of images
        whose per-class call counts equal the truth), ``err_within_group``,
        ``err_across_group``, ``missed``, ``spurious`` (fractions of the
        ground truth), the integer counts ``num_gt``, ``num_pred``, ``tp``,
        ``misclassified``, ``num_images``, ``num_cells_correct``,
        ``polarity_acc`` (NaN without a TP of known polarity, or when no
        prediction has ``polarity``), ``polarity_known`` (how many TPs it
        is over), and ``confusion`` ((num_classes + 1, num_classes + 1)
        int64: rows are true classes then 'spurious', columns predicted
        classes then 'missed').
    """
    pairs = align_by_img_id(preds, gts, num_classes)
    group = np.asarray(
        GROUP_OF_LABEL
        if num_classes == len(GROUP_OF_LABEL)
        else ['?'] * num_classes
    )
    confusion = np.zeros((num_classes + 1, num_classes + 1), dtype=np.int64)
    cells_correct = 0
    within = across = 0
    polarity_right = polarity_known = 0
    with_polarity = any('polarity' in pred for pred, _ in pairs)
    for pred, gt in pairs:
        keep = select_calls(
            pred['bboxes'],
            pred['scores'],
            pred['labels'],
            score_thr=score_thr,
            nms_iou=nms_iou,
        )
        labels = pred['labels'][keep]
        matched = match_calls(
            pred['bboxes'][keep], gt['bboxes'], iou_thr, gt['bboxes_ignore']
        )
        counted = matched != -2
        pairs_hit = matched >= 0
        truth = gt['labels'][matched[pairs_hit]]
        called = labels[pairs_hit]
        np.add.at(confusion, (truth, called), 1)
        np.add.at(confusion, (num_classes, labels[matched == -1]), 1)
        missed = np.ones(len(gt['labels']), dtype=bool)
        missed[matched[pairs_hit]] = False
        np.add.at(confusion, (gt['labels'][missed], num_classes), 1)
        wrong = truth != called
        if 'polarity' in pred:
            tp_calls = np.flatnonzero(pairs_hit)[~wrong]
            true_pol = gt['polarity'][matched[tp_calls]]
            known = true_pol >= 0
            called_up = pred['polarity'][keep][tp_calls] >= 0.5
            polarity_known += int(known.sum())
            polarity_right += int((called_up == (true_pol == 1))[known].sum())
        same = group[truth[wrong]] == group[called[wrong]]
        within += int(same.sum())
        across += int((~same).sum())
        if np.array_equal(
            count_by_class(labels[counted], num_classes),
            count_by_class(gt['labels'], num_classes),
        ):
            cells_correct += 1
    tp = int(np.trace(confusion[:num_classes, :num_classes]))
    misclassified = within + across
    spurious = int(confusion[num_classes, :num_classes].sum())
    missed = int(confusion[:num_classes, num_classes].sum())
    acc, aer = error_rates(tp, misclassified, spurious, missed, strict)
    num_gt = tp + misclassified + missed

    def frac(n):
        return n / num_gt if num_gt else float('nan')

    return dict(
        Acc=acc,
        AER=aer,
        whole_cell_correct=(
            cells_correct / len(pairs) if pairs else float('nan')
        ),
        err_within_group=frac(within),
        err_across_group=frac(across),
        missed=frac(missed),
        spurious=frac(spurious),
        num_gt=num_gt,
        num_pred=tp + misclassified + spurious,
        tp=tp,
        misclassified=misclassified,
        num_images=len(pairs),
        num_cells_correct=cells_correct,
        polarity_acc=(
            polarity_right / polarity_known
            if with_polarity and polarity_known
            else float('nan')
        ),
        polarity_known=polarity_known,
        confusion=confusion,
    )
