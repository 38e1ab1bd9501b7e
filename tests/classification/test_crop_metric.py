"""Crop classification scores against hand-computed values."""

import math

import numpy as np
import pytest
import torch

from deepacc.evaluation import CropClassificationMetric
from deepacc.evaluation.functional import crop_classification_scores


def test_scores_by_hand():
    # truth:  0 0 0 1 1 2      called: 0 0 1 1 1 0
    # class 0: TP 2, called 3, true 3 -> P 2/3, R 2/3, F1 2/3
    # class 1: TP 2, called 3, true 2 -> P 2/3, R 1,   F1 0.8
    # class 2: TP 0, called 0, true 1 -> P 0,   R 0,   F1 0
    scores = crop_classification_scores(
        [0, 0, 1, 1, 1, 0],
        [0, 0, 0, 1, 1, 2],
        polarity_probs=[0.9, 0.2, 0.6, 0.5, 0.1, 0.7],
        gt_polarity=[1, 0, 0, 1, -1, -1],
        num_classes=4,
    )
    assert scores['accuracy'] == pytest.approx(4 / 6)
    np.testing.assert_allclose(scores['precision'], [2 / 3, 2 / 3, 0, 0])
    np.testing.assert_allclose(scores['recall'], [2 / 3, 1, 0, 0])
    np.testing.assert_allclose(scores['f1'], [2 / 3, 0.8, 0, 0])
    # Macro F1 over the 3 classes present (class 3 never occurs).
    assert scores['macro_f1'] == pytest.approx((2 / 3 + 0.8 + 0) / 3)
    assert scores['confusion'].tolist() == [
        [2, 1, 0, 0],
        [0, 2, 0, 0],
        [1, 0, 0, 0],
        [0, 0, 0, 0],
    ]
    # Known polarity: 0.9->up (1 ok), 0.2->down (0 ok), 0.6->up (0 wrong),
    # 0.5->up (1 ok); the -1 are left out.
    assert scores['polarity_acc'] == pytest.approx(3 / 4)
    assert scores['num_polarity'] == 4


def test_no_known_polarity_is_nan_and_bad_labels_are_refused():
    scores = crop_classification_scores([1], [1], [0.3], [-1])
    assert scores['accuracy'] == 1 and math.isnan(scores['polarity_acc'])
    with pytest.raises(ValueError, match='0..23'):
        crop_classification_scores([24], [0])
    with pytest.raises(ValueError, match='2 predictions for 1'):
        crop_classification_scores([0, 1], [0])


def test_metric_over_cells_and_confusion_png(tmp_path):
    metric = CropClassificationMetric(classwise=True, out_dir=str(tmp_path))
    metric.process(
        {},
        [
            dict(
                pred_labels=torch.tensor([0, 1]),
                gt_labels=torch.tensor([0, 0]),
                polarity_probs=torch.tensor([0.8, 0.3]),
                gt_polarity=torch.tensor([1, 1]),
            ),
            dict(
                pred_labels=torch.tensor([23]),
                gt_labels=torch.tensor([23]),
                polarity_probs=torch.tensor([0.1]),
                gt_polarity=torch.tensor([0]),
            ),
        ],
    )
    result = metric.evaluate(2)
    assert result['crop/accuracy'] == pytest.approx(2 / 3)
    assert result['crop/polarity_acc'] == pytest.approx(2 / 3)
    assert result['crop/f1_1'] == pytest.approx(2 / 3)  # P 1, R 1/2
    assert result['crop/f1_Y'] == 1
    assert (tmp_path / 'confusion_matrix.png').stat().st_size > 0
    rows = (tmp_path / 'confusion_matrix.csv').read_text().splitlines()
    assert len(rows) == 26  # header, 24 classes, 'spurious' (empty)
