"""LocalCenterClassifier: cosines, local centres per image, siamese logits;
and the centre statistics of the training log."""

import math

import pytest
import torch

from deepacc.models import LocalCenterClassifier
from deepacc.models.utils import center_stats

R = 1 / math.sqrt(2)

# Image 0: rows 0-2, image 1: rows 3-4.
FEATS = torch.tensor(
    [[3.0, 4.0], [1.0, 0.0], [0.0, 2.0], [0.0, 1.0], [2.0, 0.0]]
)
# Centre scores (in the head, softmax(s * cos)); written by hand.
SCORES = torch.tensor(
    [
        [0.9, 0.1, 0.0],
        [0.7, 0.2, 0.0],
        [0.1, 0.3, 0.9],
        [0.2, 0.95, 0.0],
        [0.6, 0.1, 0.0],
    ]
)
IMG = torch.tensor([0, 0, 0, 1, 1])
GLOBAL = torch.tensor([[1.0, 0.0], [R, R], [-R, -R]])  # normalised W_M
BIAS = torch.tensor([0.1, 0.2, 0.3])


def _layer(**kwargs):
    """2 classes + background, 2-d features, hand-set weights."""
    layer = LocalCenterClassifier(2, 3, **kwargs)
    with torch.no_grad():
        layer.weight.copy_(
            torch.tensor([[1.0, 0.0], [1.0, 1.0], [-1.0, -1.0]])
        )
        if layer.bias is not None:
            layer.bias.copy_(BIAS)
    return layer


def test_local_centres_are_chosen_per_image_with_delta_fallback():
    layer = _layer(delta=0.5)
    weights, rows, centers, best = layer.local_weights(FEATS, SCORES, IMG)
    # Image 0: class 0 -> row 0 (0.9 > delta), class 1: best is 0.3 <=
    # delta -> global weight; background always global.
    # Image 1: class 0 -> row 4 (0.6), class 1 -> row 3 (0.95).
    assert centers.tolist() == [[0, -1, -1], [4, 3, -1]]
    assert rows.tolist() == [0, 0, 0, 1, 1]
    assert torch.allclose(
        best, torch.tensor([[0.9, 0.3, 0.9], [0.6, 0.95, 0]])
    )
    assert torch.allclose(
        weights[0], torch.tensor([[0.6, 0.8], [R, R], [-R, -R]])
    )
    assert torch.allclose(
        weights[1], torch.tensor([[1.0, 0.0], [0.0, 1.0], [-R, -R]])
    )
    logits = layer.siamese_logits(FEATS, SCORES, IMG)[0]
    # W_I,j . x (x not normalised) + b_j, by hand.
    expected = torch.tensor(
        [
            [3 * 0.6 + 4 * 0.8 + 0.1, 7 * R + 0.2, -7 * R + 0.3],
            [0.6 + 0.1, R + 0.2, -R + 0.3],
            [2 * 0.8 + 0.1, 2 * R + 0.2, -2 * R + 0.3],
            [0 + 0.1, 1 + 0.2, -R + 0.3],
            [2 + 0.1, 0 + 0.2, -2 * R + 0.3],
        ]
    )
    assert torch.allclose(logits, expected, atol=1e-6)
    # Without image indices the class-1 centre of image 1 (row 3) would
    # leak into image 0.
    mixed = layer.siamese_logits(FEATS, SCORES, None)[0]
    assert mixed[0, 1].item() == pytest.approx(4 + 0.2, abs=1e-6)


def test_without_centres_every_image_uses_the_global_weights():
    """``use_centers=False`` (the head's warm-up): ``W_M,j . x + b_j``."""
    layer = _layer()
    logits, centers, _ = layer.siamese_logits(
        FEATS, SCORES, IMG, use_centers=False
    )
    assert (centers == -1).all()
    assert torch.allclose(logits, FEATS @ GLOBAL.t() + BIAS)


def test_absent_class_falls_back_to_global():
    # A class whose best score stays under delta in every image uses W_M.
    low = SCORES.clone()
    low[:, 0] = 0.1
    _, _, centers, _ = _layer().local_weights(FEATS, low, IMG)
    assert (centers[:, 0] == -1).all()
    assert centers[1, 1].item() == 3


@pytest.mark.parametrize('detach', [True, False])
def test_detach_centers(detach):
    layer = _layer(detach_centers=detach)
    feats = FEATS.clone().requires_grad_(True)
    logits = layer.siamese_logits(feats, SCORES, IMG)[0]
    # Row 1's class-0 logit uses row 0's feature as the centre.
    logits[1, 0].backward()
    grad_row0 = feats.grad[0].abs().sum().item()
    assert (grad_row0 == 0) == detach


def test_forward_cosines_probabilities_and_no_siamese():
    layer = _layer(scale=4.0, delta=0.5)
    cls_score, outs = layer(FEATS, IMG)
    norms = FEATS.norm(dim=1, keepdim=True)
    cos = FEATS @ GLOBAL.t() / norms
    assert torch.allclose(outs['cos_score'], cos, atol=1e-6)
    assert torch.allclose(
        layer.center_scores(cos), torch.softmax(4 * cos, dim=1)
    )
    # The centres are picked by softmax(scale * cos).
    want = layer.siamese_logits(FEATS, torch.softmax(4 * cos, dim=1), IMG)
    assert torch.equal(cls_score, want[0])
    assert torch.equal(outs['center_inds'], want[1])
    plain = _layer(scale=4.0, with_siamese=False)
    assert plain.bias is None
    cls_score, outs = plain(FEATS, IMG)
    assert torch.allclose(cls_score, 4 * cos, atol=1e-6)
    assert set(outs) == {'cos_score'}


def test_the_bias_starts_at_zero_and_zero_rois():
    layer = LocalCenterClassifier(8, 3)
    assert layer.bias.tolist() == [0.0, 0.0, 0.0]
    cls_score, outs = layer(torch.zeros(0, 8), torch.zeros(0))
    assert cls_score.shape == (0, 3)
    assert outs['center_inds'].shape == (0, 3)
    cls_score.sum().backward()


def test_center_stats_by_hand():
    """Centres of the first test: [[0, -1, -1], [4, 3, -1]], best scores
    [[0.9, 0.3, 0.9], [0.6, 0.95, 0.0]]."""
    _, _, centers, best = _layer().local_weights(FEATS, SCORES, IMG)
    # Image 0 has classes 0 and 1 (row 2 is background), image 1 has
    # 0 (row 3) and 1 (row 4): 4 present (image, class) pairs. Centres are
    # used for 3 of them (image 0 class 1 falls back: 0.3 <= delta); only
    # image 0's class-0 centre (row 0, label 0) is of its class: row 4
    # (label 1) stands for class 0 and row 3 (label 0) for class 1.
    labels = torch.tensor([0, 1, 2, 0, 1])
    stats = center_stats(labels, IMG.float(), centers, best)
    assert stats['center_frac'].item() == pytest.approx(3 / 4)
    assert stats['center_score'].item() == pytest.approx(
        (0.9 + 0.3 + 0.6 + 0.95) / 4
    )
    assert stats['center_acc'].item() == pytest.approx(1 / 3)
    # Image 1 all class 1: present pairs (0,0), (0,1), (1,1); used (0,0)
    # and (1,1), both right.
    labels = torch.tensor([0, 1, 2, 1, 1])
    stats = center_stats(labels, IMG.float(), centers, best)
    assert stats['center_frac'].item() == pytest.approx(2 / 3)
    assert stats['center_score'].item() == pytest.approx(
        (0.9 + 0.3 + 0.95) / 3
    )
    assert stats['center_acc'].item() == 1.0
