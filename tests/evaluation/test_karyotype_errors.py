"""Acc, AER, whole-cell and the Denver split on hand-drawn cases."""

import numpy as np
import pytest

from deepacc.chromosomes import CLASSES
from deepacc.evaluation.functional import (
    confusion_matrix,
    denver_order,
    error_rates,
    karyotype_errors,
    match_calls,
    reorder,
)

C = len(CLASSES)
L = {name: i for i, name in enumerate(CLASSES)}


def _gt(img_id, boxes, names):
    return dict(
        img_id=img_id,
        bboxes=np.asarray(boxes, float).reshape(-1, 4),
        labels=np.array([L[n] for n in names], np.int64),
    )


def _pred(img_id, rows):
    """rows: (box, score, class name)."""
    return dict(
        img_id=img_id,
        bboxes=np.asarray([r[0] for r in rows], float).reshape(-1, 4),
        scores=np.asarray([r[1] for r in rows], float),
        labels=np.array([L[r[2]] for r in rows], np.int64),
    )


# Image 1: four chromosomes in a row, 10 px wide, 40 px tall.
GT1 = _gt(
    1,
    [[0, 0, 10, 40], [20, 0, 30, 40], [40, 0, 50, 40], [60, 0, 70, 40]],
    ['1', '4', '2', '13'],
)
PRED1 = _pred(
    1,
    [
        ([0, 0, 10, 40], 0.9, '1'),  # TP
        ([20, 0, 30, 40], 0.8, '5'),  # 4 called 5: within group B
        ([40, 0, 50, 40], 0.7, '21'),  # 2 called 21: across groups A/G
        ([40, 1, 50, 40], 0.65, '2'),  # duplicate of the previous (IoU 0.975
        # > 0.7): NMS removes it
        ([100, 0, 110, 40], 0.6, 'X'),  # nothing there: spurious
        ([60, 0, 70, 40], 0.3, '13'),  # below score 0.5: no call -> 13 missed
    ],
)
# Image 2: called perfectly (the cell is right).
GT2 = _gt(2, [[0, 0, 10, 40], [20, 0, 30, 40]], ['X', 'Y'])
PRED2 = _pred(2, [([0, 0, 10, 40], 0.99, 'X'), ([20, 0, 30, 40], 0.98, 'Y')])


def test_hand_drawn_counts_default_and_strict():
    out = karyotype_errors([PRED1, PRED2], [GT1, GT2], C)
    # Calls: 1, 5, 21, X (image 1) + X, Y = 6; chromosomes 6.
    assert out['num_pred'] == 6 and out['num_gt'] == 6
    assert out['tp'] == 3 and out['misclassified'] == 2
    assert out['Acc'] == pytest.approx(3 / 6)
    # FP = 2 misclassified + 1 spurious, FN = 1 missed (chr 13).
    assert out['AER'] == pytest.approx(4 / 6)
    assert out['err_within_group'] == pytest.approx(1 / 6)
    assert out['err_across_group'] == pytest.approx(1 / 6)
    assert out['spurious'] == pytest.approx(1 / 6)
    assert out['missed'] == pytest.approx(1 / 6)
    assert out['AER'] == pytest.approx(
        out['err_within_group']
        + out['err_across_group']
        + out['spurious']
        + out['missed']
    )
    assert out['whole_cell_correct'] == 0.5
    assert out['num_cells_correct'] == 1
    strict = karyotype_errors([PRED1, PRED2], [GT1, GT2], C, strict=True)
    assert strict['Acc'] == pytest.approx(3 / 6)
    # FN also counts the 2 misclassified chromosomes: (3 + 3) / 6.
    assert strict['AER'] == pytest.approx(6 / 6)


def test_thresholds_are_options():
    # Score 0.3 allowed: chromosome 13 is found.
    out = karyotype_errors([PRED1], [GT1], C, score_thr=0.25)
    assert out['tp'] == 2 and out['missed'] == 0
    # NMS switched off (IoU > 1 never happens): the duplicate '2' call on
    # chromosome 2 stays; the '21' call took the box first, so it is
    # spurious.
    out = karyotype_errors([PRED1], [GT1], C, nms_iou=1.0)
    assert out['num_pred'] == 5 and out['spurious'] == pytest.approx(2 / 4)
    # A stricter match: a call shifted by 3 px (IoU 0.625) is no match at
    # IoU 0.7.
    shifted = _pred(1, [([3, 0, 13, 40], 0.9, '1')])
    gt = _gt(1, [[0, 0, 10, 40]], ['1'])
    assert karyotype_errors([shifted], [gt], C)['tp'] == 1
    out = karyotype_errors([shifted], [gt], C, iou_thr=0.7)
    assert out['tp'] == 0 and out['missed'] == 1.0


def test_one_to_one_matching_takes_the_best_free_box():
    gt = np.array([[0, 0, 10, 40], [4, 0, 14, 40]], float)
    # Call A (higher score): IoU 0.82 with box 0, 0.54 with box 1. Call B:
    # 0.74 with box 0 (taken by A), 0.60 with box 1, so B gets box 1.
    calls = np.array([[1, 0, 11, 40], [1.5, 0, 11.5, 40]], float)
    assert match_calls(calls, gt).tolist() == [0, 1]
    # Two calls on one box, the second overlapping nothing else: spurious.
    calls = np.array([[0, 0, 10, 40], [0, 0, 10, 30]], float)
    assert match_calls(calls, gt[:1]).tolist() == [0, -1]
    # A call on an ignored (crowd) box only: -2, left out of the counts.
    assert match_calls(calls[:1], np.zeros((0, 4)), 0.5, gt[:1]).tolist() == [
        -2
    ]


def test_calls_on_ignored_boxes_are_not_counted():
    gt = dict(
        _gt(1, [[0, 0, 10, 40]], ['1']),
        bboxes_ignore=np.array([[50, 0, 60, 40]], float),
        labels_ignore=np.array([L['1']]),
    )
    pred = _pred(1, [([0, 0, 10, 40], 0.9, '1'), ([50, 0, 60, 40], 0.8, '3')])
    out = karyotype_errors([pred], [gt], C)
    assert out['num_pred'] == 1 and out['Acc'] == 1 and out['AER'] == 0
    assert out['whole_cell_correct'] == 1


def test_empty_images_and_undefined_rates():
    gt = _gt(5, np.zeros((0, 4)), [])
    out = karyotype_errors([], [gt], C)
    assert np.isnan(out['Acc']) and np.isnan(out['AER'])
    assert out['whole_cell_correct'] == 1.0  # 0 predicted == 0 true
    # An annotated image without a prediction entry: everything missed.
    out = karyotype_errors([], [GT2], C)
    assert out['missed'] == 1.0 and out['AER'] == 1.0
    assert np.isnan(out['Acc'])


def test_error_rates_from_counts():
    assert error_rates(8, 1, 1, 2) == pytest.approx((0.8, 4 / 11))
    assert error_rates(8, 1, 1, 2, strict=True) == pytest.approx((0.8, 5 / 11))


def test_bad_input_is_named():
    with pytest.raises(ValueError, match=r'annotations do not have: 9'):
        karyotype_errors([_pred(9, [])], [GT1], C)
    bad = dict(PRED1, labels=PRED1['labels'] + 20)
    with pytest.raises(ValueError, match=r'image id 1.*\[24, 32, 40, 42\]'):
        karyotype_errors([bad], [GT1], C)


def test_confusion_matrix_matches_the_counts():
    cm = confusion_matrix([PRED1, PRED2], [GT1, GT2])
    assert cm.shape == (C + 1, C + 1) and cm[C, C] == 0
    assert cm[L['1'], L['1']] == 1 and cm[L['4'], L['5']] == 1
    assert cm[L['2'], L['21']] == 1 and cm[L['13'], C] == 1
    assert cm[C, L['X']] == 1 and cm[L['Y'], L['Y']] == 1
    assert np.trace(cm[:C, :C]) == 3 and cm.sum() == 3 + 2 + 1 + 1
    order, spans = denver_order()
    assert sorted(order) == list(range(C))
    assert [g for g, _, _ in spans] == list('ABCDEFG')
    assert order[spans[2][2] - 1] == L['X'] and order[-1] == L['Y']
    moved = reorder(cm, order)
    assert moved.sum() == cm.sum() and moved[-1, -1] == 0
    assert (
        moved[order.index(L['X']), order.index(L['X'])] == cm[L['X'], L['X']]
    )
