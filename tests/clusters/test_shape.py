"""The shape reading of objects: one band, or chromosomes joined."""

import cv2
import numpy as np
import pytest

from deepacc.clusters import CLUSTER_TYPES, find_objects
from deepacc.clusters.inferencer import objects_record
from deepacc.clusters.shape import object_shape, shape_types, thin


def _draw(size, strokes, width):
    """A boolean mask of thick polylines (round ends)."""
    canvas = np.zeros(size, np.uint8)
    for points in strokes:
        pts = np.asarray(points, np.int32)
        cv2.polylines(canvas, [pts], False, 1, thickness=width)
        for p in pts[[0, -1]]:
            cv2.circle(canvas, tuple(int(v) for v in p), width // 2, 1, -1)
    return canvas.astype(bool)


BAR = [[(20, 60), (140, 90)]]
BENT = [[(20, 20), (70, 40), (100, 90), (90, 140)]]
CROSS = [[(20, 20), (140, 140)], [(20, 140), (140, 20)]]
TEE = [[(20, 40), (140, 40)], [(80, 40), (80, 140)]]
# Two bent chromosomes meeting at both ends, background between them.
RING = [[(30, 80), (80, 20), (130, 80)], [(30, 80), (80, 140), (130, 80)]]


@pytest.mark.parametrize(
    'strokes, ends, holes',
    [(BAR, 2, 0), (BENT, 2, 0), (CROSS, 4, 0), (TEE, 3, 0), (RING, 0, 1)],
)
@pytest.mark.parametrize('zoom', [1, 2])
def test_ends_and_holes(strokes, ends, holes, zoom):
    # The same drawing at twice the size reads the same: every size in
    # the reading is a fraction of the width.
    width = 14 * zoom
    strokes = [[(x * zoom, y * zoom) for x, y in s] for s in strokes]
    mask = _draw((170 * zoom, 170 * zoom), strokes, width)
    shape = object_shape(mask, width)
    assert (shape.ends, shape.holes) == (ends, holes)
    assert shape.one_band == (ends == 2 and holes == 0)


def test_pale_band_and_bump_keep_one_band():
    width = 14
    mask = _draw((170, 170), BAR, width)
    # A pale band cut by the threshold: a hole of 3x3 px (under half a
    # width squared, 98 px) inside the bar.
    mask[72:75, 78:81] = False
    # A bump on the outline: a knob of 5 px beyond the edge (a spur
    # shorter than a width).
    cv2.circle(mask.view(np.uint8), (60, 60), 5, 1, -1)
    shape = object_shape(mask, width)
    assert (shape.ends, shape.holes) == (2, 0)
    assert shape.one_band


@pytest.mark.parametrize('left, one_band', [(10, True), (5, False)])
def test_a_neck_under_half_the_width_is_two_chromosomes(left, one_band):
    # A horizontal bar 14 px wide with notches from both sides in the
    # middle, leaving ``left`` px: 10 px (0.71 of the width, like a
    # centromere) is one chromosome, 5 px (0.36) two meeting end to end.
    width = 14
    mask = _draw((170, 170), [[(20, 80), (150, 80)]], width)
    rows = np.flatnonzero(mask[:, 84])
    start = (len(rows) - left) // 2
    for row in (*rows[:start], *rows[start + left :]):
        mask[row, 82:86] = False
    assert mask[:, 84].sum() == left
    shape = object_shape(mask, width)
    assert shape.ends == 2 and shape.holes == 0
    assert shape.neck == pytest.approx(left / width, abs=0.1)
    assert shape.one_band is one_band


def _knobbly(strokes, width):
    """:func:`_draw` with a knob (radius 4) on the outline every 10 px
    along each stroke, on alternate sides: thinning leaves a spur to
    each, so short stretches of line between junctions run to the
    ends."""
    mask = _draw((170, 170), strokes, width)
    canvas = mask.view(np.uint8)
    for (x0, y0), (x1, y1) in [s[:2] for s in strokes]:
        length = np.hypot(x1 - x0, y1 - y0)
        nx, ny = -(y1 - y0) / length, (x1 - x0) / length
        for k, t in enumerate(np.arange(6, length - 5, 10) / length):
            side = 8 if k % 2 else -8
            centre = (
                x0 + t * (x1 - x0) + side * nx,
                y0 + t * (y1 - y0) + side * ny,
            )
            cv2.circle(canvas, tuple(int(v) for v in centre), 4, 1, -1)
    return mask


@pytest.mark.parametrize('strokes, ends', [(BAR, 2), (CROSS, 4)])
def test_spurs_are_cut_without_eating_the_line(strokes, ends):
    """Knobs along the outline: their spurs go, the line keeps its
    ends (cutting every short branch that reached an end, as before,
    ate the cross's arms a stretch a round and read it with 6 ends)."""
    from deepacc.clusters.shape import prune

    width = 14
    mask = _knobbly(strokes, width)
    assert object_shape(mask, width).ends == ends
    plain = prune(thin(_draw((170, 170), strokes, width)), width)
    line = prune(thin(mask), width)
    xs, plain_xs = np.nonzero(line)[1], np.nonzero(plain)[1]
    assert abs(xs.min() - plain_xs.min()) <= 2
    assert abs(xs.max() - plain_xs.max()) <= 2


def test_thin_is_connected_and_one_pixel_wide():
    mask = _draw((170, 170), CROSS, 14)
    line = thin(mask)
    assert line.any() and not (line & ~mask).any()
    assert cv2.connectedComponents(line.astype(np.uint8))[0] == 2
    # One pixel wide (no 2x2 block of line pixels) except where the bars
    # cross, at (80, 80).
    blocks = line[:-1, :-1] & line[1:, :-1] & line[:-1, 1:] & line[1:, 1:]
    ys, xs = np.nonzero(blocks)
    assert np.all(np.hypot(ys - 80, xs - 80) < 14)


def _image_of(masks):
    """A white image with the masks drawn dark, and its objects."""
    image = np.full((200, 400), 255, np.uint8)
    for mask, dx in masks:
        image[:170, dx : dx + 170][mask] = 60
    return find_objects(image, polarity='dark')


def test_shape_types_turns_one_band_clusters_single():
    objects = _image_of(
        [(_draw((170, 170), BAR, 14), 0), (_draw((170, 170), CROSS, 14), 220)]
    )
    assert len(objects) == 2
    bar = int(np.argmin(objects.boxes[:, 0]))
    cross = 1 - bar
    t = {c: k for k, c in enumerate(CLUSTER_TYPES)}

    def calls(bar_type, cross_type):
        labels = np.zeros(2, np.int64)
        labels[bar], labels[cross] = t[bar_type], t[cross_type]
        return labels

    # The model calls both clusters: the bar is one band, so single.
    labels, shapes = shape_types(calls('touching', 'overlapping'), objects)
    assert labels[bar] == t['single'] and labels[cross] == t['overlapping']
    assert shapes[bar].one_band and shapes[cross].ends == 4
    # Calls that are not clusters stay and are not read.
    labels, shapes = shape_types(calls('debris', 'single'), objects)
    assert labels[bar] == t['debris'] and labels[cross] == t['single']
    assert shapes == [None, None]
    # The record says which objects were read and how.
    record = objects_record(objects, labels, np.ones(2), shapes=shapes)
    assert all('shape' not in o for o in record['objects'])
    labels, shapes = shape_types(calls('touching', 'overlapping'), objects)
    record = objects_record(objects, labels, np.ones(2), shapes=shapes)
    assert record['objects'][bar]['shape'] == dict(
        ends=2, holes=0, neck=round(shapes[bar].neck, 3), one_band=True
    )
    assert record['objects'][bar]['type'] == 'single'
    assert record['objects'][cross]['shape']['one_band'] is False
