"""The karyogram picture: calls cut out, turned upright, laid out by class.

Three steps, each usable alone:

1. :func:`~deepacc.karyotype.upright.upright_chromosome` cuts one call
   out of the (grey) image and turns it upright, p-arm up where the
   call's polarity or the width profile says which end it is.
2. :func:`~deepacc.karyotype.karyogram_layout.layout_karyogram` is pure
   geometry: one scale for the whole cell (so relative lengths are kept),
   the standard rows of :data:`~deepacc.chromosomes.KARYOGRAM_ROWS`, one
   block per class with a slot per copy, empty slots for missing copies
   and flags for extra ones.
3. :func:`render_karyogram` paints the layout on a white canvas.

:func:`draw_karyogram` runs all three for an image and its record.
"""

from typing import Optional, Sequence, Tuple

import cv2
import numpy as np

from deepacc.chromosomes import GROUP_OF
from deepacc.visualization import (
    WHITE,
    dashed_rect,
    fit_text,
    group_color,
    put_text,
    text_size,
    to_grey,
    whiten_background,
)

from .karyogram_layout import KaryogramLayout, KaryogramStyle, layout_karyogram
from .upright import upright_chromosome


def render_karyogram(
    crops: Sequence[np.ndarray],
    layout: KaryogramLayout,
    low_confidence: Optional[Sequence[bool]] = None,
    title: str = '',
    subtitle: str = '',
) -> np.ndarray:
    """Paint a karyogram layout on a white canvas.

    Args:
        crops (Sequence[np.ndarray]): Upright grey crops, one per call, in
            the order the layout's ``call`` indices refer to.
        layout (KaryogramLayout): From :func:`layout_karyogram`.
        low_confidence (Sequence[bool], optional): Per call; marked with
            an amber ``?`` above the chromosome.
        title (str): Top line (e.g. the karyotype string).
        subtitle (str): Smaller second part of the top line.

    Returns:
        np.ndarray: (height, width, 3) uint8 BGR picture.
    """
    canvas = np.full((layout.height, layout.width, 3), WHITE, np.uint8)
    red, amber, grey = (40, 40, 220), (0, 150, 240), (150, 150, 150)
    ink = (40, 40, 40)
    for slot in layout.slots:
        x, y, w, h = slot.x, slot.y, slot.w, slot.h
        if slot.kind == 'missing':
            dashed_rect(canvas, x, y, w, h, grey)
            continue
        crop = crops[slot.call]
        interp = (
            cv2.INTER_AREA
            if w * h < crop.shape[0] * crop.shape[1]
            else cv2.INTER_CUBIC
        )
        patch = cv2.resize(crop, (w, h), interpolation=interp)
        y0, x0 = max(y, 0), max(x, 0)
        y1 = min(y + h, canvas.shape[0])
        x1 = min(x + w, canvas.shape[1])
        if y1 > y0 and x1 > x0:
            region = canvas[y0:y1, x0:x1]
            sub = patch[y0 - y : y1 - y, x0 - x : x1 - x]
            # Darkest wins, so neighbouring slots never paint white boxes.
            np.minimum(region, sub[..., None], out=region)
        if slot.extra:
            cv2.rectangle(
                canvas,
                (x - 3, y - 3),
                (x + w + 2, y + h + 2),
                red,
                2,
                cv2.LINE_AA,
            )
            put_text(canvas, '+', (x + w / 2, y - 6), 0.5, red, 2, center=True)
        if low_confidence is not None and low_confidence[slot.call]:
            put_text(
                canvas,
                '?',
                (x + w / 2, y - 6 - (14 if slot.extra else 0)),
                0.5,
                amber,
                2,
                center=True,
            )
    for name, block in layout.classes.items():
        base = layout.rows[block.row].baseline + 3
        x0 = block.x0 - 2
        x1 = max(block.x1, block.x0 + 12) + 2
        color = group_color(GROUP_OF[name])
        cv2.line(canvas, (int(x0), base), (int(x1), base), color, 2)
        label = name
        abnormal = block.count != block.expected
        if abnormal:
            label = f'{name} (x{block.count})'
        if block.hidden:
            label = f'{name} (x{block.count}, {block.hidden} not shown)'
        put_text(
            canvas,
            label,
            (block.x_center, base + 17),
            0.5,
            red if abnormal else ink,
            2 if abnormal else 1,
            center=True,
        )
    if title:
        title = fit_text(title, layout.width - 48, 0.8, 2)
        put_text(canvas, title, (24, 32), 0.8, ink, 2)
        if subtitle:
            (tw, _), _ = text_size(title, 0.8, 2)
            x = 24 + tw + 16
            room = layout.width - 24 - x
            if room >= 60:  # else the title has the whole line
                subtitle = fit_text(subtitle, room, 0.5, 1)
                put_text(canvas, subtitle, (x, 32), 0.5, ink, 1)
    legend = (
        'dashed: missing copy   red frame +: extra copy   '
        '?: low-confidence call   (x n): n copies called'
    )
    put_text(canvas, legend, (24, layout.height - 10), 0.42, grey, 1)
    return canvas


def draw_karyogram(
    image: np.ndarray,
    record: dict,
    style: Optional[KaryogramStyle] = None,
    orient_p_arm: bool = True,
) -> Tuple[np.ndarray, KaryogramLayout]:
    """The karyogram of one image from its karyotype record.

    Args:
        image (np.ndarray): The image the record describes: (H, W) grey or
            (H, W, 3) BGR uint8.
        record (dict): From :func:`deepacc.karyotype.build_record`.
        style (KaryogramStyle, optional): Picture sizes.
        orient_p_arm (bool): See :func:`upright_chromosome`; each call's
            ``p_arm`` (when the record has it) decides its orientation.

    Returns:
        tuple[np.ndarray, KaryogramLayout]: The (h, w, 3) BGR picture and
        its layout.
    """
    grey = whiten_background(to_grey(image))
    dets = record['detections']
    crops = [
        upright_chromosome(
            grey,
            d['bbox'],
            orient_p_arm=orient_p_arm,
            p_arm_up=d['p_arm'] == 'up' if 'p_arm' in d else None,
        )
        for d in dets
    ]
    layout = layout_karyogram(
        [d['label'] for d in dets],
        [d['score'] for d in dets],
        [c.image.shape for c in crops],
        [c.length for c in crops],
        style,
    )
    name = record.get('image') or 'array'
    if not orient_p_arm:
        oriented = 'as found'
    elif any('p_arm' in d for d in dets):
        oriented = 'p-arm up by the model'
    else:
        oriented = 'p-arm up where a centromere shows'
    # The file name and orientation first: the calls' own string can be
    # longer than the page and is cut to fit ('...'; the record has it).
    file_name = name.split('/')[-1]
    subtitle = f'{record["total"]} chromosomes  |  {oriented}  |  {file_name}'
    if 'calls_karyotype' in record:
        subtitle += (
            f'  |  whole-cell reading; calls alone: '
            f'{record["calls_karyotype"]}'
        )
    else:
        subtitle += '  |  calls'  # as before: says no reading was made
    picture = render_karyogram(
        [c.image for c in crops],
        layout,
        [d['low_confidence'] for d in dets],
        title=record['karyotype'],
        subtitle=subtitle,
    )
    return picture, layout
