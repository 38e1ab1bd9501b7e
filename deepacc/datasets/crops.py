"""Single-chromosome crops for classification: reading and model inputs.

Crops are read in any layout :func:`deepacc.synthesis.compose.load_crops`
knows (cell folders of class folders, an index CSV, class folders with the
cell id in the file name), checked, and turned into fixed-size model
inputs that keep the crop's aspect ratio: the chromosome's ink (absorbed
light on a white background, emitted light on a black one) is scaled,
optionally turned and mirrored, and centred on an empty canvas.
"""

import math
import os
import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

from deepacc.synthesis.compose import (
    _IMAGE_EXT,
    crop_background,
    load_crops,
    read_crop,
)

# (grey image, class index, path)
CropImage = Tuple[np.ndarray, int, str]


def index_crops(
    crops: str,
    cell_pattern: Optional[str] = None,
    skip_invalid: bool = False,
    report: Optional[Callable[[str], None]] = None,
) -> Dict[str, List[Tuple[str, int]]]:
    """The crops of every cell, refusing or reporting bad entries.

    Args:
        crops (str): Crops folder or index CSV (see
            :func:`deepacc.synthesis.compose.load_crops`).
        cell_pattern (str, optional): Cell-id regex of the class-folder
            layout.
        skip_invalid (bool): Leave bad entries out (reported) instead of
            stopping at the first.
        report (callable, optional): Receives one line per skipped entry;
            defaults to ``print``.

    Returns:
        dict: Cell id -> sorted list of (path, class index).

    Raises:
        ValueError: A bad entry (without ``skip_invalid``), naming the file
            or CSV line and the reason.
    """
    report = report or print

    def on_invalid(path: str, reason: str) -> None:
        if not skip_invalid:
            raise ValueError(f'{path}: {reason}')
        report(f'skipped {path}: {reason}')

    if not osp.exists(crops):
        raise ValueError(f'{crops}: no such file or folder')
    return load_crops(crops, cell_pattern, on_invalid)


def read_crop_images(
    cells: Dict[str, List[Tuple[str, int]]],
    cell_ids: Optional[Sequence[str]] = None,
    skip_invalid: bool = False,
    report: Optional[Callable[[str], None]] = None,
) -> Dict[str, List[CropImage]]:
    """Read the crops of some cells as grey arrays.

    Args:
        cells (dict): Cell id -> list of (path, class index).
        cell_ids (list[str], optional): The cells to read; default all.
        skip_invalid (bool): Leave unreadable files out (reported).
        report (callable, optional): Receives one line per skip.

    Returns:
        dict: Cell id -> list of (grey uint8 array, class index, path);
        cells left without a readable crop are dropped.

    Raises:
        ValueError: A file is not a readable image (without
            ``skip_invalid``), naming it.
    """
    report = report or print
    images = {}
    for cell in cells if cell_ids is None else cell_ids:
        read = []
        for path, label in cells[cell]:
            try:
                read.append((read_crop(path), label, path))
            except ValueError as exc:
                if not skip_invalid:
                    raise
                report(f'skipped {exc}')
        if read:
            images[cell] = read
    return images


def list_images(folder: str) -> List[str]:
    """Image files under a folder (recursive) or a single image, sorted.

    Args:
        folder (str): Folder or image file.

    Returns:
        list[str]: Paths.
    """
    if osp.isfile(folder):
        return [folder]
    found = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        found += [
            osp.join(root, f)
            for f in sorted(files)
            if f.lower().endswith(_IMAGE_EXT)
        ]
    return found


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
    factor = scale * zoom
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
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=0,
    )
    return np.clip(out * contrast, 0.0, 1.0)


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
