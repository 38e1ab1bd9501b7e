"""Detections drawn on the metaphase image.

Every call is boxed in its Denver group's colour and labelled with its
class and score; a header strip above the image carries the karyotype
string and a colour key. Line widths and text scale with the image, so
the picture reads the same at 512x384 and at 1600x1200.
"""

import os.path as osp

import cv2
import numpy as np

from deepacc.chromosomes import GROUP_COLORS
from deepacc.visualization import (
    adaptive_sizes,
    bgr,
    draw_outlines,
    draw_swatch_key,
    fit_text,
    group_color,
    group_key,
    header_strip,
    ink_on,
    put_text,
    text_size,
    to_bgr,
)


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
    img = to_bgr(image)
    height, width = img.shape[:2]
    thick, font_scale, text_thick = adaptive_sizes(min(height, width))
    (_, text_h), base = text_size('0', font_scale, text_thick)

    if record.get('clusters'):
        draw_outlines(img, record['clusters']['objects'], singles=False)
    dets = record['detections']
    for det in dets:
        x1, y1, x2, y2 = (int(round(v)) for v in det['bbox'])
        cv2.rectangle(
            img, (x1, y1), (x2, y2), group_color(det['group']), thick
        )
    # Labels after all boxes, lowest score first, so the most confident
    # labels end on top where they overlap.
    for det in sorted(dets, key=lambda d: d['score']):
        x1, y1, x2, _ = (int(round(v)) for v in det['bbox'])
        rgb = GROUP_COLORS[det['group']]
        changed = det.get('reading', 'call') != 'call'
        text = f'{det["class"]}{"*" if changed else ""} {det["score"]:.2f}'
        if det['low_confidence']:
            text += '?'
        (tw, th), tb = text_size(text, font_scale, text_thick)
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
        put_text(
            img,
            text,
            (left + pad, top + pad + th),
            font_scale,
            ink_on(rgb),
            text_thick,
        )
    if not header:
        return img
    return np.concatenate(
        [_header(record, width, font_scale, text_thick, text_h + base), img]
    )


def _header(
    record: dict, width: int, font_scale: float, text_thick: int, line_h: int
) -> np.ndarray:
    scale = font_scale * 1.25
    strip_h = int(line_h * 1.25 * 2 + 3 * max(4, line_h // 3))
    strip = header_strip(strip_h, width)
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
    put_text(strip, line1, (gap, y), scale, (30, 30, 30), text_thick + 1)
    (tw, _), _ = text_size(line1, scale, text_thick + 1)
    (nw, _), _ = text_size(name, font_scale, text_thick)
    if gap * 4 + tw + nw < width:
        put_text(
            strip,
            name,
            (gap * 3 + tw, y),
            font_scale,
            (90, 90, 90),
            text_thick,
        )
    # Colour key: one swatch per Denver group with its members.
    draw_swatch_key(
        strip,
        group_key(),
        (gap, y + gap + int(line_h * 1.25)),
        font_scale,
        text_thick,
        gap,
    )
    return strip
