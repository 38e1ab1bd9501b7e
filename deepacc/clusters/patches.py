"""What the cluster-type classifier sees of an object.

Each object becomes a fixed-size two-channel patch, its opacity (the
stain, polarity removed, other objects blanked) and its mask, scaled so
its longer side fills the patch, plus a few shape numbers the scaling
hides: the object's area relative to the image's median object (a
cluster of two is about twice a chromosome), its solidity, outline
complexity, holes (crossing chromosomes often enclose background) and
the scale factor.
"""

import cv2
import numpy as np

from .objects import ImageObjects

NUM_FEATURES = 6
FEATURE_NAMES = (
    'log_rel_area',
    'solidity',
    'log_complexity',
    'holes',
    'log_scale',
    'fill',
)


def object_patches(
    objects: ImageObjects, size: int = 64, margin: int = 2
) -> np.ndarray:
    """The objects as (N, 2, size, size) float32 patches.

    Channel 0 is the opacity inside the object's mask (0 elsewhere),
    channel 1 the mask. The object is scaled, keeping its aspect ratio, so
    its longer side plus ``margin`` on each side fills ``size``, and
    centred.

    Args:
        objects (ImageObjects): From :func:`find_objects`.
        size (int): Patch side.
        margin (int): Border in patch pixels.

    Returns:
        np.ndarray: (N, 2, size, size) float32.
    """
    out = np.zeros((len(objects), 2, size, size), np.float32)
    inner = size - 2 * margin
    for k in range(len(objects)):
        x, y, w, h = (int(v) for v in objects.boxes[k])
        mask = objects.mask(k)
        opacity = objects.opacity[y : y + h, x : x + w] * mask
        scale = inner / max(w, h)
        nw = max(1, min(inner, int(round(w * scale))))
        nh = max(1, min(inner, int(round(h * scale))))
        interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        small = cv2.resize(opacity.astype(np.float32), (nw, nh), 0, 0, interp)
        small_mask = cv2.resize(
            mask.astype(np.float32), (nw, nh), 0, 0, interp
        )
        x0, y0 = (size - nw) // 2, (size - nh) // 2
        out[k, 0, y0 : y0 + nh, x0 : x0 + nw] = small
        out[k, 1, y0 : y0 + nh, x0 : x0 + nw] = small_mask
    return out


def object_features(objects: ImageObjects, size: int = 64) -> np.ndarray:
    """Shape numbers per object (see :data:`FEATURE_NAMES`).

    Args:
        objects (ImageObjects): From :func:`find_objects`.
        size (int): The patch side :func:`object_patches` used.

    Returns:
        np.ndarray: (N, NUM_FEATURES) float32.
    """
    areas = objects.areas.astype(np.float64)
    # Objects of at least 30 px stand for the image's chromosome size;
    # specks would pull the median down.
    big = areas[areas >= 30]
    ref = float(np.median(big)) if len(big) else float(np.median(areas))
    feats = np.zeros((len(objects), NUM_FEATURES), np.float32)
    for k in range(len(objects)):
        mask = objects.mask(k).astype(np.uint8)
        padded = np.pad(mask, 1)
        contours, hierarchy = cv2.findContours(
            padded, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_NONE
        )
        outer = [c for c, hh in zip(contours, hierarchy[0]) if hh[3] < 0]
        holes = len(contours) - len(outer)
        points = np.concatenate(outer)
        hull = cv2.contourArea(cv2.convexHull(points))
        perimeter = sum(cv2.arcLength(c, True) for c in outer)
        area = float(areas[k])
        w, h = objects.boxes[k][2:]
        feats[k] = (
            np.log(area / max(ref, 1.0)),
            min(area / max(hull, 1.0), 1.0),
            np.log(max(perimeter, 1.0) ** 2 / (4 * np.pi * area)),
            min(holes, 4) / 4.0,
            np.log(max(w, h) / size),
            area / float(w * h),
        )
    return feats
