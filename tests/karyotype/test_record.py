"""The karyotype record: call selection, counts, flags."""

import json

import numpy as np
import pytest

from deepacc.karyotype import build_record
from deepacc.structures import top1_from_multiclass


def test_record_selection_counts_and_flags():
    bboxes = np.array(
        [
            [10, 10, 20, 60],  # 21, kept
            [10, 11, 20, 60],  # IoU 0.98 with the first: suppressed
            [50, 10, 60, 80],  # X, kept but low-confidence
            [80, 10, 90, 80],  # below score_thr: not a call
        ],
        dtype=float,
    )
    scores = np.array([0.9, 0.8, 0.6, 0.4])
    labels = np.array([20, 0, 22, 5])
    record = build_record(
        bboxes, scores, labels, (100, 120), image_path='cell.png', low_conf=0.7
    )
    assert [d['class'] for d in record['detections']] == ['21', 'X']
    assert [d['group'] for d in record['detections']] == ['G', 'C']
    assert [d['low_confidence'] for d in record['detections']] == [False, True]
    assert record['detections'][0]['bbox'] == [10, 10, 20, 60]
    assert record['total'] == 2
    assert record['counts']['21'] == 1 and record['counts']['X'] == 1
    assert record['counts']['1'] == 0 and len(record['counts']) == 24
    changes = [f'-{i}' for i in range(1, 23) for _ in range(2 - (i == 21))]
    assert record['karyotype'] == ','.join(['2', 'X'] + changes)
    assert record['num_low_confidence'] == 1
    assert record['flags'] == [
        'count 2 != 46',
        '1 low-confidence call (score < 0.7)',
    ]
    assert (record['height'], record['width']) == (100, 120)
    json.dumps(record)  # plain JSON types only


def test_record_no_sex_flag_and_thresholds():
    bboxes = np.array([[0, 0, 10, 40], [0, 0, 10, 41]], dtype=float)
    # IoU 40/41 = 0.976: one call at nms_iou 0.7, two at 0.99.
    record = build_record(bboxes, [0.9, 0.95], [0, 0], (50, 50))
    assert record['total'] == 1
    assert record['detections'][0]['score'] == 0.95
    assert 'no sex chromosome called' in record['flags']
    record = build_record(bboxes, [0.9, 0.95], [0, 0], (50, 50), nms_iou=0.99)
    assert record['total'] == 2 and record['karyotype'].startswith('2,?,')


def test_record_keeps_one_call_where_two_classes_share_a_chromosome():
    # IoU 300/500 = 0.6: between the karyotype default (0.4) and the
    # paper's Acc/AER NMS (0.7). A 1 and a 2 on one place are one call.
    bboxes = np.array([[0, 0, 10, 40], [0, 10, 10, 50]], dtype=float)
    record = build_record(bboxes, [0.9, 0.8], [0, 1], (60, 60))
    assert [d['class'] for d in record['detections']] == ['1']
    assert record['settings']['nms_iou'] == 0.4
    record = build_record(bboxes, [0.9, 0.8], [0, 1], (60, 60), nms_iou=0.7)
    assert [d['class'] for d in record['detections']] == ['1', '2']


def test_record_rejects_bad_labels():
    with pytest.raises(ValueError, match='label 24'):
        build_record([[0, 0, 5, 5]], [0.9], [24], (10, 10))
    # Under the call threshold too: a whole-cell reading reads them all.
    with pytest.raises(ValueError, match='label -1 .* for cell.png'):
        build_record(
            [[0, 0, 5, 5], [9, 9, 20, 20]],
            [0.9, 0.1],
            [3, -1],
            (30, 30),
            image_path='cell.png',
        )


def test_empty_record():
    record = build_record(np.zeros((0, 4)), [], [], (10, 10))
    assert record['karyotype'] == '0' and record['detections'] == []
    assert record['flags'] == ['count 0 != 46']


def test_top1_from_multiclass():
    box_a, box_b = [0, 0, 10, 10], [5, 5, 20, 20]
    bboxes = np.array([box_a, box_a, box_b, box_a], dtype=float)
    scores = np.array([0.3, 0.9, 0.5, 0.9])
    labels = np.array([1, 2, 3, 4])
    b, s, lab = top1_from_multiclass(bboxes, scores, labels)
    # Box a: best 0.9, tie between rows 1 and 3 -> the earlier (label 2).
    np.testing.assert_array_equal(b, [box_a, box_b])
    np.testing.assert_array_equal(s, [0.9, 0.5])
    np.testing.assert_array_equal(lab, [2, 3])
    b, s, lab = top1_from_multiclass(np.zeros((0, 4)), [], [])
    assert b.shape == (0, 4) and len(s) == len(lab) == 0
    with pytest.raises(ValueError, match='differ in length'):
        top1_from_multiclass(bboxes, scores[:2], labels)


def _normal_cell_detections():
    """46 separate boxes of a 46,XY cell, each top-1 confident, except
    that one 5 is called 4 (a 5 nearly as likely) and one 7 scores
    under the call threshold."""
    from deepacc.chromosomes import CLASSES, NUM_CLASSES

    names = [n for n in CLASSES[:22] for _ in range(2)] + ['X', 'Y']
    q = np.full((46, NUM_CLASSES + 1), 0.1 / NUM_CLASSES)
    for i, name in enumerate(names):
        q[i, CLASSES.index(name)] = 0.9
    five, seven = names.index('5'), names.index('7') + 1
    q[five] = 0.05 / 23
    q[five, [CLASSES.index('4'), CLASSES.index('5')]] = [0.55, 0.4]
    q[seven] = 0.05 / 23
    q[seven, [CLASSES.index('7'), NUM_CLASSES]] = [0.3, 0.65]
    bboxes = np.array(
        [[20 * i, 0, 20 * i + 10, 40] for i in range(46)], dtype=float
    )
    labels = q[:, :NUM_CLASSES].argmax(1)
    scores = q[np.arange(46), labels]
    return bboxes, scores, labels, q, five, seven


def test_whole_cell_reading_in_the_record():
    bboxes, scores, labels, q, five, seven = _normal_cell_detections()
    calls = build_record(bboxes, scores, labels, (40, 920))
    assert calls['karyotype'] == '45,XY,+4,-5,-7'
    assert 'calls_karyotype' not in calls and 'reading' not in calls
    record = build_record(
        bboxes,
        scores,
        labels,
        (40, 920),
        class_scores=q,
        penalties=(4.0, 6.0),
    )
    assert record['karyotype'] == '46,XY'
    assert record['calls_karyotype'] == '45,XY,+4,-5,-7'
    assert record['reading'] == dict(
        relabelled=1, added=1, removed=0, added_scores=[0.3]
    )
    assert record['settings']['penalties'] == dict(gain=4.0, loss=6.0)
    assert record['settings']['candidate_floor'] == 0.1
    assert record['flags'] == [
        '2 low-confidence calls (score < 0.7)',
        'whole-cell reading changed 1 relabelled, 1 added, 0 removed; '
        'the calls alone read 45,XY,+4,-5,-7',
    ]
    by_box = {tuple(d['bbox']): d for d in record['detections']}
    moved = by_box[tuple(bboxes[five])]
    assert (moved['class'], moved['detector_class']) == ('5', '4')
    assert moved['reading'] == 'relabelled' and moved['score'] == 0.4
    assert moved['detector_score'] == 0.55
    added = by_box[tuple(bboxes[seven])]
    assert (added['class'], added['reading'], added['score']) == (
        '7',
        'added',
        0.3,
    )
    assert sum(d['reading'] == 'call' for d in record['detections']) == 44
    scores_out = [d['score'] for d in record['detections']]
    assert scores_out == sorted(scores_out, reverse=True)
    json.dumps(record)


def test_whole_cell_reading_never_adds_under_the_floor():
    bboxes, scores, labels, q, five, seven = _normal_cell_detections()
    # The 7 scored 0.3: above a floor of 0.25 it is added, under a floor
    # of 0.35 it is no candidate and the cell reads one 7 short.
    kwargs = dict(class_scores=q, penalties=(4.0, 6.0))
    low = build_record(
        bboxes, scores, labels, (40, 920), candidate_floor=0.25, **kwargs
    )
    assert low['karyotype'] == '46,XY'
    assert low['reading']['added_scores'] == [0.3]
    high = build_record(
        bboxes, scores, labels, (40, 920), candidate_floor=0.35, **kwargs
    )
    assert high['karyotype'] == '45,XY,-7'
    assert high['reading'] == dict(
        relabelled=1, added=0, removed=0, added_scores=[]
    )
    assert all(d['reading'] != 'added' for d in high['detections'])
    # A floor above the call threshold still keeps every call.
    above = build_record(
        bboxes, scores, labels, (40, 920), candidate_floor=0.9, **kwargs
    )
    assert above['karyotype'] == high['karyotype']
    with pytest.raises(ValueError, match='candidate_floor'):
        build_record(
            bboxes, scores, labels, (40, 920), candidate_floor=-0.1, **kwargs
        )


def test_whole_cell_reading_needs_one_probability_row_per_detection():
    bboxes, scores, labels, q, _, _ = _normal_cell_detections()
    with pytest.raises(ValueError, match=r'cell.png.*\(46, 25\)'):
        build_record(
            bboxes,
            scores,
            labels,
            (40, 920),
            image_path='cell.png',
            class_scores=q[:, :24],
            penalties=(4.0, 6.0),
        )


def test_object_score_counts_a_chromosome_of_uncertain_class():
    # Two chromosomes far apart. The first is surely a 1; the second is
    # surely a chromosome (background 0.1) but split between 21 and 22
    # (0.45 each): its top-1 score 0.45 misses a 0.5 threshold, its
    # object score 1 - 0.1 = 0.9 makes it.
    bboxes = np.array([[0, 0, 10, 40], [50, 0, 60, 20]], dtype=float)
    q = np.zeros((2, 25))
    q[0, 0], q[0, 24] = 0.95, 0.05
    q[1, 20], q[1, 21], q[1, 24] = 0.45, 0.45, 0.1
    scores, labels = q[:, :24].max(1), q[:, :24].argmax(1)
    by_class = build_record(bboxes, scores, labels, (60, 80), class_scores=q)
    assert by_class['total'] == 1
    assert by_class['settings']['call_score'] == 'class'

    def by_object_score(**kwargs):
        return build_record(
            bboxes,
            scores,
            labels,
            (60, 80),
            class_scores=q,
            call_score='object',
            **kwargs,
        )

    by_object = by_object_score(low_conf=0.7)
    assert by_object['total'] == 2
    second = by_object['detections'][1]
    # Its class is still its top-1 (21 on the tie), with the class
    # probability as its score, flagged as unsure; the object score is
    # recorded beside it.
    assert (second['class'], second['score']) == ('21', 0.45)
    assert second['low_confidence'] and second['object_score'] == 0.9
    assert by_object['detections'][0]['object_score'] == 0.95
    assert by_object['settings']['call_score'] == 'object'
    # Under a 0.92 threshold only the sure 1 is an object call.
    strict = by_object_score(score_thr=0.92)
    assert strict['total'] == 1
    with pytest.raises(ValueError, match='needs class_scores'):
        build_record(bboxes, scores, labels, (60, 80), call_score='object')
    with pytest.raises(ValueError, match='call_score'):
        build_record(bboxes, scores, labels, (60, 80), call_score='fg')


def test_object_score_reading_adds_by_object_score():
    bboxes, scores, labels, q, five, seven = _normal_cell_detections()
    # The same cell with object scores: the 7 (class 0.3, background
    # 0.65) has object score 0.35, no call at 0.5; the reading adds it
    # from that score, and the 5 called 4 (object score 0.9978) is a
    # call relabelled as by class scores.
    kwargs = dict(class_scores=q, penalties=(4.0, 6.0), call_score='object')
    record = build_record(bboxes, scores, labels, (40, 920), **kwargs)
    assert record['karyotype'] == '46,XY'
    assert record['calls_karyotype'] == '45,XY,+4,-5,-7'
    assert record['reading'] == dict(
        relabelled=1, added=1, removed=0, added_scores=[0.35]
    )
    # Under a floor of 0.4 the 7 is no candidate.
    floor = build_record(
        bboxes, scores, labels, (40, 920), candidate_floor=0.4, **kwargs
    )
    assert floor['karyotype'] == '45,XY,-7'
