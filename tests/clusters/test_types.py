"""Cluster types from constructed sprites, with hand-derived answers."""

import numpy as np
import pytest

from deepacc.clusters import (
    CLUSTER_TYPES,
    FRAGMENT,
    find_objects,
    label_objects,
    two_way,
    type_of_members,
)
from deepacc.synthesis import Sprite, contacts
from deepacc.synthesis.layout import window_mask

S, T, OV, TO, D, N = range(6)


def test_type_of_members_by_hand():
    # 0-1 touch, 1-2 overlap, 3 alone, 4-5 merged without contact.
    touching = [{1}, {0}, set(), set(), set(), set()]
    overlapping = [set(), {2}, {1}, set(), set(), set()]
    assert type_of_members([3], touching, overlapping) == S
    assert type_of_members([0, 1], touching, overlapping) == T
    assert type_of_members([1, 2], touching, overlapping) == OV
    assert type_of_members([0, 1, 2], touching, overlapping) == TO
    assert type_of_members([4, 5], touching, overlapping) == T
    # Contacts with chromosomes outside the object do not count.
    assert type_of_members([0, 3], touching, overlapping) == T
    assert type_of_members([2, 3], touching, overlapping) == T
    with pytest.raises(ValueError):
        type_of_members([], touching, overlapping)


def _bar(x, y, w, h):
    sprite = Sprite(
        opacity=np.full((h, w), 0.8, np.float32), mask=np.ones((h, w), bool)
    )
    sprite.offset = (x, y)
    return sprite


def _scene():
    """Six chromosome bars on a 100x140 canvas, drawn dark on light:

    0 alone at x 5..10; 1 and 2 touch (2 starts where 1 ends); 3 and 4
    cross and 5 touches 4, so {3, 4, 5} is touching+overlapping. A
    30x30 blob (larger than the median chromosome, 180 px: a nucleus)
    and a 4x4 speck (debris) carry no chromosome.
    """
    sprites = [
        _bar(5, 5, 6, 30),  # 0 single
        _bar(25, 5, 6, 30),  # 1 touching 2
        _bar(31, 5, 6, 30),  # 2
        _bar(60, 20, 30, 6),  # 3 crosses 4
        _bar(72, 8, 6, 30),  # 4 touches 5
        _bar(78, 30, 20, 6),  # 5
    ]
    image = np.full((100, 140), 220, np.uint8)
    for s in sprites:
        x, y = s.offset
        h, w = s.shape
        image[y : y + h, x : x + w] = 50
    image[60:90, 100:130] = 120  # a nucleus (no chromosome)
    image[70:74, 20:24] = 80  # a speck
    return image, sprites


def test_window_mask_by_hand():
    # An L-shaped 3x2 mask placed at (4, 5): pixels (4, 5), (4, 6), (4, 7)
    # and (5, 7) in image (x, y).
    sprite = _bar(4, 5, 2, 3)
    sprite.mask[:2, 1] = False
    window = window_mask(sprite, 3, 6, 6, 9)  # x 3..5, y 6..8
    assert window.tolist() == [
        [False, True, False],
        [False, True, True],
        [False, False, False],
    ]
    assert not window_mask(sprite, 10, 10, 12, 12).any()  # apart


def test_contacts_of_the_scene():
    _, sprites = _scene()
    touching, overlapping = contacts(sprites)
    assert touching == [set(), {2}, {1}, set(), {5}, {4}]
    assert overlapping == [set(), set(), set(), {4}, {3}, set()]


def test_label_objects_of_the_scene():
    image, sprites = _scene()
    objects = find_objects(image)
    types, members = label_objects(objects.labels, objects.areas, sprites)
    by_box = {
        tuple(int(v) for v in b[:2]): (int(t), m)
        for b, t, m in zip(objects.boxes, types, members)
    }
    assert by_box == {
        (5, 5): (S, [0]),
        (25, 5): (T, [1, 2]),
        (60, 8): (TO, [3, 4, 5]),
        (100, 60): (N, []),
        (20, 70): (D, []),
    }
    assert [CLUSTER_TYPES[t] for t in sorted(types)] == [
        'single',
        'touching',
        'touching+overlapping',
        'debris',
        'nucleus',
    ]


def test_a_piece_cut_off_a_chromosome_is_a_fragment():
    image, sprites = _scene()
    image[20:23, 5:11] = 220  # a pale band cuts chromosome 0 at y 20..22
    objects = find_objects(image)
    types, members = label_objects(objects.labels, objects.areas, sprites)
    # The upper piece (y 5..19, 15 rows) covers more of the chromosome
    # than the lower one (y 23..34, 12 rows): it holds the chromosome,
    # the lower one is a fragment (no type, not scored).
    top = [k for k, b in enumerate(objects.boxes) if tuple(b[:2]) == (5, 5)]
    low = [k for k, b in enumerate(objects.boxes) if tuple(b[:2]) == (5, 23)]
    assert types[top[0]] == S and members[top[0]] == [0]
    assert types[low[0]] == FRAGMENT and members[low[0]] == []


def test_two_way_mapping():
    assert two_way([S, T, OV, TO, D, N, FRAGMENT]).tolist() == [
        0,
        1,
        1,
        1,
        2,
        2,
        2,
    ]
