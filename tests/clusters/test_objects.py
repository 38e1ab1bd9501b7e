"""Foreground objects of constructed images, with hand-derived answers."""

import cv2
import numpy as np
import pytest

from deepacc.clusters import (
    BlankImageError,
    NoForegroundError,
    detect_polarity,
    find_objects,
    object_features,
    object_patches,
    object_polygon,
)


def _bars(background=220, ink=60, gradient=0.0):
    """A 120x160 light field with three dark objects:

    - a 6x30 bar at x 10..15, y 10..39 (alone);
    - a cross of a 30x6 and a 6x30 bar centred at (60, 60) (one object);
    - two 6x20 bars side by side at x 110..115 and 116..121, y 80..99
      (touching: one object);
    plus an optional left-to-right illumination ramp of ``gradient``
    grey levels.
    """
    img = np.full((120, 160), background, np.float32)
    img += np.linspace(-gradient / 2, gradient / 2, 160)[None, :]
    img[10:40, 10:16] = ink
    img[57:63, 45:75] = ink
    img[45:75, 57:63] = ink
    img[80:100, 110:116] = ink
    img[80:100, 116:122] = ink
    return np.clip(img, 0, 255).astype(np.uint8)


def _sorted_boxes(objects):
    return sorted(tuple(int(v) for v in b) for b in objects.boxes)


EXPECTED = [(10, 10, 6, 30), (45, 45, 30, 30), (110, 80, 12, 20)]


def test_three_objects_with_their_boxes_and_areas():
    objects = find_objects(_bars())
    assert objects.polarity == 'dark'
    assert _sorted_boxes(objects) == EXPECTED
    # The 3x3 median that removes noise also takes each convex corner
    # pixel (4 of its 9 neighbours are ink) and fills each concave one
    # (5 of 9): bar 6*30 - 4; two bars 12*20 - 4; cross 2*6*30 - 6*6,
    # minus 8 convex, plus 4 concave corners.
    assert sorted(objects.areas.tolist()) == [176, 236, 320]
    assert objects.num_small == 0


def test_light_objects_on_dark_are_found_alike():
    image = 255 - _bars()
    assert detect_polarity(image) == 'light'
    objects = find_objects(image)
    assert objects.polarity == 'light'
    assert _sorted_boxes(objects) == EXPECTED


def test_an_illumination_ramp_is_not_foreground():
    """A 60-level ramp is 27% of the background: a global threshold would
    take its dark end; the fitted background does not."""
    objects = find_objects(_bars(gradient=60.0))
    assert _sorted_boxes(objects) == EXPECTED


def test_colour_input_and_min_area():
    image = cv2.cvtColor(_bars(), cv2.COLOR_GRAY2BGR)
    objects = find_objects(image, min_area=200)
    assert sorted(objects.areas.tolist()) == [236, 320]
    assert objects.num_small == 1


def test_blank_and_empty_images_are_refused():
    with pytest.raises(BlankImageError, match='blank image'):
        find_objects(np.full((50, 60), 200, np.uint8))
    noise = np.random.default_rng(0).normal(200, 2, (80, 100))
    with pytest.raises(NoForegroundError):
        find_objects(np.clip(noise, 0, 255).astype(np.uint8))
    with pytest.raises(ValueError, match='polarity must be'):
        find_objects(_bars(), polarity='G')


def test_patches_features_and_outline():
    objects = find_objects(_bars())
    order = np.argsort([b[0] for b in objects.boxes])
    patches = object_patches(objects, size=32, margin=1)
    feats = object_features(objects, size=32)
    assert patches.shape == (3, 2, 32, 32) and feats.shape == (3, 6)
    bar, cross, pair = order
    # The bar fills the patch height (30 px -> 30 of 32), centred.
    rows = np.flatnonzero(patches[bar, 1].max(1) > 0.5)
    assert rows.min() == 1 and rows.max() == 30
    # Solidity: the bar fills its hull, the cross about half of its
    # octagonal hull (900 - 4 * 72 = 612 px at the pixel edges).
    assert feats[bar, 1] == pytest.approx(1.0, abs=0.05)
    assert feats[cross, 1] < 0.7
    # Area relative to the median object (236): the cross is 320/236.
    assert feats[cross, 0] == pytest.approx(np.log(320 / 236), abs=1e-4)
    assert feats[pair, 0] == pytest.approx(0.0, abs=1e-6)
    # Opacity channel: (220 - 60) / 220 of the background inside.
    assert patches[bar, 0].max() == pytest.approx(160 / 220, abs=0.03)
    poly = np.asarray(object_polygon(objects, bar))
    assert poly[:, 0].min() == 10 and poly[:, 0].max() == 15
    assert poly[:, 1].min() == 10 and poly[:, 1].max() == 39
