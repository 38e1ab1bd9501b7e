"""ChromosomeCropClassifier's test-time flips: class probabilities are
averaged over the views, and a view that puts the p-arm at the other end
(upside-down mirror, 180-degree turn) counts its polarity the other way
round."""

import math

import numpy as np
import pytest
import torch
from mmdet.registry import MODELS
from torch import nn

import deepacc  # noqa: F401
from deepacc.testing import TINY_CROP_CLASSIFIER as TINY


def _model(flips=(), **head):
    cfg = dict(TINY, head=dict(TINY['head'], **head))
    torch.manual_seed(0)
    model = MODELS.build(
        dict(
            type='ChromosomeCropClassifier',
            test_cfg=dict(flips=list(flips)),
            **cfg,
        )
    )
    model.init_weights()
    return model.eval()


class _HandHead(nn.Module):
    """A stand-in head on the raw pixels (``extract_feat`` is the
    identity): class 0's logit is 2 * (left column - right column) ink,
    class 1's the opposite, the others 0 and background -inf; the
    p-arm-up logit is 3 * (top row - bottom row) ink."""

    num_classes = 24

    def forward(self, x, cell_inds):
        ink = x[:, 0]
        side = ink[:, :, 0].mean(1) - ink[:, :, -1].mean(1)
        cls_score = torch.zeros(len(x), 25)
        cls_score[:, 0] = 2 * side
        cls_score[:, 1] = -2 * side
        cls_score[:, 24] = -math.inf
        up = ink[:, 0].mean(1) - ink[:, -1].mean(1)
        return cls_score, None, dict(polarity_pred=3 * up)


def _hand_model(flips):
    model = _model(flips)
    model.head = _HandHead()
    model.extract_feat = lambda x: x
    return model


def _corner_crop():
    """One 4x3 crop inked in its top row and left column only: top row
    mean 1, bottom row 1/3; left column 1, right column 1/4."""
    crop = torch.zeros(1, 1, 4, 3)
    crop[0, 0, 0, :] = 1
    crop[0, 0, :, 0] = 1
    return crop


def _softmax_01(a):
    """Probabilities of classes 0 and 1 for logits (a, -a, 0 x 22)."""
    total = math.exp(a) + math.exp(-a) + 22
    return math.exp(a) / total, math.exp(-a) / total


def _sigmoid(v):
    return 1 / (1 + math.exp(-v))


def test_hand_made_views_are_averaged_and_polarity_inverted():
    # As it is: side = 1 - 1/4 = 3/4, class-0 logit 1.5; up = 1 - 1/3,
    # polarity logit 2. Mirrored left-right: class-0 logit -1.5, polarity
    # the same. Upside down: class logit 1.5, polarity logit -2, counted
    # as 1 - sigmoid(-2) = sigmoid(2). Turned (both): -1.5 and sigmoid(2).
    p0, p1 = _softmax_01(1.5)
    p_up = _sigmoid(2.0)
    expected = {
        (): (p0, p1, p_up),
        ('horizontal',): ((p0 + p1) / 2, (p0 + p1) / 2, p_up),
        ('vertical',): (p0, p1, p_up),
        ('horizontal', 'vertical', 'diagonal'): (
            (p0 + p1) / 2,
            (p0 + p1) / 2,
            p_up,
        ),
    }
    for flips, (e0, e1, e_up) in expected.items():
        (result,) = _hand_model(flips).predict([_corner_crop()])
        scores = result['scores'][0]
        assert float(scores[0]) == pytest.approx(e0, abs=1e-6), flips
        assert float(scores[1]) == pytest.approx(e1, abs=1e-6), flips
        assert float(result['polarity_probs'][0]) == pytest.approx(
            e_up, abs=1e-6
        ), flips


def test_polarity_not_inverted_would_be_caught():
    # Without the inversion the upside-down view would pull the p-arm-up
    # probability to (sigmoid(2) + sigmoid(-2)) / 2 = 0.5.
    (result,) = _hand_model(['vertical']).predict([_corner_crop()])
    assert float(result['polarity_probs'][0]) > 0.85


@pytest.mark.parametrize('with_siamese', [True, False])
def test_flipped_cell_reads_the_same_with_all_flips(with_siamese):
    """With h+v+d the views of a cell and of its flipped copy are the
    same four, so the classes agree and the p-arm-up probability of an
    upside-down or turned cell is 1 - that of the cell."""
    model = _model(
        ('horizontal', 'vertical', 'diagonal'), with_siamese=with_siamese
    )
    torch.manual_seed(1)
    cell = torch.rand(5, 1, 32, 16)
    with torch.no_grad():
        (ref,) = model.predict([cell])
        for dims, turns in (((-1,), False), ((-2,), True), ((-2, -1), True)):
            (out,) = model.predict([cell.flip(dims)])
            np.testing.assert_allclose(out['scores'], ref['scores'], atol=1e-5)
            expected = (
                1 - ref['polarity_probs'] if turns else ref['polarity_probs']
            )
            np.testing.assert_allclose(
                out['polarity_probs'], expected, atol=1e-5
            )
    assert not torch.allclose(ref['polarity_probs'], 1 - ref['polarity_probs'])


def test_unknown_flip_is_refused():
    with pytest.raises(ValueError, match='unknown test flips'):
        _model(['upside-down'])
