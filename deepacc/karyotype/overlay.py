"""Detections drawn on the metaphase image.

Every call is boxed in its Denver group's colour and labelled with its
class and score; a header strip above the image carries the karyotype
string and a colour key. Line widths and text scale with the image, so
the picture reads the same at 512x384 and at 1600x1200.
"""

import os.path as osp
from typing import Tuple

import cv2
import numpy as np

from deepacc.chromosomes import DENVER_GROUPS, GROUP_COLORS

_FONT = cv2.FONT_HERSHEY_SIMPLEX


def bgr(rgb) -> Tuple[int, int, int]:
    """An (r, g, b) colour as OpenCV's (b, g, r) ints."""
    return (int(rgb[2]), int(rgb[1]), int(rgb[0]))


def _ink_on(rgb) -> Tuple[int, int, int]:
    """Black or white text, whichever reads better on ``rgb``."""
    luma = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]
    return (0, 0, 0) if luma > 150 else (255, 255, 255)


def draw_overlay(
    image: np.ndarray, record: dict, header: bool = True
) -> np.ndarray:
    """Draw a record's calls on its image.

    Args:
        image (np.ndarray): (H, W) grey or (H, W, 3) BGR uint8 image.
        record (dict): From :func:`deepacc.karyotype.build_record`; with
            ``clusters`` (:func:`~deepacc.karyotype.record.attach_clusters`)
            the objects that are not single chromosomes are outlined and
            labelled by type under the boxes.
        header (bool): Add a strip on top with the karyotype string, the
            call count and the Denver group colour key.

    Returns:
        np.ndarray: (H + header, W, 3) uint8 BGR picture. Low-confidence
        calls have a ``?`` after their score; chromosomes whose class the
        whole-cell reading set (relabelled or added under the call
        threshold) a ``*`` after their class.
    """
    img = np.asarray(image)
    if img.ndim == 2:
        img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    elif img.shape[2] == 4:
        img = img[..., :3]
    img = np.ascontiguousarray(img.copy())
    height, width = img.shape[:2]
    side = min(height, width)
    thick = max(1, int(round(side / 450)))
    font_scale = max(0.32, side / 1300)
    text_thick = max(1, int(round(side / 700)))
    (_, text_h), base = cv2.getTextSize('0', _FONT, font_scale, text_thick)

    if record.get('clusters'):
        # Lazy: the clusters package is only needed for such records.
        from deepacc.clusters.overlay import draw_outlines

        draw_outlines(img, record['clusters']['objects'], singles=False)
    dets = record['detections']
    for det in dets:
        x1, y1, x2, y2 = (int(round(v)) for v in det['bbox'])
        color = bgr(GROUP_COLORS[det['group']])
        cv2.rectangle(img, (x1, y1), (x2, y2), color, thick)
    # Labels after all boxes, lowest score first, so the most confident
    # labels end on top where they overlap.
    for det in sorted(dets, key=lambda d: d['score']):
        x1, y1, x2, _ = (int(round(v)) for v in det['bbox'])
        rgb = GROUP_COLORS[det['group']]
        changed = det.get('reading', 'call') != 'call'
        text = f'{det["class"]}{"*" if changed else ""} {det["score"]:.2f}'
        if det['low_confidence']:
            text += '?'
        (tw, th), tb = cv2.getTextSize(text, _FONT, font_scale, text_thick)
        pad = max(1, thick)
        top = y1 - th - tb - 2 * pad
        if top < 0:  # no room above: put the label inside the box
            top = y1
        left = min(max(0, x1), max(0, width - tw - 2 * pad))
        cv2.rectangle(
            img,
            (left, top),
            (left + tw + 2 * pad, top + th + tb + 2 * pad),
            bgr(rgb),
            -1,
        )
        cv2.putText(
            img,
            text,
            (left + pad, top + pad + th),
            _FONT,
            font_scale,
            _ink_on(rgb),
            text_thick,
            cv2.LINE_AA,
        )
    if not header:
        return img
    return np.concatenate(
        [_header(record, width, font_scale, text_thick, text_h + base), img]
    )


def fit_text(text: str, width: int, scale: float, thickness: int) -> str:
    """``text``, cut with '...' to fit ``width`` pixels."""
    if cv2.getTextSize(text, _FONT, scale, thickness)[0][0] <= width:
        return text
    while (
        text
        and cv2.getTextSize(text + '...', _FONT, scale, thickness)[0][0]
        > width
    ):
        text = text[:-1]
    return text + '...'


def _header(
    record: dict, width: int, font_scale: float, text_thick: int, line_h: int
) -> np.ndarray:
    scale = font_scale * 1.25
    strip_h = int(line_h * 1.25 * 2 + 3 * max(4, line_h // 3))
    strip = np.full((strip_h, width, 3), 255, np.uint8)
    gap = max(4, line_h // 3)
    name = osp.basename(record.get('image') or 'array')
    num_low = record.get('num_low_confidence', 0)
    line1 = f'{record["karyotype"]}   {record["total"]} chromosomes'
    if num_low:
        line1 += f', {num_low} low-confidence (?)'
    reading = record.get('reading')
    if reading and any(reading.values()):
        line1 += (
            f'; reading: {reading["relabelled"]} relabelled, '
            f'{reading["added"]} added (*), {reading["removed"]} dropped; '
            f'calls alone {record["calls_karyotype"]}'
        )
    y = gap + int(line_h * 1.25)
    line1 = fit_text(line1, width - 2 * gap, scale, text_thick + 1)
    cv2.putText(
        strip,
        line1,
        (gap, y),
        _FONT,
        scale,
        (30, 30, 30),
        text_thick + 1,
        cv2.LINE_AA,
    )
    (tw, _), _ = cv2.getTextSize(line1, _FONT, scale, text_thick + 1)
    (nw, _), _ = cv2.getTextSize(name, _FONT, font_scale, text_thick)
    if gap * 4 + tw + nw < width:
        cv2.putText(
            strip,
            name,
            (gap * 3 + tw, y),
            _FONT,
            font_scale,
            (90, 90, 90),
            text_thick,
            cv2.LINE_AA,
        )
    # Colour key: one swatch per Denver group with its members.
    x = gap
    y2 = y + gap + int(line_h * 1.25)
    for group, members in DENVER_GROUPS.items():
        key = f'{group} {members[0]}-{members[-1]}'
        if group == 'C':
            key = f'{group} 6-12,X'
        elif group == 'G':
            key = f'{group} 21,22,Y'
        (tw, th), _ = cv2.getTextSize(key, _FONT, font_scale, text_thick)
        if x + th + gap + tw > width:
            break
        cv2.rectangle(
            strip, (x, y2 - th), (x + th, y2), bgr(GROUP_COLORS[group]), -1
        )
        cv2.putText(
            strip,
            key,
            (x + th + gap // 2, y2),
            _FONT,
            font_scale,
            (30, 30, 30),
            text_thick,
            cv2.LINE_AA,
        )
        x += th + gap // 2 + tw + 2 * gap
    return strip
