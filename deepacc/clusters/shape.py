"""The shape of an object: is it one band, or chromosomes joined?

A single chromosome, straight or bent, long or short, is one unbranched
band: its centre line has two ends, it encloses no background and it is
nowhere pinched to under half its width (a centromere narrows it less).
Chromosomes that cross have a centre line with four ends (an X) and
often enclose background between them; one touching another from the
side gives three ends (a T); two whose rounded ends meet leave a neck.
This is the geometric reading of Lin et al. (IEEE BIBM 2020), and
unlike a learned patch classifier it does not depend on how long a
chromosome is for its width, which is what changes between a lab's
prometaphase captures and the condensed training crops
(``benchmarks/README.md``, "Real single chromosomes and clusters").

What it cannot see: chromosomes joined end to end along a broad
contact, or lying side by side along their length, are one band too.

The centre line is Zhang and Suen's thinning (a connected,
one-pixel-wide line; the medial axis of :mod:`deepacc.scale` is not
connected and only serves widths). Before thinning, holes under half a
width squared (a pale band cut by the threshold) are filled and the
outline is opened by a sixth of the width; after it, spurs shorter than
one width (a bump of the outline, a chromatid end) are cut, every
junction keeping its two longest branches (so a spur beside a line's
end takes nothing of the line with it). Each of
these sizes is a fraction of the object's own width, so the reading is
the same at any magnification. The neck is the narrowest point of the
centre line farther than one width from its ends.
"""

from typing import List, NamedTuple, Optional, Tuple

import cv2
import numpy as np

# deepacc.scale imports .objects of this package; this module is not
# imported by the package's __init__, so there is no cycle.
from deepacc.scale import mask_width

from .types import BOTH, SINGLE, TOUCHING

# A band narrower than this fraction of its width is two chromosomes
# meeting; no single chromosome of the real, composed or generated
# sets measured (benchmarks/README.md) narrows under 0.5.
NECK = 0.5
# The 8 neighbours of a pixel in order around it, starting above:
# (row, column) offsets.
_RING = ((-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1))
_EIGHT = np.ones((3, 3), np.uint8)
_FIVE = np.ones((5, 5), np.uint8)


class ObjectShape(NamedTuple):
    """What :func:`object_shape` reads of one object.

    Attributes:
        ends (int): Ends of the pruned centre line (2 for one band).
        holes (int): Enclosed background regions of at least half a
            width squared.
        neck (float): The narrowest width of the centre line away from
            its ends, as a fraction of ``width`` (1.0 when the line is
            too short to have an inside).
        width (float): The width the sizes were taken from, in pixels.
    """

    ends: int
    holes: int
    neck: float
    width: float

    @property
    def one_band(self) -> bool:
        """One chromosome's shape: at most two ends, no hole, no neck
        under :data:`NECK`."""
        return self.ends <= 2 and self.holes == 0 and self.neck >= NECK


def _neighbours(mask: np.ndarray) -> list:
    """The 8 neighbour planes of a boolean mask, in :data:`_RING`
    order (zero outside the image)."""
    padded = np.pad(mask, 1)
    h, w = mask.shape
    return [
        padded[1 + dy : 1 + dy + h, 1 + dx : 1 + dx + w] for dy, dx in _RING
    ]


def _transitions(planes: list) -> np.ndarray:
    """Background-to-line steps going once around each pixel (one for a
    pixel inside a line or at its end, three or more where branches
    meet)."""
    ring = planes + [planes[0]]
    return sum((~ring[i] & ring[i + 1]).astype(np.uint8) for i in range(8))


def thin(mask: np.ndarray) -> np.ndarray:
    """Zhang-Suen thinning: the mask reduced to a connected line one
    pixel wide, ends kept (Zhang and Suen, CACM 1984).

    Args:
        mask (np.ndarray): (H, W) boolean.

    Returns:
        np.ndarray: (H, W) boolean centre line.
    """
    line = mask.astype(bool).copy()
    while True:
        changed = False
        for step in (0, 1):
            p = _neighbours(line)
            count = sum(q.astype(np.uint8) for q in p)
            transitions = _transitions(p)
            up, right, down, left = p[0], p[2], p[4], p[6]
            if step == 0:
                side = ~(up & right & down) & ~(right & down & left)
            else:
                side = ~(up & right & left) & ~(up & down & left)
            remove = (
                line & (count >= 2) & (count <= 6) & (transitions == 1) & side
            )
            if remove.any():
                line &= ~remove
                changed = True
        if not changed:
            return line


def neighbour_count(line: np.ndarray) -> np.ndarray:
    """Set 8-neighbours of every pixel (1 at a line's ends)."""
    return sum(q.astype(np.uint8) for q in _neighbours(line))


def _junctions(line: np.ndarray) -> np.ndarray:
    """Line pixels where three or more branches meet."""
    transitions = _transitions(_neighbours(line))
    return line & ((transitions >= 3) | (neighbour_count(line) >= 4))


def prune(line: np.ndarray, length: float, rounds: int = 4) -> np.ndarray:
    """Cut the branches that run from an end to a junction in fewer
    than ``length`` pixels, keeping the two longest branches of every
    junction: a spur beside a line's end goes, the end stays (cutting
    every short end branch ate a line from its ends, a branch a round,
    wherever thinning had left spurs along it). Ends within a pixel of
    a junction go too."""
    for _ in range(rounds):
        junctions = _junctions(line)
        if not junctions.any():
            break
        near = cv2.dilate(junctions.astype(np.uint8), _EIGHT).astype(bool)
        num, labels = cv2.connectedComponents(
            (line & ~near).astype(np.uint8), connectivity=8
        )
        ends = line & (neighbour_count(line) == 1)
        sizes = np.bincount(labels.ravel(), minlength=num)
        short = set(np.unique(labels[ends]).tolist()) - {0}
        short = {i for i in short if sizes[i] < length}
        # A junction's place: its pixels and those within two pixels
        # (thinning splits a fork into junctions a pixel or two apart).
        count, places = cv2.connectedComponents(
            cv2.dilate(near.astype(np.uint8), _FIVE), connectivity=8
        )
        cut = set()
        for j in range(1, count):
            around = cv2.dilate((places == j).astype(np.uint8), _EIGHT)
            branches = [b for b in np.unique(labels[around > 0]) if b > 0]
            longest = sorted(branches, key=lambda b: -sizes[b])[:2]
            cut |= {b for b in branches if b in short and b not in longest}
        # Ends within a pixel of a junction: stubs thinning leaves,
        # too short to be branches of their own.
        stubs = ends & near
        if not cut and not stubs.any():
            break
        line = thin(line & ~np.isin(labels, sorted(cut)) & ~stubs)
    return line


def fill_holes(mask: np.ndarray, max_area: float) -> np.ndarray:
    """``mask`` with its holes under ``max_area`` pixels filled."""
    background = np.pad(~mask, 1, constant_values=True).astype(np.uint8)
    num, labels, stats, _ = cv2.connectedComponentsWithStats(
        background, connectivity=4
    )
    outside = labels[0, 0]
    small = [
        i
        for i in range(1, num)
        if i != outside and stats[i, cv2.CC_STAT_AREA] < max_area
    ]
    filled = background.astype(bool) & ~np.isin(labels, small)
    return ~filled[1:-1, 1:-1]


def _holes(mask: np.ndarray) -> int:
    background = np.pad(~mask, 1, constant_values=True).astype(np.uint8)
    num = cv2.connectedComponents(background, connectivity=4)[0]
    return num - 2  # minus the label 0 (the object) and the outside


def object_shape(mask: np.ndarray, width: float) -> ObjectShape:
    """Ends, holes and neck of one object's cleaned outline.

    Args:
        mask (np.ndarray): (H, W) boolean mask of the object alone
            (:meth:`ImageObjects.mask`).
        width (float): Its chromosome width in pixels
            (:func:`deepacc.scale.mask_width`); at least 1.

    Returns:
        ObjectShape: Its ends, holes, neck and the width used.
    """
    width = max(float(width), 1.0)
    mask = fill_holes(mask.astype(bool), 0.5 * width * width)
    radius = int(round(width / 6))
    if radius >= 1:
        kernel = cv2.getStructuringElement(
            cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1)
        )
        pad = radius + 1
        opened = cv2.morphologyEx(
            np.pad(mask, pad).astype(np.uint8), cv2.MORPH_OPEN, kernel
        )[pad:-pad, pad:-pad].astype(bool)
        if opened.any():
            mask = opened
    line = prune(thin(mask), width)
    ends = line & (neighbour_count(line) == 1)
    return ObjectShape(
        ends=int(ends.sum()),
        holes=_holes(mask),
        neck=_neck(mask, line, ends, width),
        width=width,
    )


def _neck(mask, line, ends, width) -> float:
    """The narrowest width along ``line`` farther than ``width`` from
    its ``ends``, over ``width``."""
    points = np.argwhere(line)
    ends = np.argwhere(ends)
    if len(ends):
        gaps = np.hypot(
            points[:, None, 0] - ends[None, :, 0],
            points[:, None, 1] - ends[None, :, 1],
        ).min(axis=1)
        points = points[gaps > width]
    if not len(points):
        return 1.0
    dist = cv2.distanceTransform(
        np.pad(mask, 1).astype(np.uint8), cv2.DIST_L2, 5
    )[1:-1, 1:-1]
    return float(2 * dist[points[:, 0], points[:, 1]].min() / width)


def shape_types(
    labels: np.ndarray, objects
) -> Tuple[np.ndarray, List[Optional[ObjectShape]]]:
    """Cluster types read with the objects' shapes.

    An object the classifier calls a cluster (touching, overlapping or
    both) whose outline is one band (:attr:`ObjectShape.one_band`) is
    called single; every other call stays (a branched object the
    classifier calls single stays single: a condensed chromosome's
    chromatids can splay; debris and nuclei are not read). What it
    costs and buys: ``benchmarks/README.md``, "Real single chromosomes
    and clusters".

    Args:
        labels (np.ndarray): (N,) the classifier's type indices.
        objects (ImageObjects): The objects they are of.

    Returns:
        tuple: (N,) type indices and the shapes read (None for the
        objects not called a cluster).
    """
    labels = np.array(labels, np.int64)
    shapes: List[Optional[ObjectShape]] = [None] * len(labels)
    for k in np.flatnonzero((labels >= TOUCHING) & (labels <= BOTH)):
        mask = objects.mask(k)
        shapes[k] = object_shape(mask, mask_width(mask))
        if shapes[k].one_band:
            labels[k] = SINGLE
    return labels, shapes
