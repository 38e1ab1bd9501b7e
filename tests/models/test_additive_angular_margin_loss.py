import math

import pytest
import torch

from deepacc.models.losses import AdditiveAngularMarginLoss
from deepacc.models.losses.additive_angular_margin_loss import aam_logits


def _hand_loss(cos_row, label, s, m):
    """Eq. 1 of the paper for one sample, with the ArcFace fallback."""
    theta = math.acos(cos_row[label])
    if theta + m <= math.pi:
        target = math.cos(theta + m)
    else:
        target = cos_row[label] - m * math.sin(m)
    logits = [s * c for c in cos_row]
    logits[label] = s * target
    log_norm = math.log(sum(math.exp(v) for v in logits))
    return log_norm - logits[label], logits


COS = [[0.8, 0.1, -0.2], [0.3, 0.6, 0.0], [0.5, 0.2, -0.95]]
LABELS = [0, 2, 2]


def test_aam_logits_match_formula():
    s, m = 2.0, 0.5
    logits = aam_logits(torch.tensor(COS), torch.tensor(LABELS), s, m)
    for row, label, got in zip(COS, LABELS, logits):
        _, expected = _hand_loss(row, label, s, m)
        assert got.tolist() == pytest.approx(expected, abs=1e-5)
    # Sample 0 by hand: cos(acos(0.8) + 0.5) = 0.8 cos .5 - .6 sin .5.
    assert logits[0, 0].item() == pytest.approx(
        2 * (0.8 * math.cos(0.5) - 0.6 * math.sin(0.5)), abs=1e-5
    )
    # Sample 2: theta + m > pi, so the target is cos - m sin m.
    assert logits[2, 2].item() == pytest.approx(
        2 * (-0.95 - 0.5 * math.sin(0.5)), abs=1e-5
    )


def test_aam_loss_mean_and_weight():
    s, m = 2.0, 0.5
    hand = [_hand_loss(r, y, s, m)[0] for r, y in zip(COS, LABELS)]
    loss_fn = AdditiveAngularMarginLoss(scale=s, margin=m, loss_weight=0.1)
    loss = loss_fn(torch.tensor(COS), torch.tensor(LABELS))
    assert loss.item() == pytest.approx(0.1 * sum(hand) / 3, rel=1e-5)
    weight = torch.tensor([1.0, 0.0, 1.0])
    loss = loss_fn(
        torch.tensor(COS), torch.tensor(LABELS), weight, avg_factor=2.0
    )
    assert loss.item() == pytest.approx(
        0.1 * (hand[0] + hand[2]) / 2, rel=1e-5
    )
    none = loss_fn(
        torch.tensor(COS), torch.tensor(LABELS), reduction_override='none'
    )
    assert none.tolist() == pytest.approx([0.1 * h for h in hand], rel=1e-5)


def test_margin_mask_and_zero_margin():
    cos = torch.tensor(COS)
    labels = torch.tensor(LABELS)
    masked = aam_logits(
        cos, labels, 2.0, 0.5, margin_mask=torch.tensor([True, False, True])
    )
    plain = aam_logits(cos, labels, 2.0, 0.0)
    assert torch.allclose(plain, 2 * cos)
    assert torch.allclose(masked[1], 2 * cos[1])
    assert not torch.allclose(masked[0], 2 * cos[0])


@pytest.mark.parametrize('margin', [0.25, 0.0])
def test_finite_gradients_at_cos_plus_minus_one(margin):
    cos = torch.tensor(
        [[1.0, -1.0, 0.0], [-1.0, 1.0, 1.0], [0.0, 1.0, -1.0]],
        requires_grad=True,
    )
    labels = torch.tensor([0, 0, 2])
    loss = AdditiveAngularMarginLoss(margin=margin)(cos, labels)
    loss.backward()
    assert torch.isfinite(loss)
    assert torch.isfinite(cos.grad).all()


def test_empty_input_gives_zero_with_graph():
    cos = torch.zeros(0, 5, requires_grad=True)
    loss = AdditiveAngularMarginLoss()(cos, torch.zeros(0, dtype=torch.long))
    assert loss.item() == 0
    loss.backward()
