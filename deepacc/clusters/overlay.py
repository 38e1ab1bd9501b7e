"""Objects outlined on the image and labelled by cluster type.

Single chromosomes get a thin grey outline and a short ``S``, debris and
nuclei a coloured one and ``D`` / ``N``; clusters a thicker coloured
outline and their type name with the score, so the places that need a
reviewer stand out. A header strip gives the
counts per type and the colour key.
"""

import os.path as osp
from typing import Sequence

import cv2
import numpy as np

from .types import CLUSTER_TYPES, TYPE_COLORS

_FONT = cv2.FONT_HERSHEY_SIMPLEX
_CLUSTERS = ('touching', 'overlapping', 'touching+overlapping')
SHORT = {
    'single': 'S',
    'touching': 'T',
    'overlapping': 'O',
    'touching+overlapping': 'T+O',
    'debris': 'D',
    'nucleus': 'N',
}


def _sizes(img: np.ndarray):
    side = min(img.shape[:2])
    return (
        max(1, int(round(side / 450))),
        max(0.32, side / 1400),
        max(1, int(round(side / 700))),
    )


def draw_outlines(
    img: np.ndarray,
    objects: Sequence[dict],
    singles: bool = True,
    labels: bool = True,
) -> np.ndarray:
    """Draw typed objects' outlines (in place) on a BGR image.

    Args:
        img (np.ndarray): (H, W, 3) uint8 BGR image, modified.
        objects (list[dict]): ``type``, ``score``, ``bbox``, ``polygon``
            of each object (see :func:`objects_record`).
        singles (bool): Also draw single chromosomes.
        labels (bool): Write each object's type (short but for clusters).

    Returns:
        np.ndarray: ``img``.
    """
    thick, scale, text_thick = _sizes(img)
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
            text = SHORT[obj['type']]
        (tw, th), base = cv2.getTextSize(text, _FONT, scale, text_thick)
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
        cv2.putText(
            img,
            text,
            (left, top),
            _FONT,
            scale,
            color,
            text_thick,
            cv2.LINE_AA,
        )
    return img


def draw_clusters(image: np.ndarray, record: dict) -> np.ndarray:
    """The overlay picture of a clusters record.

    Args:
        image (np.ndarray): (H, W) grey or (H, W, 3) BGR uint8 image.
        record (dict): From :meth:`ClusterTyper.predict`.

    Returns:
        np.ndarray: (header + H, W, 3) uint8 BGR picture.
    """
    from deepacc.karyotype.karyogram import to_grey

    img = cv2.cvtColor(to_grey(image), cv2.COLOR_GRAY2BGR)
    draw_outlines(img, record['objects'])
    return np.concatenate([_header(record, img.shape[1]), img])


def _header(record: dict, width: int) -> np.ndarray:
    _, scale, text_thick = _sizes(np.zeros((max(width, 300), width)))
    (_, th), base = cv2.getTextSize('0', _FONT, scale, text_thick)
    line = th + base + 6
    strip = np.full((2 * line + 8, width, 3), 255, np.uint8)
    counts = record['counts']
    name = osp.basename(record.get('image') or 'array')
    text = f'{name}: {record["num_objects"]} objects, ' + ', '.join(
        f'{counts[c]} {c}' for c in CLUSTER_TYPES if counts[c]
    )
    cv2.putText(
        strip,
        text,
        (4, line - base),
        _FONT,
        scale,
        (30, 30, 30),
        text_thick,
        cv2.LINE_AA,
    )
    x = 4
    for c in CLUSTER_TYPES:
        key = f'{SHORT[c]} = {c}'
        (tw, _), _ = cv2.getTextSize(key, _FONT, scale, text_thick)
        if x + tw > width:
            break
        cv2.putText(
            strip,
            key,
            (x, 2 * line - base),
            _FONT,
            scale,
            TYPE_COLORS[c],
            text_thick + 1,
            cv2.LINE_AA,
        )
        x += tw + 14
    return strip
