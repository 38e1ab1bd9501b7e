"""Karyogram geometry on a hand-made cell, and the pictures."""

import math

import cv2
import numpy as np
import pytest

from deepacc.chromosomes import (
    CLASSES,
    GROUP_COLORS,
    KARYOGRAM_ROWS,
    RELATIVE_LENGTH,
)
from deepacc.karyotype import (
    build_record,
    draw_karyogram,
    draw_overlay,
    layout_karyogram,
    upright_chromosome,
)


def draw_bar(img, centre, length, width, angle):
    """A dark bar with a few pale bands; returns its xyxy box."""
    t = math.radians(angle)
    axis = np.array([math.cos(t), math.sin(t)])
    p0 = np.array(centre) - axis * length / 2
    p1 = np.array(centre) + axis * length / 2
    cv2.line(
        img,
        tuple(int(v) for v in p0),
        tuple(int(v) for v in p1),
        60,
        int(width),
    )
    ys, xs = np.nonzero(img < 128)
    return ys, xs


def bar_image(length, width, angle, size=200):
    img = np.full((size, size), 235, np.uint8)
    draw_bar(img, (size / 2, size / 2), length, width, angle)
    ys, xs = np.nonzero(img < 128)
    return img, [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]


@pytest.mark.parametrize('angle', [0, 35, 90, 120, 160])
def test_upright_crop_is_vertical(angle):
    img, box = bar_image(100, 10, angle)
    crop = upright_chromosome(img, box)
    h, w = crop.image.shape
    # Long axis vertical: tall and narrow, length kept (line caps +/-).
    assert h > 5 * w
    assert crop.length == pytest.approx(110, abs=3)
    # The chromosome's pixels are dark, the background white.
    assert crop.image[crop.mask].mean() < 100
    assert crop.image[0, 0] == 255 and crop.image[-1, -1] == 255


def test_upright_crop_ignores_a_neighbour():
    img = np.full((200, 200), 235, np.uint8)
    draw_bar(img, (60, 100), 100, 10, 90)  # the call, vertical
    # A neighbour inside the margin, outside the box.
    cv2.line(img, (72, 40), (140, 40), 60, 10)
    crop = upright_chromosome(img, [55, 45, 66, 156], margin=0.3)
    h, w = crop.image.shape
    assert h > 5 * w  # the horizontal neighbour was not kept


def test_upright_crop_cuts_a_touching_neighbour_at_the_box():
    img = np.full((200, 200), 235, np.uint8)
    draw_bar(img, (60, 100), 100, 10, 90)  # the call, vertical
    # A neighbour touching it from the side, mostly outside the box.
    cv2.line(img, (62, 70), (150, 70), 60, 8)
    crop = upright_chromosome(img, [55, 45, 66, 156])
    h, w = crop.image.shape
    assert h > 5 * w
    assert crop.length == pytest.approx(110, abs=3)


def test_p_arm_up_from_the_constriction():
    # A vertical bar with a waist at 75% of its length from the top: the
    # short (p) arm is at the bottom, so the crop is turned over.
    img = np.full((200, 200), 235, np.uint8)
    cv2.rectangle(img, (95, 40), (106, 160), 60, -1)
    img[128:132, 95:98] = 235
    img[128:132, 103:107] = 235
    crop = upright_chromosome(img, [95, 40, 107, 161])
    assert crop.flipped
    rows = crop.mask.sum(axis=1)
    waist = int(np.argmin(rows[10:-10])) + 10
    assert waist < crop.mask.shape[0] / 2
    plain, _ = bar_image(100, 10, 90)
    assert not upright_chromosome(plain, [95, 50, 106, 151]).flipped


def hand_made_cell():
    """Calls: 1 x2, 7 x1 (one missing), 21 x3 (one extra), X, Y."""
    names = ['1', '1', '7', '21', '21', '21', 'X', 'Y']
    scores = [0.99, 0.95, 0.9, 0.97, 0.96, 0.6, 0.9, 0.85]
    unit = 12.0  # px per percent of haploid length
    sizes = [(int(RELATIVE_LENGTH[n] * unit), 14) for n in names]
    return names, scores, sizes


def test_layout_rows_order_and_scale():
    names, scores, sizes = hand_made_cell()
    labels = [CLASSES.index(n) for n in names]
    layout = layout_karyogram(labels, scores, sizes)
    scale = layout.scale
    # One scale: chromosome 1 of the cell's typical size is 150 px tall.
    assert scale == pytest.approx(
        150 / (12.0 * RELATIVE_LENGTH['1']), rel=0.02
    )
    calls = [s for s in layout.slots if s.kind == 'call']
    assert sorted(s.call for s in calls) == list(range(len(names)))
    for s in calls:
        h, w = sizes[s.call]
        assert s.h == round(h * scale) and s.w == round(w * scale)
    # Every class sits in its standard row, in row order left to right.
    for r, row in enumerate(KARYOGRAM_ROWS):
        centres = [layout.classes[n].x_center for n in row]
        assert all(layout.classes[n].row == r for n in row)
        assert centres == sorted(centres)
    for s in layout.slots:
        row = layout.rows[s.row]
        assert s.class_name in KARYOGRAM_ROWS[s.row]
        assert s.y + s.h == row.baseline  # standing on the line
        assert s.x >= 0 and s.x + s.w <= layout.width
    for upper, lower in zip(layout.rows, layout.rows[1:]):
        assert upper.baseline < lower.top
    # Slots of a row do not overlap.
    for r in range(len(KARYOGRAM_ROWS)):
        spans = sorted((s.x, s.x + s.w) for s in layout.slots if s.row == r)
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    # Relative lengths kept: 1 is taller than 21.
    by_call = {s.call: s for s in calls}
    assert by_call[0].h > 3 * by_call[3].h


def test_layout_missing_and_extra():
    names, scores, sizes = hand_made_cell()
    labels = [CLASSES.index(n) for n in names]
    layout = layout_karyogram(labels, scores, sizes)

    def slots(name):
        return sorted(
            (s for s in layout.slots if s.class_name == name),
            key=lambda s: s.copy,
        )

    # 21: three calls, highest score first; the third one is extra.
    assert [s.call for s in slots('21')] == [3, 4, 5]
    assert [s.extra for s in slots('21')] == [False, False, True]
    # 7: one call and one dashed slot of 7's expected size.
    assert [s.kind for s in slots('7')] == ['call', 'missing']
    missing = slots('7')[1]
    # Chromosome 1 is 150 px, so a 7 is 150 * 5.36 / 8.44 = 95.3 px.
    assert missing.h == 95
    # 2 was not called at all: two missing slots.
    assert [s.kind for s in slots('2')] == ['missing', 'missing']
    # A Y is called: male, one X and one Y expected, nothing missing.
    assert [s.kind for s in slots('X')] == ['call']
    assert layout.classes['X'].expected == 1
    assert layout.classes['21'].count == 3
    # Without the Y the cell reads female: a second X is missing, no Y.
    keep = [i for i, n in enumerate(names) if n != 'Y']
    female = layout_karyogram(
        [labels[i] for i in keep],
        [scores[i] for i in keep],
        [sizes[i] for i in keep],
    )
    x_slots = [s.kind for s in female.slots if s.class_name == 'X']
    assert x_slots == ['call', 'missing']
    assert not [s for s in female.slots if s.class_name == 'Y']


def metaphase():
    """A 320x240 cell with bars at angles; returns image and record."""
    img = np.full((240, 320), 230, np.uint8)
    names = ['1', '1', '21', '21', '21', 'X']
    angles = [0, 60, 90, 20, 135, 100]
    centres = [
        (60, 50),
        (170, 60),
        (260, 60),
        (60, 170),
        (160, 170),
        (260, 175),
    ]
    boxes = []
    for name, angle, centre in zip(names, angles, centres):
        before = img < 128
        draw_bar(img, centre, RELATIVE_LENGTH[name] * 10, 8, angle)
        ys, xs = np.nonzero((img < 128) & ~before)
        boxes.append([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1])
    scores = [0.95, 0.9, 0.9, 0.85, 0.6, 0.8]
    labels = [CLASSES.index(n) for n in names]
    record = build_record(
        np.array(boxes, float),
        scores,
        labels,
        img.shape,
        image_path='cell.png',
    )
    return img, record


def test_draw_karyogram_and_overlay():
    img, record = metaphase()
    assert record['total'] == 6
    assert record['karyotype'].startswith('6,X,-2,-2,-3,-3,')
    assert record['karyotype'].endswith(',-20,-20,+21,-22,-22')
    picture, layout = draw_karyogram(img, record)
    assert picture.shape == (layout.height, layout.width, 3)
    assert (picture[0, 0] == 255).all()
    # Each call slot holds dark chromosome pixels; missing slots do not.
    for slot in layout.slots:
        region = picture[slot.y : slot.y + slot.h, slot.x : slot.x + slot.w]
        if slot.kind == 'call':
            assert region.min() < 100
            assert slot.h > 2 * slot.w  # upright
        else:
            assert region[2:-2, 2:-2].min() >= 200
    overlay = draw_overlay(img, record)
    header = overlay.shape[0] - img.shape[0]
    assert overlay.shape[1:] == (320, 3) and header > 0
    # The box edge of the first call is drawn in group A's colour (BGR).
    x1, y1, x2, y2 = (int(round(v)) for v in record['detections'][0]['bbox'])
    r, g, b = GROUP_COLORS[record['detections'][0]['group']]
    edge = overlay[header + (y1 + y2) // 2, x1]
    assert tuple(edge) == (b, g, r)


def test_karyogram_header_stays_on_the_page():
    # A long calls string (a weak model's) is cut with '...' at the right
    # margin, after the short parts; a title that fills the line (this
    # record's own) leaves no subtitle, not a '...' past the margin.
    img, record = metaphase()
    calls = ','.join(['31,?'] + [f'-{k}' for k in range(1, 23)] * 3)

    def header_ink(title):
        picture, layout = draw_karyogram(
            img, dict(record, calls_karyotype=calls, karyotype=title)
        )
        header = picture[:40]  # the title line (chromosomes start lower)
        return np.nonzero(header.min(axis=2) < 200)[1], layout.width

    ink, width = header_ink('46,XX')
    assert width / 2 < ink.max() < width - 20  # subtitle drawn, cut
    ink, width = header_ink(record['karyotype'])
    assert ink.max() < width - 20
