"""Bent chromosome crops straightened along their centre line.

A chromosome cut out of a karyogram lies mostly straight, but a fair
share bend into an L, J or U. Fitted to a fixed canvas a bent crop is
shrunk to fit its bounding box, its bands read across the bend, and
which end is up is hard to tell; straightened it is read like the rest.

.. code-block:: none

    crop -> ink mask (Otsu, largest object, holes filled)
         -> centre line (Zhang-Suen, spurs under a width cut)
         -> longest path between two ends, carried out to the outline
         -> smoothed, resampled every pixel of arc length
         -> the image sampled across the line at each point

The path starts at the end nearer the top of the crop (ties broken to
the left), so an upright crop stays upright, and straightening a crop
turned by 180 degrees gives its straightened crop turned: the rule
``y + x / 1000`` is linear, and the turn maps its smallest value on one
end to the largest on the other.

A classifier reading straightened crops alone is no better than one
reading them as cut out, but it errs on other crops: the default crop
classifier is a pair of readers, one of each
(``ChromosomeCropDataset(straighten='both')`` and
:class:`~deepacc.models.classifiers.ChromosomeCropEnsemble`; measured in
``configs/crop_classification/README.md``).
"""

from collections import deque
from typing import Tuple

import cv2
import numpy as np

from deepacc.clusters.shape import fill_holes, neighbour_count, prune, thin
from deepacc.scale import mask_width
from deepacc.synthesis.compose import crop_background

from .crops import crop_ink

# A chromosome that fills at least this share of its smallest enclosing
# (turned) rectangle is left as it is: straight ones fill 0.69-0.76 (the
# quartiles on the dev crops), an L, U or C under 0.55. Measured on the
# rectangle rather than on the centre line, which a straight chromosome
# with its chromatids apart bends along one chromatid.
FILL = 0.6

_STEPS = ((-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1))


def _ink_mask(ink: np.ndarray) -> np.ndarray:
    """The largest Otsu object of ``ink``, its holes filled."""
    level = (np.clip(ink, 0.0, 1.0) * 255).astype(np.uint8)
    _, mask = cv2.threshold(level, 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    num, labels, stats, _ = cv2.connectedComponentsWithStats(mask, 8)
    if num < 2:
        return np.zeros(ink.shape, bool)
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    return fill_holes(labels == largest, np.inf)


def _farthest(line: np.ndarray, start: Tuple[int, int]):
    """Breadth-first walk of the line's 8-connected pixels from
    ``start``: the farthest pixel and the parent of every pixel."""
    parent = {start: None}
    queue = deque([start])
    last = start
    while queue:
        last = queue.popleft()
        y, x = last
        for dy, dx in _STEPS:
            q = (y + dy, x + dx)
            if (
                0 <= q[0] < line.shape[0]
                and 0 <= q[1] < line.shape[1]
                and line[q]
                and q not in parent
            ):
                parent[q] = last
                queue.append(q)
    return last, parent


def longest_path(line: np.ndarray) -> np.ndarray:
    """The longest walk along a one-pixel line (two breadth-first
    sweeps; exact on a tree), as (N, 2) float (x, y) points."""
    points = np.argwhere(line)
    if not len(points):
        return np.zeros((0, 2))
    first, _ = _farthest(line, tuple(points[0]))
    last, parent = _farthest(line, first)
    path = [last]
    while parent[path[-1]] is not None:
        path.append(parent[path[-1]])
    return np.array(path, np.float64)[:, ::-1]


def _extend(path: np.ndarray, mask: np.ndarray, reach: int) -> np.ndarray:
    """``path`` carried on from its last point along its last direction
    to the edge of ``mask`` (thinning stops half a width short)."""
    back = path[max(len(path) - 1 - reach, 0)]
    step = path[-1] - back
    norm = np.hypot(*step)
    if norm == 0:
        return path
    step = step / norm
    h, w = mask.shape
    extra = []
    for k in range(1, 2 * reach + 1):
        x, y = path[-1] + k * step
        if not (0 <= x < w and 0 <= y < h) or not mask[int(y), int(x)]:
            break
        extra.append((x, y))
    return np.vstack([path] + ([np.array(extra)] if extra else []))


def _resample(path: np.ndarray, sigma: float) -> np.ndarray:
    """Points every pixel of arc length along ``path``, smoothed by a
    Gaussian of ``sigma`` pixels (the ends held)."""
    arc = np.concatenate(
        [[0.0], np.cumsum(np.hypot(*np.diff(path, axis=0).T))]
    )
    at = np.arange(0.0, arc[-1] + 1e-9, 1.0)
    points = np.stack([np.interp(at, arc, path[:, k]) for k in (0, 1)], 1)
    if sigma > 0 and len(points) > 2:
        radius = int(3 * sigma)
        kernel = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
        kernel /= kernel.sum()
        padded = np.pad(points, ((radius, radius), (0, 0)), mode='edge')
        points = np.stack(
            [np.convolve(padded[:, k], kernel, 'valid') for k in (0, 1)], 1
        )
    return points


def centre_path(gray: np.ndarray, background: str = 'auto'):
    """The chromosome's centre line from one end to the other.

    Args:
        gray (np.ndarray): (h, w) uint8 crop of one chromosome.
        background (str): See :func:`deepacc.datasets.crops.crop_ink`.

    Returns:
        tuple: (N, 2) float (x, y) points every pixel of arc length,
        starting at the end nearer the top, and the width in pixels. The
        points are None when the crop has no object, a branched line
        (more than two ends: sister chromatids apart, a blob) or one
        shorter than two widths.
    """
    return _mask_path(_ink_mask(crop_ink(gray, background)))


def _mask_path(mask: np.ndarray):
    """:func:`centre_path` of an object mask."""
    width = mask_width(mask)
    if width < 1:
        return None, width
    line = prune(thin(mask), width)
    if (line & (neighbour_count(line) == 1)).sum() != 2:
        return None, width  # a branched line: chromatids apart, a blob
    path = longest_path(line)
    if len(path) < 2 * width:
        return None, width
    reach = max(int(round(width)), 2)
    path = _extend(_extend(path, mask, reach)[::-1], mask, reach)
    if path[-1] @ (1e-3, 1.0) < path[0] @ (1e-3, 1.0):
        path = path[::-1]
    return _resample(path, width / 2), width


def rectangle_fill(mask: np.ndarray) -> float:
    """Area of ``mask`` over that of its smallest enclosing rectangle."""
    points = np.argwhere(mask)[:, ::-1].astype(np.float32)
    if len(points) < 3:
        return 1.0
    _, (w, h), _ = cv2.minAreaRect(points)
    return float(len(points) / max(w * h, 1.0))


def straighten_crop(
    gray: np.ndarray,
    background: str = 'auto',
    min_fill: float = FILL,
) -> np.ndarray:
    """A bent chromosome crop laid out straight and upright.

    The image is sampled along the normals of the smoothed centre line,
    a band 2.6 of its largest half widths across (band pixels nearer
    another stretch of the line, or off the object, become background),
    so the straightened crop is as long as the chromosome's arc. Crops
    whose object fills at least ``min_fill`` of its smallest enclosing
    rectangle (:func:`rectangle_fill`: straight ones), and crops without
    a usable centre line (:func:`centre_path`), are returned as they
    are.

    Args:
        gray (np.ndarray): (h, w) uint8 crop, one chromosome.
        background (str): See :func:`deepacc.datasets.crops.crop_ink`.
        min_fill (float): Rectangle fill at and above which a crop is
            left alone.

    Returns:
        np.ndarray: uint8 crop, the input itself when left alone.
    """
    mask = _ink_mask(crop_ink(gray, background))
    if rectangle_fill(mask) >= min_fill:
        return gray
    path, width = _mask_path(mask)
    if path is None or len(path) < 3:
        return gray
    tangent = np.gradient(path, axis=0)
    tangent /= np.maximum(np.hypot(*tangent.T), 1e-9)[:, None]
    normal = np.stack([-tangent[:, 1], tangent[:, 0]], 1)
    dist = cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, 5)
    half = int(np.ceil(1.3 * _sample(dist, path).max())) + 2
    across = np.arange(-half, half + 1, dtype=np.float64)
    map_x = (path[:, None, 0] + across * normal[:, None, 0]).astype(np.float32)
    map_y = (path[:, None, 1] + across * normal[:, None, 1]).astype(np.float32)
    # A pixel of the band nearer another stretch of the line (the other
    # arm of a U) than this one, or off the object, is background.
    trace = np.ones(gray.shape, np.uint8)
    cv2.polylines(trace, [np.round(path).astype(np.int32)], False, 0, 1)
    to_line = cv2.distanceTransform(trace, cv2.DIST_L2, 5)
    own = cv2.remap(
        to_line,
        map_x,
        map_y,
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=1e6,
    )
    near = cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8))
    inside = cv2.remap(
        near,
        map_x,
        map_y,
        cv2.INTER_NEAREST,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=0,
    )
    kind = crop_background(gray) if background == 'auto' else background
    fill = 255 if kind == 'white' else 0
    out = cv2.remap(
        gray,
        map_x,
        map_y,
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=fill,
    )
    keep = (inside > 0) & (own >= np.abs(across)[None, :] - 1.5)
    return np.where(keep, out, fill).astype(np.uint8)


def _sample(image: np.ndarray, points: np.ndarray) -> np.ndarray:
    """``image`` at the nearest pixels of (x, y) ``points``."""
    h, w = image.shape
    x = np.clip(np.round(points[:, 0]).astype(int), 0, w - 1)
    y = np.clip(np.round(points[:, 1]).astype(int), 0, h - 1)
    return image[y, x]


STRAIGHTEN_CHOICES = (False, True, 'both')


def check_straighten(straighten) -> None:
    """Refuse a ``straighten`` other than False, True or ``'both'``."""
    if straighten not in STRAIGHTEN_CHOICES:
        raise ValueError(
            f"straighten must be False, True or 'both', got {straighten!r}"
        )


def crop_readings(
    gray: np.ndarray, straighten=False, background: str = 'auto'
) -> list:
    """The crops a model reads for one chromosome: the crop as cut out
    (``straighten=False``), straightened (``True``, :func:`straighten_crop`)
    or both, in that order (``'both'``: a
    :class:`~deepacc.models.classifiers.ChromosomeCropEnsemble` whose
    members read one each)."""
    check_straighten(straighten)
    if straighten == 'both':
        return [gray, straighten_crop(gray, background)]
    return [straighten_crop(gray, background)] if straighten else [gray]
