"""Outlines: typed objects (by cluster type) and dashed rectangles."""

import math
from typing import Sequence

import cv2
import numpy as np

from .palette import TYPE_COLORS
from .text import adaptive_sizes, put_text, text_size

# Short labels of the object types; clusters are labelled in full.
TYPE_SHORT = {
    'single': 'S',
    'touching': 'T',
    'overlapping': 'O',
    'touching+overlapping': 'T+O',
    'debris': 'D',
    'nucleus': 'N',
}
_CLUSTERS = ('touching', 'overlapping', 'touching+overlapping')


def outline_sizes(side: int):
    """Line width, font scale and text thickness of outlines and their
    labels on an image whose shorter side is ``side`` pixels."""
    return adaptive_sizes(side, font_divisor=1400.0)


def draw_outlines(
    img: np.ndarray,
    objects: Sequence[dict],
    singles: bool = True,
    labels: bool = True,
) -> np.ndarray:
    """Draw typed objects' outlines (in place) on a BGR image.

    Single chromosomes get a thin grey outline and a short ``S`` (``S*``
    where the object's shape overruled a cluster call), debris and
    nuclei a coloured one and ``D`` / ``N``; clusters a thicker
    coloured outline and their type name with the score, so the places
    that need a reviewer stand out.

    Args:
        img (np.ndarray): (H, W, 3) uint8 BGR image, modified.
        objects (list[dict]): ``type`` (a key of :data:`TYPE_COLORS`),
            ``score``, ``bbox`` (xywh), ``polygon`` (flat ``x, y, ...``)
            of each object, as in
            :func:`deepacc.clusters.inferencer.objects_record`.
        singles (bool): Also draw single chromosomes.
        labels (bool): Write each object's type (short but for clusters).

    Returns:
        np.ndarray: ``img``.
    """
    thick, scale, text_thick = outline_sizes(min(img.shape[:2]))
    shown = [o for o in objects if singles or o['type'] != 'single']
    for obj in shown:
        poly = np.asarray(obj['polygon'], np.int32).reshape(-1, 1, 2)
        single = obj['type'] == 'single'
        cv2.polylines(
            img,
            [poly],
            True,
            TYPE_COLORS[obj['type']],
            thick if single else thick + 1,
            cv2.LINE_AA,
        )
    if not labels:
        return img
    # Clusters last, so their labels end on top.
    for obj in sorted(shown, key=lambda o: o['type'] in _CLUSTERS):
        x, y, w, h = obj['bbox']
        cluster = obj['type'] in _CLUSTERS
        if cluster:
            text = f'{obj["type"]} {obj["score"]:.2f}'
        else:
            text = TYPE_SHORT[obj['type']]
            if obj.get('shape', {}).get('one_band'):
                # Single by its shape where the model said cluster.
                text += '*'
        (tw, th), base = text_size(text, scale, text_thick)
        top = y - 2 if y - th - base - 2 >= 0 else y + h + th + 2
        left = int(min(max(0, x), max(0, img.shape[1] - tw)))
        color = TYPE_COLORS[obj['type']]
        if cluster:
            cv2.rectangle(
                img,
                (left, top - th - 1),
                (left + tw, top + base - 1),
                (255, 255, 255),
                -1,
            )
        put_text(img, text, (left, top), scale, color, text_thick)
    return img


def dashed_rect(
    img: np.ndarray,
    x: int,
    y: int,
    w: int,
    h: int,
    color: Sequence[int],
    dash: int = 5,
) -> None:
    """Draw a dashed rectangle (in place), one pixel wide.

    Args:
        img (np.ndarray): (H, W, 3) uint8 image, modified.
        x, y, w, h (int): Top-left corner and size.
        color (Sequence[int]): BGR colour.
        dash (int): Length of a dash and of a gap, pixels.
    """
    corners = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
    for (ax, ay), (bx, by) in zip(corners, corners[1:] + corners[:1]):
        n = max(1, int(math.hypot(bx - ax, by - ay) // dash))
        for k in range(0, n, 2):
            p = (int(ax + (bx - ax) * k / n), int(ay + (by - ay) * k / n))
            q = (
                int(ax + (bx - ax) * min(k + 1, n) / n),
                int(ay + (by - ay) * min(k + 1, n) / n),
            )
            cv2.line(img, p, q, color, 1, cv2.LINE_AA)
