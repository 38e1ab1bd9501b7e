"""Bent chromosomes (deepacc/synthesis/bend.py) and the composer's bend
step."""

import math

import numpy as np
import pytest

from deepacc.synthesis import ComposeOptions, compose_metaphase
from deepacc.synthesis.bend import BendOptions, bend, bend_opacity, elongation

from .test_appearance import _cell


def _bar(h=100, w=10):
    return np.ones((h, w), np.float32)


def _box(opacity):
    ys, xs = np.nonzero(opacity > 0.5)
    return xs.min(), ys.min(), xs.max() + 1, ys.max() + 1


def test_right_angle_bend_by_hand():
    # A 100 x 10 bar bent 90 degrees in the middle over 20 px (a fifth):
    # 40 px straight down, a quarter circle of length 20 (radius
    # 20 / (pi / 2) = 12.73), then 40 px straight along +x. The axis ends
    # 12.73 + 40 = 52.73 px right of and 40 + 12.73 = 52.73 px below
    # where it started; the bar's half width (5) lies left of the upper
    # arm and below the lower one, whose ends are cut square.
    out = bend_opacity(_bar(), 90.0, position=0.5, span=0.2)
    x1, y1, x2, y2 = _box(out)
    radius = 20 / (math.pi / 2)
    assert x2 - x1 == pytest.approx(5 + radius + 40, abs=1.5)
    assert y2 - y1 == pytest.approx(40 + radius + 5, abs=1.5)
    # The stain is neither lost nor doubled (the inner side of the arc
    # is squeezed, the outer stretched: the same on average).
    assert out.sum() == pytest.approx(_bar().sum(), rel=0.05)
    # Above the bend the bar is as it was: 10 px wide, upright.
    top = out[y1 : y1 + 30] > 0.5
    assert (top.sum(axis=1) == 10).all()
    # The bottom arm runs along +x: its rows hold the 10 px of width.
    assert (out[y2 - 10 : y2, x2 - 20 : x2 - 1] > 0.5).sum(axis=0).max() == 10


def test_bend_direction_and_no_bend():
    bar = _bar()
    assert np.array_equal(bend_opacity(bar, 0.0), bar)
    left = bend_opacity(bar, -90.0, position=0.5, span=0.2)
    right = bend_opacity(bar, 90.0, position=0.5, span=0.2)
    # Mirror images: the arm goes to the other side.
    assert np.allclose(left, right[:, ::-1], atol=0.02)


def test_tight_bend_keeps_the_inner_edge_from_folding():
    # 180 degrees over 1% of the length would fold a 10-px bar; the arc
    # is lengthened to pi * 0.6 * 10 = 18.8 px (radius 6 > half width).
    out = bend_opacity(_bar(), 180.0, position=0.5, span=0.01)
    x1, _, x2, _ = _box(out)
    # A U: two arms side by side, 2 * 6 px apart at the axis.
    assert x2 - x1 == pytest.approx(2 * 6 + 10, abs=2)
    assert out.sum() == pytest.approx(_bar().sum(), rel=0.08)


def test_bend_crop_grey_levels_and_elongation():
    crop = np.full((80, 16), 240, np.uint8)
    crop[5:75, 4:12] = 60
    assert elongation(crop) == pytest.approx(70 / 8)
    out = bend(crop, 120.0, background='white')
    # Same background and stain levels.
    assert out[0, 0] == 240 and out.min() == 60
    black = bend(255 - crop, 120.0, background='black')
    assert black[0, 0] == 15 and black.max() == 195


def test_bend_options_sample():
    rng = np.random.default_rng(0)
    assert BendOptions(rate=0.0).sample(rng) is None
    opts = BendOptions(rate=1.0, angle=(30, 60), position=(0.4, 0.6))
    drawn = [opts.sample(rng) for _ in range(40)]
    angles = np.array([d['angle'] for d in drawn])
    assert ((np.abs(angles) >= 30) & (np.abs(angles) <= 60)).all()
    assert (angles > 0).any() and (angles < 0).any()
    assert all(0.4 <= d['position'] <= 0.6 for d in drawn)
    with pytest.raises(ValueError, match='rate'):
        BendOptions(rate=2.0)


def test_compose_bent_cells():
    def boxes(**options):
        opts = ComposeOptions.from_kwargs(width=320, height=240, **options)
        _, sprites, _ = compose_metaphase(
            _cell(), np.random.default_rng(0), opts
        )
        return sprites

    plain = boxes()
    bent = boxes(bend=dict(rate=1.0, angle=(90, 150), min_length=0.0))
    assert [s.label for s in bent] == [s.label for s in plain]

    def squareness(sprites):
        # Short side over long side of each box: 1 for a U, low for a
        # straight long chromosome whatever its turn.
        return np.mean([min(s.shape) / max(s.shape) for s in sprites])

    assert squareness(bent) > squareness(plain) + 0.1
    # Too short to bend at min_length 100: every crop stays straight.
    straight = boxes(bend=dict(rate=1.0, min_length=100.0))
    assert squareness(straight) == pytest.approx(squareness(plain), abs=0.1)
