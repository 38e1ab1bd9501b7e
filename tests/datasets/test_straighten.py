import numpy as np
import pytest

from deepacc.datasets.straighten import (
    FILL,
    centre_path,
    rectangle_fill,
    straighten_crop,
)
from deepacc.testing import (
    band_ink,
    bent_chromosome_crop,
    draw_chromosome_along,
)

WIDTH = 10.0


@pytest.fixture(scope='module')
def bent():
    return bent_chromosome_crop(WIDTH)


def _profile(straight: np.ndarray) -> np.ndarray:
    """Ink along the rows of a straightened crop (its middle columns)."""
    mid = straight.shape[1] // 2
    return 1 - straight[:, mid - 2 : mid + 3].mean(1) / 255


def test_an_l_is_laid_out_straight_top_end_first(bent):
    gray, length = bent
    assert rectangle_fill(gray < 250) < FILL
    straight = straighten_crop(gray)
    # As long as the arc (about 133 px), as wide as 1.5 widths or so.
    assert abs(straight.shape[0] - length) < 0.1 * length
    assert straight.shape[1] < 3 * WIDTH
    # The bands read along the rows where the arc put them, first one
    # near the top: the start is the end that was on top.
    rows = np.arange(straight.shape[0])
    expected = band_ink(rows * length / straight.shape[0], length)
    profile = _profile(straight)
    assert np.corrcoef(profile, expected)[0, 1] > 0.8
    dark = rows[profile > 0.8]
    assert dark.min() == pytest.approx(0.2 * length, abs=0.06 * length)


def test_straightening_commutes_with_the_turn(bent):
    gray, _ = bent
    straight = straighten_crop(gray)
    turned = straighten_crop(gray[::-1, ::-1].copy())
    assert abs(turned.shape[0] - straight.shape[0]) <= 2

    def match(a, b):
        """Best correlation of two profiles shifted by up to 2 rows."""
        rows = min(len(a), len(b)) - 4
        return max(
            np.corrcoef(a[i : i + rows], b[2 : 2 + rows])[0, 1]
            for i in range(5)
        )

    # The turned crop straightened is the straightened crop turned, not
    # the straightened crop itself (the bands are not symmetric).
    assert match(_profile(straight[::-1]), _profile(turned)) > 0.95
    assert match(_profile(straight), _profile(turned)) < 0.5


def test_centre_path_starts_on_top_and_runs_the_arc(bent):
    gray, length = bent
    path, width = centre_path(gray)
    assert width == pytest.approx(WIDTH, rel=0.25)
    assert path[0, 1] < path[-1, 1]
    assert path[0] == pytest.approx((25, 8), abs=4)
    assert path[-1] == pytest.approx((85, 70), abs=4)


def test_straight_and_blank_crops_are_left_as_they_are():
    line = np.stack([np.full(300, 20.0), np.linspace(8, 90, 300)], 1)
    bar, _ = draw_chromosome_along(line, WIDTH, (100, 40))
    assert rectangle_fill(bar < 250) > FILL
    assert straighten_crop(bar) is bar
    blank = np.full((30, 20), 255, np.uint8)
    assert straighten_crop(blank) is blank
    assert centre_path(blank)[0] is None
