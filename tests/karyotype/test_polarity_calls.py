"""Each call's polarity in the record, the upright crop and the
karyogram."""

import cv2
import numpy as np
import pytest

from deepacc.chromosomes import CLASSES
from deepacc.karyotype import build_record, draw_karyogram, upright_chromosome

L = {name: i for i, name in enumerate(CLASSES)}

# Four calls: p-arm up with 0.8 and 0.6, down with 0.9 and 0.8.
CALLS = dict(
    bboxes=np.array(
        [[0, 0, 10, 40], [20, 0, 30, 40], [40, 0, 50, 40], [60, 0, 70, 40]],
        float,
    ),
    scores=np.array([0.9, 0.9, 0.9, 0.9]),
    labels=np.array([L['1'], L['5'], L['3'], L['4']]),
    polarity=np.array([0.8, 0.1, 0.2, 0.6]),
)


def test_record_gives_polarity_and_confidence_per_call():
    record = build_record(
        CALLS['bboxes'],
        CALLS['scores'],
        CALLS['labels'],
        (48, 80),
        polarity=CALLS['polarity'],
    )
    got = [(d['p_arm'], d['p_arm_confidence']) for d in record['detections']]
    assert got == [('up', 0.8), ('down', 0.9), ('down', 0.8), ('up', 0.6)]
    plain = build_record(
        CALLS['bboxes'], CALLS['scores'], CALLS['labels'], (48, 80)
    )
    assert 'p_arm' not in plain['detections'][0]
    with pytest.raises(ValueError, match='3 polarities for 4'):
        build_record(
            CALLS['bboxes'],
            CALLS['scores'],
            CALLS['labels'],
            (48, 80),
            polarity=[0.5] * 3,
        )


def _marked_bar(angle):
    """A tilted bar with a dark knob at its upper end (smaller y)."""
    img = np.full((200, 200), 235, np.uint8)
    t = np.radians(angle)
    axis = np.array([np.cos(t), np.sin(t)])
    if axis[1] > 0:
        axis = -axis  # axis points to the upper end
    top = np.array([100, 100]) + 45 * axis
    bottom = np.array([100, 100]) - 45 * axis
    cv2.line(img, tuple(top.astype(int)), tuple(bottom.astype(int)), 120, 9)
    cv2.circle(img, tuple(top.astype(int)), 7, 10, -1)
    ys, xs = np.nonzero(img < 200)
    return img, [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]


def _knob_on_top(crop):
    h = crop.image.shape[0]
    return crop.image[: h // 3].min() < crop.image[-h // 3 :].min()


@pytest.mark.parametrize('angle', [60, 100, 150, 20])
def test_upright_crop_follows_the_calls_polarity(angle):
    img, box = _marked_bar(angle)
    up = upright_chromosome(img, box, p_arm_up=True)
    down = upright_chromosome(img, box, p_arm_up=False)
    # The image's upper end stays on top unless the p-arm is the lower.
    assert _knob_on_top(up) and not up.flipped
    assert not _knob_on_top(down) and down.flipped
    assert up.oriented_by == down.oriented_by == 'polarity'
    # orient_p_arm=False: as found, whatever the call says.
    assert _knob_on_top(
        upright_chromosome(img, box, orient_p_arm=False, p_arm_up=False)
    )


def test_karyogram_uses_each_calls_polarity():
    img, box = _marked_bar(70)
    record = build_record([box], [0.9], [L['1']], img.shape, polarity=[0.1])
    picture, layout = draw_karyogram(img, record)
    slot = layout.slots[0]
    cell = picture[slot.y : slot.y + slot.h, slot.x : slot.x + slot.w]
    cell = cell.min(axis=2)
    third = max(1, slot.h // 3)
    # p-arm at the lower end: the knob (darkest) is drawn at the bottom.
    assert cell[-third:].min() < cell[:third].min()
