"""The karyogram picture: calls cut out, turned upright, laid out by class.

Three steps, each usable alone:

1. :func:`upright_chromosome` cuts one call out of the (grey) image, keeps
   the dark object the box is about, estimates its long axis from the
   object's pixels (PCA of the thresholded mask) and rotates it to
   vertical on a white background, keeping the end that was upper in the
   image on top. The p-arm is put up by the call's polarity when the
   model predicts one (the record's ``p_arm``); otherwise when the width
   profile shows a clear constriction (the centromere) off the middle;
   otherwise the orientation is left as it was (see the function).
2. :func:`layout_karyogram` is pure geometry: one scale for the whole cell
   (so relative lengths are kept), the standard rows of
   :data:`~deepacc.chromosomes.KARYOGRAM_ROWS`, one block per class with a
   slot per copy, empty slots for missing copies and flags for extra ones.
3. :func:`render_karyogram` paints the layout on a white canvas.

:func:`draw_karyogram` runs all three for an image and its record.

Known limit: calls are boxes, not outlines. A neighbour that touches the
chromosome is cut at the box edge, and bits of it off the chromosome's
axis are dropped, but a chromosome that crosses or overlaps another inside
its box is shown with that piece (separating them needs segmentation).
"""

import math
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

from deepacc.chromosomes import (
    CLASSES,
    GROUP_COLORS,
    GROUP_OF,
    KARYOGRAM_ROWS,
    RELATIVE_LENGTH,
)
from deepacc.karyotype.iscn import counts_to_dict, expected_copies
from deepacc.karyotype.overlay import bgr, fit_text

WHITE = 255


@dataclass
class UprightCrop:
    """One chromosome turned upright.

    Attributes:
        image (np.ndarray): (h, w) uint8 grey picture, white background.
        mask (np.ndarray): (h, w) bool, the chromosome's pixels.
        angle (float): Degrees the crop was rotated (counter-clockwise, as
            in :func:`cv2.getRotationMatrix2D`) to make it vertical.
        flipped (bool): Whether it was also turned by 180 degrees to put
            the p-arm (shorter arm) up.
        length (float): Long-axis length in source-image pixels.
        oriented_by (str): What put the p-arm up: ``'polarity'`` (the
            model's call), ``'constriction'`` (the width profile) or
            ``'none'`` (nothing did: the image's upper end is on top).
    """

    image: np.ndarray
    mask: np.ndarray
    angle: float
    flipped: bool
    length: float
    oriented_by: str = 'none'


def to_grey(image: np.ndarray) -> np.ndarray:
    """(H, W) uint8 grey copy of a grey, BGR or BGRA image."""
    image = np.asarray(image)
    if image.ndim == 2:
        grey = image
    elif image.ndim == 3 and image.shape[2] == 1:
        grey = image[..., 0]
    elif image.ndim == 3 and image.shape[2] in (3, 4):
        grey = cv2.cvtColor(image[..., :3], cv2.COLOR_BGR2GRAY)
    else:
        raise ValueError(
            f'expected an (H, W), (H, W, 1), (H, W, 3) or '
            f'(H, W, 4) image, got shape {image.shape}'
        )
    if grey.dtype != np.uint8:
        grey = cv2.normalize(
            grey.astype(np.float32), None, 0, 255, cv2.NORM_MINMAX
        ).astype(np.uint8)
    return np.ascontiguousarray(grey)


def whiten_background(grey: np.ndarray) -> np.ndarray:
    """Stretch a metaphase so its background is white.

    Most pixels of a metaphase are background, so the 75th percentile is
    a stable background level; dividing by it keeps the chromosomes'
    relative darkness (the banding) and removes grey casts.
    """
    level = float(np.percentile(grey, 75))
    if level < 32:  # a dark-field image: leave it alone
        return grey
    out = grey.astype(np.float32) * (WHITE / level)
    return np.clip(out, 0, WHITE).astype(np.uint8)


def _object_mask(
    crop: np.ndarray, inner: Tuple[int, int, int, int]
) -> np.ndarray:
    """The dark object of a crop that the box ``inner`` is about."""
    x1, y1, x2, y2 = inner
    if crop.size == 0 or int(crop.max()) - int(crop.min()) < 8:
        mask = np.zeros(crop.shape, bool)
        mask[y1:y2, x1:x2] = True
        return mask
    _, binary = cv2.threshold(
        crop, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU
    )
    # Pale bands can split a chromosome at the threshold: close small gaps.
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    binary = cv2.morphologyEx(binary, cv2.MORPH_CLOSE, kernel)
    num, comp = cv2.connectedComponents(binary, connectivity=8)
    if num <= 1:
        mask = np.zeros(crop.shape, bool)
        mask[y1:y2, x1:x2] = True
        return mask
    area = np.bincount(comp.ravel(), minlength=num)
    inside = np.bincount(comp[y1:y2, x1:x2].ravel(), minlength=num)
    area[0] = inside[0] = 0
    main = int(np.argmax(inside))
    # Other pieces count when they lie mostly inside the box (a chromosome
    # broken at a pale band); neighbours reaching in from outside do not.
    frac = inside / np.maximum(area, 1)
    keep = (frac >= 0.8) & (inside >= 0.1 * inside[main])
    keep[main] = True
    keep[0] = False
    # A touching or crossing neighbour joins the blob; what lies outside
    # the (tight) box is not this chromosome, so clip to the box + 2 px.
    mask = keep[comp]
    clip = np.zeros_like(mask)
    clip[max(0, y1 - 2) : y2 + 2, max(0, x1 - 2) : x2 + 2] = True
    return _on_axis(mask & clip)


def _on_axis(mask: np.ndarray) -> np.ndarray:
    """The largest piece of a mask, plus pieces lying on its long axis.

    Clipping a blob to the box can leave bits of a neighbour that were
    joined to the chromosome outside the box; a piece of the chromosome
    itself (split at a pale band) lies on the main piece's axis, a
    neighbour's bit usually does not.
    """
    num, comp = cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)
    if num <= 2:
        return mask
    area = np.bincount(comp.ravel(), minlength=num)
    area[0] = 0
    main = int(np.argmax(area))
    ys, xs = np.nonzero(comp == main)
    centre = np.array([xs.mean(), ys.mean()])
    coords = np.stack([xs, ys], 1) - centre
    evals, evecs = np.linalg.eigh(coords.T @ coords / len(xs))
    normal = evecs[:, 0]  # across the long axis
    # A uniform bar of width W has a across-axis std of W / sqrt(12).
    half_width = max(2.0, math.sqrt(max(evals[0], 0.0) * 3.0))
    keep = np.zeros(num, bool)
    keep[main] = True
    for k in range(1, num):
        if k == main or area[k] < 0.05 * area[main]:
            continue
        ky, kx = np.nonzero(comp == k)
        offset = np.array([kx.mean(), ky.mean()]) - centre
        keep[k] = abs(float(offset @ normal)) <= 1.5 * half_width
    return keep[comp]


def _pca_angle(mask: np.ndarray) -> float:
    """Angle (degrees, image axes, y down) of the mask's long axis."""
    ys, xs = np.nonzero(mask)
    if len(xs) < 3:
        h, w = mask.shape
        return 90.0 if h >= w else 0.0
    coords = np.stack([xs - xs.mean(), ys - ys.mean()])
    cov = coords @ coords.T / len(xs)
    evals, evecs = np.linalg.eigh(cov)
    vx, vy = evecs[:, int(np.argmax(evals))]
    return math.degrees(math.atan2(vy, vx))


def _centromere_below_middle(mask: np.ndarray) -> bool:
    """Whether the width profile's constriction is in the lower half.

    The p-arm is the shorter arm, so the centromere (the narrowest point
    between the arm ends) sits above the middle when the p-arm is up. Only
    a clear constriction (width under 80% of the median width, in the
    middle 70% of the length, at least 8% off the middle) is believed.
    """
    rows = np.flatnonzero(mask.any(axis=1))
    if len(rows) < 12:
        return False
    widths = mask[rows[0] : rows[-1] + 1].sum(axis=1).astype(np.float64)
    widths = np.convolve(widths, np.ones(3) / 3, mode='same')
    n = len(widths)
    lo, hi = int(0.15 * n), int(0.85 * n)
    if hi - lo < 3:
        return False
    pos = lo + int(np.argmin(widths[lo:hi]))
    median = float(np.median(widths[lo:hi]))
    if median <= 0 or widths[pos] > 0.8 * median:
        return False
    rel = pos / (n - 1)
    return rel > 0.58


def upright_chromosome(
    grey: np.ndarray,
    bbox: Sequence[float],
    margin: float = 0.15,
    orient_p_arm: bool = True,
    p_arm_up: Optional[bool] = None,
) -> UprightCrop:
    """Cut one chromosome out of a grey image and turn it upright.

    The rotation is the smallest that makes the long axis vertical, so
    the end that was upper in the image (smaller y) stays on top; that is
    the end a polarity of "p-arm up" refers to.

    Args:
        grey (np.ndarray): (H, W) uint8 image, dark chromosomes on a light
            background (see :func:`whiten_background`).
        bbox (Sequence[float]): xyxy box of the call.
        margin (float): Extra context around the box, as a fraction of its
            longer side (at least 4 px), so a tilted chromosome is whole.
        orient_p_arm (bool): Put the p-arm up: by ``p_arm_up`` when
            given, else turn by 180 degrees when the constriction
            heuristic of :func:`_centromere_below_middle` says the p-arm
            is down (when it is unsure, nothing is turned). False keeps
            the image's upper end on top.
        p_arm_up (bool, optional): The call's polarity: whether its p-arm
            is the chromosome's upper end in the image.

    Returns:
        UprightCrop: The chromosome on white, long axis vertical.
    """
    height, width = grey.shape[:2]
    x1, y1, x2, y2 = (float(v) for v in bbox)
    pad = max(4.0, margin * max(x2 - x1, y2 - y1))
    cx1, cy1 = (
        max(0, int(math.floor(x1 - pad))),
        max(0, int(math.floor(y1 - pad))),
    )
    cx2 = min(width, int(math.ceil(x2 + pad)))
    cy2 = min(height, int(math.ceil(y2 + pad)))
    if cx2 - cx1 < 2 or cy2 - cy1 < 2:
        empty = np.full((2, 2), WHITE, np.uint8)
        return UprightCrop(empty, np.zeros((2, 2), bool), 0.0, False, 0.0)
    crop = grey[cy1:cy2, cx1:cx2]
    inner = (
        max(0, int(round(x1)) - cx1),
        max(0, int(round(y1)) - cy1),
        max(1, int(round(x2)) - cx1),
        max(1, int(round(y2)) - cy1),
    )
    mask = _object_mask(crop, inner)
    # Rotating by (angle - 90) counter-clockwise in image coordinates
    # (y down) sends the long axis, at `angle` from the x axis, to vertical.
    angle = _pca_angle(mask) - 90.0
    angle = (angle + 90.0) % 180.0 - 90.0  # in [-90, 90)
    h, w = crop.shape
    diag = int(math.ceil(math.hypot(h, w))) + 2
    rot = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), angle, 1.0)
    rot[0, 2] += (diag - w) / 2.0
    rot[1, 2] += (diag - h) / 2.0
    big = cv2.warpAffine(
        crop, rot, (diag, diag), flags=cv2.INTER_LINEAR, borderValue=WHITE
    )
    big_mask = (
        cv2.warpAffine(
            mask.astype(np.uint8),
            rot,
            (diag, diag),
            flags=cv2.INTER_NEAREST,
            borderValue=0,
        )
        > 0
    )
    if not big_mask.any():
        big_mask = big < WHITE
    # A soft 1-2 px edge, so the cut-out does not look stencilled.
    alpha = cv2.dilate(big_mask.astype(np.uint8), np.ones((3, 3), np.uint8))
    alpha = cv2.GaussianBlur(alpha.astype(np.float32), (3, 3), 0)
    out = alpha * big.astype(np.float32) + (1.0 - alpha) * WHITE
    ys, xs = np.nonzero(alpha > 0.05)
    if len(xs) == 0:
        ys, xs = np.nonzero(big < WHITE)
    if len(xs) == 0:
        ys, xs = np.array([0, diag - 1]), np.array([0, diag - 1])
    top, bottom = ys.min(), ys.max() + 1
    left, right = xs.min(), xs.max() + 1
    image = np.clip(out[top:bottom, left:right], 0, WHITE).astype(np.uint8)
    obj = big_mask[top:bottom, left:right]
    flipped, oriented_by = False, 'none'
    if orient_p_arm and p_arm_up is not None:
        flipped, oriented_by = not p_arm_up, 'polarity'
    elif orient_p_arm and _centromere_below_middle(obj):
        flipped, oriented_by = True, 'constriction'
    if flipped:
        image, obj = image[::-1, ::-1], obj[::-1, ::-1]
    rows = np.flatnonzero(obj.any(axis=1))
    length = (
        float(rows[-1] - rows[0] + 1) if len(rows) else float(image.shape[0])
    )
    return UprightCrop(
        np.ascontiguousarray(image),
        np.ascontiguousarray(obj),
        angle,
        flipped,
        length,
        oriented_by,
    )


@dataclass
class KaryogramStyle:
    """Sizes of the karyogram picture, in output pixels."""

    chr1_height: int = 150  # a chromosome 1 of typical length
    margin: int = 24
    title_height: int = 44
    row_gap: int = 18
    label_height: int = 22
    copy_gap: int = 6
    min_cell_width: int = 90
    max_copies: int = 6  # drawn per class; the label gives the count
    max_scale: float = 4.0
    min_scale: float = 0.2


def layout_karyogram(
    labels: Sequence[int],
    scores: Sequence[float],
    sizes: Sequence[Tuple[int, int]],
    lengths: Optional[Sequence[float]] = None,
    style: Optional[KaryogramStyle] = None,
) -> dict:
    """Where every call and every missing copy goes on the karyogram.

    One scale serves the whole cell: the median, over calls, of
    ``length / RELATIVE_LENGTH[class]`` says how many source pixels one
    percent of the haploid genome takes in this cell, and the scale makes
    a chromosome 1 of that size ``style.chr1_height`` pixels tall, so
    relative lengths are kept and one outlier box does not shrink the
    rest. Copies of a class stand side by side on a baseline, highest
    score first; copies beyond the expected number (2, or 1 X and 1 Y when
    a Y is called) are marked ``extra``, and each expected copy that was
    not called gets a ``missing`` slot of the expected size. At most
    ``style.max_copies`` copies of a class are drawn (a badly trained
    model can call 50 chromosome 1s); the rest are counted as ``hidden``.

    Args:
        labels (Sequence[int]): (N,) class index of each call.
        scores (Sequence[float]): (N,) score of each call.
        sizes (Sequence[tuple[int, int]]): (N,) (height, width) of each
            upright crop in source pixels.
        lengths (Sequence[float], optional): (N,) long-axis lengths in
            source pixels; defaults to the crop heights.
        style (KaryogramStyle, optional): Picture sizes.

    Returns:
        dict: ``scale`` (output px per source px), ``width``, ``height``
        (canvas), ``rows`` (list of dicts: ``classes``, ``top``,
        ``baseline``), ``slots`` (list of dicts: ``class``, ``row``,
        ``copy`` (0-based position in its class block), ``kind``
        (``'call'`` or ``'missing'``), ``call`` (index into the inputs, or
        None), ``extra`` (bool), ``x``, ``y``, ``w``, ``h`` (output px, y
        down; a slot stands on its row's baseline)) and ``classes``
        (dict per class name: ``row``, ``count``, ``expected``, ``hidden``
        (calls not drawn), ``x_center`` (block centre), ``x0``, ``x1``
        (block extent)).
    """
    style = style or KaryogramStyle()
    labels = [int(v) for v in labels]
    scores = [float(v) for v in scores]
    sizes = [(int(h), int(w)) for h, w in sizes]
    if not len(labels) == len(scores) == len(sizes):
        raise ValueError(
            f'layout_karyogram: {len(labels)} labels, '
            f'{len(scores)} scores and {len(sizes)} sizes '
            'differ in length'
        )
    lengths = (
        [float(h) for h, _ in sizes]
        if lengths is None
        else [float(v) for v in lengths]
    )
    counts = counts_to_dict(
        np.bincount(np.asarray(labels, np.int64), minlength=len(CLASSES))
        if labels
        else [0] * len(CLASSES)
    )
    expected = expected_copies(counts)

    # Source px per percent of haploid length, then one scale for all.
    if labels:
        units = [
            length / RELATIVE_LENGTH[CLASSES[lab]]
            for lab, length in zip(labels, lengths)
            if length > 0
        ]
        unit = float(np.median(units)) if units else 10.0
        widths = [w for _, w in sizes]
        typical_w = float(np.median(widths))
    else:
        unit, typical_w = 10.0, 20.0
    scale = style.chr1_height / max(unit * RELATIVE_LENGTH['1'], 1e-6)
    scale = float(min(max(scale, style.min_scale), style.max_scale))

    by_class: Dict[str, List[int]] = {name: [] for name in CLASSES}
    for i in sorted(range(len(labels)), key=lambda i: -scores[i]):
        by_class[CLASSES[labels[i]]].append(i)

    def scaled(v: float) -> int:
        return max(1, int(round(v * scale)))

    # Slot sizes per class block (before positions are known).
    blocks, hidden = {}, {}
    for name in CLASSES:
        slots = []
        hidden[name] = max(0, len(by_class[name]) - style.max_copies)
        for k, i in enumerate(by_class[name][: style.max_copies]):
            h, w = sizes[i]
            slots.append(
                dict(
                    kind='call',
                    call=i,
                    extra=k >= expected[name],
                    h=scaled(h),
                    w=scaled(w),
                )
            )
        for _ in range(len(slots), expected[name]):
            slots.append(
                dict(
                    kind='missing',
                    call=None,
                    extra=False,
                    h=scaled(unit * RELATIVE_LENGTH[name]),
                    w=scaled(typical_w),
                )
            )
        blocks[name] = slots

    def block_width(name: str) -> int:
        slots = blocks[name]
        if not slots:
            return scaled(typical_w)
        return sum(s['w'] for s in slots) + style.copy_gap * (len(slots) - 1)

    cell = max(
        style.min_cell_width,
        max(block_width(n) for n in CLASSES) + 2 * style.copy_gap,
    )
    width = 2 * style.margin + cell * max(len(r) for r in KARYOGRAM_ROWS)

    rows, out_slots, classes = [], [], {}
    top = style.margin + style.title_height
    for r, row in enumerate(KARYOGRAM_ROWS):
        content = max(
            [s['h'] for n in row for s in blocks[n]]
            + [scaled(unit * RELATIVE_LENGTH[n]) for n in row]
        )
        baseline = top + content
        # Classes spread evenly across the canvas, as on a paper karyogram.
        row_cell = (width - 2 * style.margin) / len(row)
        for c, name in enumerate(row):
            centre = style.margin + (c + 0.5) * row_cell
            bw = block_width(name)
            x = int(round(centre - bw / 2))
            x0 = x
            for k, slot in enumerate(blocks[name]):
                out_slots.append(
                    dict(
                        slot,
                        **{'class': name},
                        row=r,
                        copy=k,
                        x=x,
                        y=baseline - slot['h'],
                    )
                )
                x += slot['w'] + style.copy_gap
            classes[name] = dict(
                row=r,
                count=counts[name],
                expected=expected[name],
                hidden=hidden[name],
                x_center=float(centre),
                x0=x0,
                x1=x0 + bw,
            )
        rows.append(dict(classes=list(row), top=top, baseline=baseline))
        top = baseline + style.label_height + style.row_gap
    height = top + style.margin
    return dict(
        scale=scale,
        width=int(width),
        height=int(height),
        rows=rows,
        slots=out_slots,
        classes=classes,
    )


def _dashed_rect(
    img: np.ndarray, x: int, y: int, w: int, h: int, color, dash: int = 5
) -> None:
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


def _text(img, text, org, scale, color, thickness=1, center=False):
    font = cv2.FONT_HERSHEY_SIMPLEX
    if center:
        (tw, _), _ = cv2.getTextSize(text, font, scale, thickness)
        org = (int(org[0] - tw / 2), int(org[1]))
    cv2.putText(
        img,
        text,
        (int(org[0]), int(org[1])),
        font,
        scale,
        color,
        thickness,
        cv2.LINE_AA,
    )


def render_karyogram(
    crops: Sequence[np.ndarray],
    layout: dict,
    low_confidence: Optional[Sequence[bool]] = None,
    title: str = '',
    subtitle: str = '',
) -> np.ndarray:
    """Paint a karyogram layout on a white canvas.

    Args:
        crops (Sequence[np.ndarray]): Upright grey crops, one per call, in
            the order the layout's ``call`` indices refer to.
        layout (dict): From :func:`layout_karyogram`.
        low_confidence (Sequence[bool], optional): Per call; marked with
            an amber ``?`` above the chromosome.
        title (str): Top line (e.g. the karyotype string).
        subtitle (str): Smaller second part of the top line.

    Returns:
        np.ndarray: (height, width, 3) uint8 BGR picture.
    """
    canvas = np.full((layout['height'], layout['width'], 3), WHITE, np.uint8)
    red, amber, grey = (40, 40, 220), (0, 150, 240), (150, 150, 150)
    ink = (40, 40, 40)
    for slot in layout['slots']:
        x, y, w, h = slot['x'], slot['y'], slot['w'], slot['h']
        if slot['kind'] == 'missing':
            _dashed_rect(canvas, x, y, w, h, grey)
            continue
        crop = crops[slot['call']]
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
        if slot['extra']:
            cv2.rectangle(
                canvas,
                (x - 3, y - 3),
                (x + w + 2, y + h + 2),
                red,
                2,
                cv2.LINE_AA,
            )
            _text(canvas, '+', (x + w / 2, y - 6), 0.5, red, 2, center=True)
        if low_confidence is not None and low_confidence[slot['call']]:
            _text(
                canvas,
                '?',
                (x + w / 2, y - 6 - (14 if slot['extra'] else 0)),
                0.5,
                amber,
                2,
                center=True,
            )
    for name, info in layout['classes'].items():
        row = layout['rows'][info['row']]
        base = row['baseline'] + 3
        x0 = info['x0'] - 2
        x1 = max(info['x1'], info['x0'] + 12) + 2
        color = bgr(GROUP_COLORS[GROUP_OF[name]])
        cv2.line(canvas, (int(x0), base), (int(x1), base), color, 2)
        label = name
        abnormal = info['count'] != info['expected']
        if abnormal:
            label = f'{name} (x{info["count"]})'
        if info.get('hidden'):
            label = f'{name} (x{info["count"]}, {info["hidden"]} not shown)'
        _text(
            canvas,
            label,
            (info['x_center'], base + 17),
            0.5,
            red if abnormal else ink,
            2 if abnormal else 1,
            center=True,
        )
    if title:
        title = fit_text(title, layout['width'] - 48, 0.8, 2)
        _text(canvas, title, (24, 32), 0.8, ink, 2)
        if subtitle:
            (tw, _), _ = cv2.getTextSize(
                title, cv2.FONT_HERSHEY_SIMPLEX, 0.8, 2
            )
            x = 24 + tw + 16
            room = layout['width'] - 24 - x
            if room >= 60:  # else the title has the whole line
                subtitle = fit_text(subtitle, room, 0.5, 1)
                _text(canvas, subtitle, (x, 32), 0.5, ink, 1)
    legend = (
        'dashed: missing copy   red frame +: extra copy   '
        '?: low-confidence call   (x n): n copies called'
    )
    _text(canvas, legend, (24, layout['height'] - 10), 0.42, grey, 1)
    return canvas


def draw_karyogram(
    image: np.ndarray,
    record: dict,
    style: Optional[KaryogramStyle] = None,
    orient_p_arm: bool = True,
) -> Tuple[np.ndarray, dict]:
    """The karyogram of one image from its karyotype record.

    Args:
        image (np.ndarray): The image the record describes: (H, W) grey or
            (H, W, 3) BGR uint8.
        record (dict): From :func:`deepacc.karyotype.build_record`.
        style (KaryogramStyle, optional): Picture sizes.
        orient_p_arm (bool): See :func:`upright_chromosome`; each call's
            ``p_arm`` (when the record has it) decides its orientation.

    Returns:
        tuple[np.ndarray, dict]: The (h, w, 3) BGR picture and its layout.
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
