"""Cluster-type scores against hand-computed values."""

import numpy as np
import pytest
from mmengine.structures import BaseDataElement

from deepacc.evaluation import ClusterTypeMetric
from deepacc.evaluation.functional import cluster_type_scores, type_confusion
from deepacc.evaluation.metrics import cluster_metrics

S, T, OV, TO, D, N = range(6)


def test_confusion_and_scores_by_hand():
    truth = [S, S, S, T, T, OV]
    pred = [S, S, T, T, S, OV]
    m = type_confusion(truth, pred, 3)
    assert m.tolist() == [[2, 1, 0], [1, 1, 0], [0, 0, 1]]
    out = cluster_type_scores(m, groups=[0, 1, 1])
    assert out['accuracy'] == pytest.approx(4 / 6)
    # Sensitivity: single 2/3, touching 1/2, overlapping 1/1.
    assert out['sensitivity'].tolist() == pytest.approx([2 / 3, 1 / 2, 1])
    # Specificity: single: 3 others, 1 called single -> 2/3; touching:
    # 4 others, 1 called touching -> 3/4; overlapping: 5 others, 0 -> 1.
    assert out['specificity'].tolist() == pytest.approx([2 / 3, 3 / 4, 1])
    assert out['macro_sensitivity'] == pytest.approx((2 / 3 + 1 / 2 + 1) / 3)
    assert out['macro_specificity'] == pytest.approx((2 / 3 + 3 / 4 + 1) / 3)
    # Single vs cluster: the S->T and T->S swaps are wrong, 4 of 6.
    assert out['group_accuracy'] == pytest.approx(4 / 6)
    assert out['num_objects'] == 6


def test_undefined_values_are_nan_and_skipped():
    m = type_confusion([S, S], [S, T], 3)
    out = cluster_type_scores(m)
    assert np.isnan(out['sensitivity'][T]) and np.isnan(out['sensitivity'][OV])
    assert out['macro_sensitivity'] == pytest.approx(0.5)
    # No object is "not single": single's specificity is undefined.
    assert np.isnan(out['specificity'][S])
    empty = cluster_type_scores(np.zeros((3, 3)))
    assert np.isnan(empty['accuracy']) and empty['num_objects'] == 0


def test_fragments_are_left_out_and_bad_labels_refused():
    assert type_confusion([S, -1], [S, T], 2).tolist() == [[1, 0], [0, 0]]
    with pytest.raises(ValueError, match='outside'):
        type_confusion([S, 7], [S, S], 6)
    with pytest.raises(ValueError, match='predictions'):
        type_confusion([S, S], [S], 6)


def test_paper_and_two_way_figures():
    """Chromosome objects only for the paper's figures; debris / nucleus
    calls on them are errors; the two-way figure only asks single vs
    cluster."""
    truth = np.array([S, S, T, OV, TO, D, N, -1])
    pred = np.array([S, D, OV, T, TO, D, S, S])
    out = cluster_metrics(truth, pred, ('s', 't', 'o', 'to', 'd', 'n'))
    # All 7 typed objects: right are the first S, TO and D -> 3/7.
    assert out['accuracy'] == pytest.approx(3 / 7)
    # Chromosome objects S, S, T, OV, TO: right S, TO -> 2/5.
    assert out['paper_accuracy'] == pytest.approx(2 / 5)
    # Two-way over those: S->S ok, S->D wrong, T->OV ok, OV->T ok,
    # TO->TO ok -> 4/5.
    assert out['two_way_accuracy'] == pytest.approx(4 / 5)
    # Paper sensitivity: s 1/2, t 0, o 0, to 1 -> 0.375.
    assert out['paper_sensitivity'] == pytest.approx(0.375)
    # Paper specificity among the 5 chromosome objects: s: 3 others, none
    # called s -> 1; t: 4 others, OV called t -> 3/4; o: 4 others, T
    # called o -> 3/4; to: 4 others, none -> 1; mean 0.875.
    assert out['paper_specificity'] == pytest.approx(0.875)
    assert out['num_objects'] == 7 and out['num_fragments'] == 1
    # Nucleus called single: single's specificity over all 7 objects:
    # 5 others, 1 (N) called single -> 4/5.
    assert out['specificity_s'] == pytest.approx(4 / 5)


def test_metric_process_and_compute():
    metric = ClusterTypeMetric()
    samples = []
    for truth, pred in (([S, T], [S, S]), ([OV], [OV]), ([], [])):
        sample = BaseDataElement()
        sample.gt_labels = np.asarray(truth, np.int64)
        sample.pred_labels = np.asarray(pred, np.int64)
        samples.append(sample)
    metric.process({}, samples)
    out = metric.compute_metrics(metric.results)
    assert out['accuracy'] == pytest.approx(2 / 3)
    assert out['sensitivity_touching'] == 0.0
    assert out['sensitivity_single'] == 1.0
    assert out['num_objects'] == 3
    assert metric.confusion.shape == (6, 6) and metric.confusion.sum() == 3
    assert all(np.isscalar(v) for v in out.values())
