"""One chromosome cut out of a metaphase and turned upright.

:func:`upright_chromosome` cuts one call out of the (grey) image, keeps
the dark object the box is about (a mask from Otsu's threshold), estimates
its long axis from the object's pixels (PCA of the mask) and rotates it
to vertical on a white background, keeping the end that was upper in the
image on top. The p-arm is put up by the call's polarity when the model
predicts one; otherwise when the width profile shows a clear constriction
(the centromere) off the middle; otherwise the orientation is left as it
was.

Known limit: calls are boxes, not outlines. A neighbour that touches the
chromosome is cut at the box edge, and bits of it off the chromosome's
axis are dropped, but a chromosome that crosses or overlaps another inside
its box is shown with that piece (separating them needs segmentation).
"""

import math
from dataclasses import dataclass
from typing import Optional, Sequence, Tuple

import cv2
import numpy as np

from deepacc.visualization.image import WHITE


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
            background (see
            :func:`deepacc.visualization.whiten_background`).
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
