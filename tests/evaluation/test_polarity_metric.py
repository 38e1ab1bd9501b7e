"""Polarity accuracy in the karyotype errors and ChromosomeMetric."""

import numpy as np
import pytest
import torch

from deepacc.chromosomes import CLASSES
from deepacc.evaluation import ChromosomeMetric
from deepacc.evaluation.functional import karyotype_errors

L = {name: i for i, name in enumerate(CLASSES)}

# Three chromosomes in a row; calls: two right (one of unknown polarity),
# one misclassified. Polarity accuracy counts right calls of known
# polarity only: call 0 (truth up, said up 0.8: right) and call 3 (truth
# down, said up 0.6: wrong) -> 1 / 2. Call 1 is misclassified and call 2
# hits a chromosome of unknown polarity: neither counts.
GT = dict(
    img_id=1,
    bboxes=np.array(
        [[0, 0, 10, 40], [20, 0, 30, 40], [40, 0, 50, 40], [60, 0, 70, 40]],
        float,
    ),
    labels=np.array([L['1'], L['2'], L['3'], L['4']]),
    polarity=np.array([1, 0, -1, 0]),
)
PRED = dict(
    img_id=1,
    bboxes=GT['bboxes'].copy(),
    scores=np.array([0.9, 0.9, 0.9, 0.9]),
    labels=np.array([L['1'], L['5'], L['3'], L['4']]),
    polarity=np.array([0.8, 0.1, 0.2, 0.6]),
)


def test_polarity_accuracy_by_hand():
    errors = karyotype_errors([PRED], [GT], len(CLASSES))
    assert errors['tp'] == 3
    assert errors['polarity_known'] == 2
    assert errors['polarity_acc'] == pytest.approx(0.5)
    no_pol = {k: v for k, v in PRED.items() if k != 'polarity'}
    assert np.isnan(karyotype_errors([no_pol], [GT], 24)['polarity_acc'])


def test_metric_reports_polarity_only_for_models_that_predict_it():
    def sample(pred):
        tensors = {
            k: torch.as_tensor(v) for k, v in pred.items() if k != 'img_id'
        }
        return dict(
            img_id=1,
            gt_instances={
                k: torch.as_tensor(v) for k, v in GT.items() if k != 'img_id'
            },
            pred_instances=tensors,
            pred_top1_instances=tensors,
        )

    metric = ChromosomeMetric()
    metric.process({}, [sample(PRED)])
    assert metric.compute_metrics(metric.results)[
        'polarity_acc'
    ] == pytest.approx(0.5)
    stock = {k: v for k, v in PRED.items() if k != 'polarity'}
    metric = ChromosomeMetric()
    metric.process({}, [sample(stock)])
    assert 'polarity_acc' not in metric.compute_metrics(metric.results)
