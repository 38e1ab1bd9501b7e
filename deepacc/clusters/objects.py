"""Connected foreground objects of a metaphase image.

A metaphase is mostly background, so its grey-level histogram has one
large mode (the background) and a tail on the side of the stain: dark
objects on a light field for bright-field G-banding, light objects on a
dark field for fluorescent Q-banding. :func:`detect_polarity` reads the
side of that tail; :func:`find_objects` subtracts a smooth background
(a quadratic surface fitted to the background pixels, so an illumination
gradient does not become foreground), thresholds the difference at a
multiple of the measured noise and splits the result into 8-connected
components: single chromosomes, clusters of touching or overlapping ones,
nuclei and debris.
"""

from dataclasses import dataclass
from typing import Tuple

import cv2
import numpy as np

from deepacc.visualization import to_grey

POLARITIES = ('auto', 'dark', 'light')


class BlankImageError(ValueError):
    """An image without contrast: nothing could be in it."""


class NoForegroundError(ValueError):
    """An image whose foreground is empty at the noise threshold."""


@dataclass
class ImageObjects:
    """The foreground objects of one image.

    Attributes:
        labels (np.ndarray): (H, W) int32: 0 background, ``k`` the pixels
            of object ``k - 1``.
        boxes (np.ndarray): (N, 4) int ``[x, y, w, h]`` of each object.
        areas (np.ndarray): (N,) int pixel counts.
        opacity (np.ndarray): (H, W) float32 in [0, 1]: how far each pixel
            departs from the background, as a fraction of the background
            level (dark field: of the headroom above it), stain side only.
        polarity (str): ``'dark'`` (objects darker than the background,
            G-band) or ``'light'`` (Q-band).
        threshold (float): Opacity above which a pixel is foreground.
        num_small (int): Components left out for being under
            ``min_area`` pixels (noise, specks).
    """

    labels: np.ndarray
    boxes: np.ndarray
    areas: np.ndarray
    opacity: np.ndarray
    polarity: str
    threshold: float
    num_small: int = 0

    def __len__(self) -> int:
        return len(self.areas)

    def mask(self, index: int) -> np.ndarray:
        """(h, w) bool mask of object ``index`` inside its box."""
        x, y, w, h = self.boxes[index]
        return self.labels[y : y + h, x : x + w] == index + 1


def detect_polarity(grey: np.ndarray) -> str:
    """``'dark'`` (dark objects on a light field) or ``'light'``.

    The background is the histogram's bulk; objects make the longer tail.

    Args:
        grey (np.ndarray): (H, W) uint8 image.

    Returns:
        str: ``'dark'`` or ``'light'``.
    """
    low, mid, high = np.percentile(grey, (0.5, 50, 99.5))
    return 'dark' if mid - low >= high - mid else 'light'


def _background_level(
    signal: np.ndarray, keep: np.ndarray, sigma: float
) -> np.ndarray:
    """The background grey level everywhere, from the pixels in ``keep``.

    Normalised convolution: a Gaussian average of the background pixels
    only, divided by the Gaussian weight they carry, so objects do not
    darken it and an illumination gradient is followed. Computed at a
    reduced size (the background is smooth) and scaled back up.
    """
    height, width = signal.shape
    factor = max(1, int(min(height, width) // 160))
    small = cv2.resize(
        signal, (width // factor, height // factor), 0, 0, cv2.INTER_AREA
    )
    weight = cv2.resize(
        keep.astype(np.float32),
        (width // factor, height // factor),
        0,
        0,
        cv2.INTER_AREA,
    )
    s = sigma / factor
    num = cv2.GaussianBlur(small * weight, (0, 0), s)
    den = cv2.GaussianBlur(weight, (0, 0), s)
    fallback = float(np.median(signal[keep])) if keep.any() else 255.0
    level = np.where(den > 1e-3, num / np.maximum(den, 1e-6), fallback)
    return cv2.resize(
        level.astype(np.float32), (width, height), 0, 0, cv2.INTER_LINEAR
    )


def foreground_opacity(
    image: np.ndarray, polarity: str = 'auto'
) -> Tuple[np.ndarray, str, float]:
    """Each pixel's departure from the background, and the noise floor.

    Args:
        image (np.ndarray): (H, W) grey or (H, W, 3) BGR image.
        polarity (str): ``'auto'``, ``'dark'`` (G-band) or ``'light'``
            (Q-band).

    Returns:
        tuple: ``opacity`` (H, W) float32 in [0, 1] (see
        :class:`ImageObjects`), the polarity used, and the opacity
        threshold: 5 noise sigmas of the smoothed background, at least
        0.04.

    Raises:
        BlankImageError: The image has (almost) one grey level.
        ValueError: Unknown ``polarity``.
    """
    if polarity not in POLARITIES:
        raise ValueError(
            f'polarity must be one of {", ".join(POLARITIES)}, got '
            f'{polarity!r}'
        )
    grey = to_grey(image)
    low, high = np.percentile(grey, (0.1, 99.9))
    if high - low < 8:
        raise BlankImageError(
            f'blank image: its grey levels span {int(low)}..{int(high)} '
            '(nothing to find)'
        )
    if polarity == 'auto':
        polarity = detect_polarity(grey)
    signal = grey.astype(np.float32)
    if polarity == 'light':
        signal = 255.0 - signal
    # Noise would otherwise decide the outline of pale bands; a median
    # removes it without moving edges (a Gaussian would grow objects).
    signal = cv2.medianBlur(
        np.clip(signal, 0, 255).astype(np.uint8), 3
    ).astype(np.float32)
    _, rough = cv2.threshold(
        np.clip(signal, 0, 255).astype(np.uint8),
        0,
        1,
        cv2.THRESH_BINARY + cv2.THRESH_OTSU,
    )
    rough = rough.astype(bool)
    sigma = min(signal.shape) / 16.0
    # Three passes: each leaves out what the last found, widened so
    # the objects' soft rims do not lift the background either.
    for _ in range(3):
        background = np.maximum(_background_level(signal, rough, sigma), 1.0)
        opacity = np.clip((background - signal) / background, 0.0, 1.0)
        found = (opacity > 0.03).astype(np.uint8)
        rough = ~cv2.dilate(found, np.ones((7, 7), np.uint8)).astype(bool)
    residual = opacity[rough]
    noise = (
        1.4826 * float(np.median(np.abs(residual - np.median(residual))))
        if residual.size
        else 0.0
    )
    return opacity.astype(np.float32), polarity, max(5.0 * noise, 0.04)


def find_objects(
    image: np.ndarray,
    polarity: str = 'auto',
    min_area: int = 12,
    threshold: float = None,
) -> ImageObjects:
    """Split an image into its connected foreground objects.

    Args:
        image (np.ndarray): (H, W) grey or (H, W, 3) BGR image.
        polarity (str): ``'auto'``, ``'dark'`` or ``'light'``.
        min_area (int): Smaller components are counted in ``num_small``
            and left out.
        threshold (float, optional): Opacity threshold instead of the
            measured noise floor.

    Returns:
        ImageObjects: Objects in raster order of their top-left pixel.

    Raises:
        BlankImageError: No contrast in the image.
        NoForegroundError: Nothing above the threshold of at least
            ``min_area`` pixels.
    """
    opacity, polarity, noise_thr = foreground_opacity(image, polarity)
    thr = noise_thr if threshold is None else float(threshold)
    binary = (opacity > thr).astype(np.uint8)
    num, comp, stats, _ = cv2.connectedComponentsWithStats(
        binary, connectivity=8
    )
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.flatnonzero(areas >= min_area)
    if not len(keep):
        raise NoForegroundError(
            f'no foreground object of at least {min_area} px (opacity '
            f'threshold {thr:.3f}, {polarity} objects; '
            f'{int((areas > 0).sum())} smaller specks)'
        )
    relabel = np.zeros(num, np.int32)
    relabel[keep + 1] = np.arange(1, len(keep) + 1, dtype=np.int32)
    boxes = stats[1:, :4][keep].astype(np.int64)
    return ImageObjects(
        labels=relabel[comp],
        boxes=boxes,
        areas=areas[keep].astype(np.int64),
        opacity=opacity,
        polarity=polarity,
        threshold=thr,
        num_small=int(len(areas) - len(keep)),
    )


def object_polygon(objects: ImageObjects, index: int) -> list:
    """The outer outline of object ``index`` as ``[[x, y], ...]`` pixels
    (simplified to within one pixel)."""
    x, y, _, _ = objects.boxes[index]
    mask = np.pad(objects.mask(index).astype(np.uint8), 1)
    contours, _ = cv2.findContours(
        mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE
    )
    contour = max(contours, key=cv2.contourArea)
    contour = cv2.approxPolyDP(contour, 1.0, True).reshape(-1, 2)
    return [[int(px + x - 1), int(py + y - 1)] for px, py in contour]
