"""How big the chromosomes of an image are, in pixels.

Captures differ in magnification and in condensation. Length is the
wrong yardstick across condensation: a metaphase-condensed chromosome 1
is half as long as a prometaphase one at the same magnification, and
wider. The yardstick here is the chromosome's *width*: each foreground
object (:func:`deepacc.clusters.objects.find_objects`) is thinned to its
medial axis and its width read from the distance transform along that
axis, twice the median distance to the edge; the image's width is the
median over the objects that look like single chromosomes (elongated
enough, not among the largest objects, which are clusters and nuclei).

Read in the image's own pixels, the width is coarse where chromosomes
are narrow: twice a median of distance-transform values takes only a
few values (rods 8.5 and 9 px wide both read 9.99), and counting from
pixel centres adds a pixel that weighs twice as much at half the size.
A capture at half the training scale read 4-12% wider than half its
full-size width (generated, composed and real cells; 2x captures 2-8%
narrower). So the image is read twice: once as it is, then resized so
that its chromosomes are about :data:`REFERENCE_WIDTH` pixels wide
(bicubically up, area-averaged down); the second reading, divided by
that resize, is the width. It follows sub-pixel changes of the width,
and the half-size capture reads 2-5% wide (7% on sharp rods), the 2x
capture within 1% (what remains is the rim the object finder's noise
threshold takes in, about a capture pixel; ``benchmarks/README.md``,
"Reading the width at a reference size"). Checkpoints trained before
this record no reference (``meta['chromosome_width_reference']``) and
are matched with a one-pass reading (``reference=None``), as they were
measured.
``benchmarks/real_images.py`` prints this estimate for every real set.

The width serves a whole image, where chromosomes touch and cross and
the detector must meet them at the size it learnt. Naming the
chromosomes of one cell is another matter: a condensed cell's
chromosomes are shorter and wider, so brought to the training width they
are smaller than any training cell's, and a crop classifier reads their
sizes wrong (real karyogram cut-outs were named best enlarged by a
further 1.3). Within a cell the lengths keep their proportions however
condensed it is (the relative length of cytogenetics), so a crop
classifier may bring each cell to one median chromosome length instead
(:func:`crops_length`, ``ChromosomeCropDataset(cell_length=...)``).
"""

from typing import Optional, Tuple

import cv2
import numpy as np

from deepacc.clusters.objects import ImageObjects, find_objects

#: Chromosome width (px) at which images are read (module docstring).
REFERENCE_WIDTH = 24.0
# The second reading's resize is kept within these bounds (a 3 px wide
# reading would otherwise enlarge a 640x480 image eightfold).
MAX_REFERENCE_RESIZE = (0.25, 4.0)


class ScaleEstimateError(ValueError):
    """An image whose chromosome width cannot be measured."""


def _thin(mask: np.ndarray) -> np.ndarray:
    """Medial axis of a binary mask: Lantuejoul's morphological skeleton,
    the union of (erosion^k - opening(erosion^k)). One method everywhere,
    so a model's training width and an image's width are read alike."""
    mask = mask.astype(np.uint8)
    kernel = cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))
    skeleton = np.zeros_like(mask)
    eroded = mask.copy()
    while eroded.any():
        opened = cv2.morphologyEx(eroded, cv2.MORPH_OPEN, kernel)
        skeleton |= eroded & ~opened
        eroded = cv2.erode(eroded, kernel)
    return skeleton.astype(bool)


def object_widths(objects: ImageObjects) -> np.ndarray:
    """Width of every object: twice the median distance to its edge
    along its medial axis.

    Args:
        objects (ImageObjects): From :func:`find_objects`.

    Returns:
        np.ndarray: (N,) float64 widths in pixels (0 for objects too
        small to have an axis).
    """
    return np.array(
        [mask_width(objects.mask(k)) for k in range(len(objects))],
        np.float64,
    ).reshape(-1)


def mask_width(mask: np.ndarray) -> float:
    """Width of one object's mask: twice the median distance to its edge
    along its medial axis (0 when too small to have an axis)."""
    mask = np.pad(mask, 1).astype(np.uint8)
    dist = cv2.distanceTransform(mask, cv2.DIST_L2, 5)
    axis = _thin(mask)
    if axis.sum() < 2:
        return 0.0
    return 2.0 * float(np.median(dist[axis]))


def estimate_chromosome_width(
    image: np.ndarray,
    polarity: str = 'auto',
    objects: Optional[ImageObjects] = None,
    min_objects: int = 3,
    reference: Optional[float] = REFERENCE_WIDTH,
) -> float:
    """Median chromosome width of a metaphase image, in pixels.

    Objects count when they are not specks (:func:`speck_area`), not
    in the top fifth of the other objects' areas (clusters, nuclei) and
    elongated (the box's long side at least 1.5 times the width).

    Args:
        image (np.ndarray): (H, W) grey or (H, W, 3) BGR uint8.
        polarity (str): ``'auto'``, ``'dark'`` (G-band) or ``'light'``.
        objects (ImageObjects, optional): Already found objects of
            ``image``.
        min_objects (int): Fewer usable objects raise.
        reference (float, optional): Read the image again resized so
            that its chromosomes are about this wide (the module
            docstring); None: one reading as the image is (how
            checkpoints without ``chromosome_width_reference`` were
            measured).

    Returns:
        float: The width in pixels of ``image``.

    Raises:
        ScaleEstimateError: Fewer than ``min_objects`` usable objects.
    """
    if objects is None:
        objects = find_objects(image, polarity=polarity)
    width = _single_chromosome_width(objects, min_objects)
    if reference is None:
        return width
    resized, factor = to_reference(image, width, reference)
    again = find_objects(resized, polarity=objects.polarity)
    return _single_chromosome_width(again, min_objects) / factor


def to_reference(
    image: np.ndarray, width: float, reference: float = REFERENCE_WIDTH
) -> Tuple[np.ndarray, float]:
    """``image`` resized so that chromosomes ``width`` px wide become
    about ``reference`` px wide (bicubically up, area-averaged down; the
    factor within :data:`MAX_REFERENCE_RESIZE`), and the factor."""
    factor = float(np.clip(reference / width, *MAX_REFERENCE_RESIZE))
    return resize_by(image, factor), factor


def resize_by(image: np.ndarray, factor: float) -> np.ndarray:
    """``image`` resized by ``factor``: bicubically up, area-averaged
    down (as a capture at another magnification would be)."""
    return cv2.resize(
        image,
        None,
        fx=factor,
        fy=factor,
        interpolation=cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA,
    )


def _single_chromosome_width(objects: ImageObjects, min_objects: int) -> float:
    """Median width of the objects that look like single chromosomes
    (:func:`estimate_chromosome_width`)."""
    areas = objects.areas.astype(np.float64)
    widths = object_widths(objects)
    long_side = objects.boxes[:, 2:].max(axis=1).astype(np.float64)
    keep = (areas >= speck_area(areas)) & (widths > 0)
    if keep.any():
        keep &= areas <= np.percentile(areas[keep], 80)
    keep &= long_side >= 1.5 * widths
    if keep.sum() < min_objects:
        raise ScaleEstimateError(
            f'only {int(keep.sum())} of {len(objects)} foreground objects '
            f'look like single chromosomes (need {min_objects}) to '
            'measure the chromosome width'
        )
    return float(np.median(widths[keep]))


def speck_area(areas: np.ndarray) -> float:
    """Objects under a tenth of the area of the object that holds the
    median foreground pixel are specks. (By pixels, not by objects: on a
    noisy or uneven field most objects are blotches of the background,
    whose median would make every chromosome look big and let the
    blotches in: a generated cell with a strong illumination gradient
    read 2.8 px for 8-12 px chromosomes.)"""
    if not len(areas):
        return 0.0
    areas = np.sort(np.asarray(areas, dtype=np.float64))
    cumulative = np.cumsum(areas)
    return 0.1 * float(areas[np.searchsorted(cumulative, cumulative[-1] / 2)])


def _crop_masks(crops):
    """The mask of each crop's largest object (the chromosome of a
    single-chromosome cut-out); crops with no foreground are left out."""
    for crop in crops:
        try:
            objects = find_objects(crop)
        except ValueError:
            continue
        yield objects.mask(int(np.argmax(objects.areas)))


def crops_width(crops) -> float:
    """Median chromosome width of single-chromosome crops (karyogram
    cut-outs, one chromosome each: the largest object of every crop).

    Args:
        crops (Sequence[np.ndarray]): (h, w) grey or (h, w, 3) uint8
            crops.

    Returns:
        float: The width in pixels.

    Raises:
        ScaleEstimateError: No crop with a measurable chromosome.
    """
    widths = [w for w in map(mask_width, _crop_masks(crops)) if w > 0]
    if not widths:
        raise ScaleEstimateError(
            f'none of {len(crops)} crops holds a measurable chromosome'
        )
    return float(np.median(widths))


def mask_length(mask: np.ndarray) -> float:
    """Length of one object's mask: the long side of its smallest
    enclosing rotated rectangle (a bent chromosome reads shorter)."""
    points = cv2.findNonZero(mask.astype(np.uint8))
    if points is None:
        return 0.0
    return float(max(cv2.minAreaRect(points)[1]))


def crops_length(crops) -> float:
    """Median chromosome length of one cell's single-chromosome crops.

    Within a cell, chromosome lengths keep their proportions however
    condensed the cell is (a chromosome's relative length is the
    cytogeneticist's measure); the cell's median length is the yardstick
    that brings a condensed cell and a prometaphase one to the same
    sizes, where the width reads a condensed cell as a smaller one
    (``ChromosomeCropDataset(cell_length=...)``).

    Args:
        crops (Sequence[np.ndarray]): One cell's (h, w) grey or
            (h, w, 3) uint8 crops.

    Returns:
        float: The length in pixels.

    Raises:
        ScaleEstimateError: No crop with a chromosome.
    """
    lengths = [v for v in map(mask_length, _crop_masks(crops)) if v > 0]
    if not lengths:
        raise ScaleEstimateError(
            f'none of {len(crops)} crops holds a chromosome to measure'
        )
    return float(np.median(lengths))
