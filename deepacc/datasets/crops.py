"""One single-chromosome crop: read, and turned into a model input.

A crop is a grey image of one chromosome on an empty background, cut out
of a karyogram (p-arm up). Model inputs keep its aspect ratio: the
chromosome's ink (absorbed light on a white background, emitted light on
a black one) is scaled, optionally turned and mirrored, and centred on an
empty canvas. Sets of crops grouped by cell are read by
:mod:`deepacc.datasets.crop_sets`.
"""

import math
from typing import Sequence, Tuple

import cv2
import numpy as np

from deepacc.synthesis.compose import crop_background

# The model input of ChromosomeCropDataset and CropClassifier when a
# config does not say: (height, width) and resize factor.
DEFAULT_INPUT_SIZE = (96, 32)
DEFAULT_CROP_SCALE = 0.75


def read_crop(path: str) -> np.ndarray:
    """A crop as an 8-bit grey array.

    Raises:
        ValueError: The file is not a readable image, naming it.
    """
    gray = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
    if gray is None or gray.size == 0:
        raise ValueError(f'{path}: not a readable image')
    return gray


def crop_ink(gray: np.ndarray, background: str = 'auto') -> np.ndarray:
    """The chromosome's ink, 0 on the background.

    Args:
        gray (np.ndarray): (h, w) uint8 crop.
        background (str): ``'auto'``, ``'white'`` (G-band) or ``'black'``.

    Returns:
        np.ndarray: (h, w) float32 in [0, 1].
    """
    kind = crop_background(gray) if background == 'auto' else background
    ink = gray.astype(np.float32) / 255.0
    return 1.0 - ink if kind == 'white' else ink


def crop_input(
    gray: np.ndarray,
    size: Tuple[int, int],
    scale: float = 1.0,
    turn: bool = False,
    angle: float = 0.0,
    zoom: float = 1.0,
    mirror: bool = False,
    contrast: float = 1.0,
    background: str = 'auto',
    fill: bool = False,
) -> np.ndarray:
    """A crop as a fixed-size model input, aspect ratio kept.

    The ink is resized by ``scale * zoom`` (and shrunk further only when it
    would not fit), rotated by ``angle`` degrees (counter-clockwise) plus
    180 with ``turn``, mirrored left-right with ``mirror``, multiplied by
    ``contrast`` and centred on a ``size`` canvas of zeros. A fixed
    ``scale`` keeps the chromosomes' relative lengths, the strongest cue
    after the bands.

    Args:
        gray (np.ndarray): (h, w) uint8 crop.
        size (tuple[int, int]): Canvas (height, width).
        scale (float): Resize factor.
        turn (bool): Turn by 180 degrees (p-arm down for an upright crop).
        angle (float): Extra rotation, degrees.
        zoom (float): Extra resize factor (augmentation).
        mirror (bool): Left-right mirror (keeps the polarity).
        contrast (float): Ink gain.
        background (str): See :func:`crop_ink`.
        fill (bool): Resize so the (rotated) crop fills the canvas, its
            ``scale`` and ``zoom`` ignored: the zoomed view, bands at
            their largest but relative length lost.

    Returns:
        np.ndarray: (height, width) float32, 0 = background.
    """
    ink = crop_ink(gray, background)
    if mirror:
        ink = ink[:, ::-1]
    height, width = size
    h, w = ink.shape
    theta = math.radians(angle)
    cos, sin = abs(math.cos(theta)), abs(math.sin(theta))
    out_w, out_h = w * cos + h * sin, w * sin + h * cos
    factor = math.inf if fill else scale * zoom
    factor = min(factor, width / out_w, height / out_h)
    matrix = cv2.getRotationMatrix2D(
        ((w - 1) / 2, (h - 1) / 2), angle + (180.0 if turn else 0.0), factor
    )
    matrix[:, 2] += (
        (width - 1) / 2 - (w - 1) / 2,
        (height - 1) / 2 - (h - 1) / 2,
    )
    out = cv2.warpAffine(
        np.ascontiguousarray(ink),
        matrix,
        (width, height),
        # Bicubic where the crop is enlarged: sharper bands (a crop
        # brought up from half the scale: benchmarks/README.md).
        flags=cv2.INTER_CUBIC if factor > 1 else cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=0,
    )
    return np.clip(out * contrast, 0.0, 1.0)


CROP_VIEWS = ('global', 'zoom')


def crop_views(
    gray: np.ndarray,
    size: Tuple[int, int],
    scale: float = 1.0,
    views: Sequence[str] = ('global',),
    **params,
) -> np.ndarray:
    """A crop as model input, one channel per view (Varifocal-Net's
    idea): ``'global'``, the crop at the fixed ``scale`` (relative
    lengths kept), and ``'zoom'``, the crop filling the canvas (its bands
    at their largest).

    Args:
        gray (np.ndarray): (h, w) uint8 crop.
        size (tuple[int, int]): Canvas (height, width).
        scale (float): Resize factor of the global view.
        views (Sequence[str]): Views, in channel order.
        **params: The other :func:`crop_input` arguments (turn, angle,
            zoom, mirror, contrast, background), the same for every view.

    Returns:
        np.ndarray: (len(views), height, width) float32.
    """
    unknown = set(views) - set(CROP_VIEWS)
    if unknown or not len(views):
        raise ValueError(
            f'crop views must be among {CROP_VIEWS}, got {tuple(views)}'
        )
    return np.stack(
        [
            crop_input(gray, size, scale, fill=view == 'zoom', **params)
            for view in views
        ]
    )


def sample_crop_augment(
    rng: np.random.Generator,
    max_angle: float = 10.0,
    zoom_range: Tuple[float, float] = (0.9, 1.1),
    contrast_range: Tuple[float, float] = (0.8, 1.2),
    turn_prob: float = 0.5,
    mirror_prob: float = 0.5,
) -> dict:
    """Random :func:`crop_input` arguments for training.

    Args:
        rng (np.random.Generator): Random source.
        max_angle (float): Rotation drawn from [-max_angle, max_angle].
        zoom_range (tuple[float, float]): Resize factor range.
        contrast_range (tuple[float, float]): Ink gain range.
        turn_prob (float): Probability of the 180-degree turn.
        mirror_prob (float): Probability of the left-right mirror.

    Returns:
        dict: ``turn``, ``angle``, ``zoom``, ``mirror``, ``contrast``.
    """
    return dict(
        turn=bool(rng.random() < turn_prob),
        angle=float(rng.uniform(-max_angle, max_angle)),
        zoom=float(rng.uniform(*zoom_range)),
        mirror=bool(rng.random() < mirror_prob),
        contrast=float(rng.uniform(*contrast_range)),
    )
