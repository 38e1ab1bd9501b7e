"""Training distortions of crop-classifier inputs beyond
:func:`deepacc.datasets.crops.sample_crop_augment`'s turn, rotation,
zoom, mirror and contrast: a stretch along the chromosome's length
(condensation differs from cell to cell), a blur (focus and capture
resolution differ), a gamma (staining and exposure) and pixel noise.

They act on the model input, an ink canvas of :func:`crop_input` (0 =
background) with the chromosome upright or turned, centred: a stretch
about the canvas centre along its height is a stretch along the
chromosome. None of them moves the p-arm from one end to the other or
changes the class, so the labels stay as they are.
"""

from typing import Tuple

import cv2
import numpy as np


def sample_crop_distortion(
    rng: np.random.Generator,
    stretch_range: Tuple[float, float] = (1.0, 1.0),
    blur_prob: float = 0.0,
    blur_sigma: Tuple[float, float] = (0.5, 1.0),
    gamma_range: Tuple[float, float] = (1.0, 1.0),
    noise_std: float = 0.0,
) -> dict:
    """Random :func:`distort_crop` arguments for training.

    Args:
        rng (np.random.Generator): Random source.
        stretch_range (tuple[float, float]): Length factor range.
        blur_prob (float): Probability of a Gaussian blur.
        blur_sigma (tuple[float, float]): Blur sigma range, pixels.
        gamma_range (tuple[float, float]): Ink gamma range.
        noise_std (float): Standard deviation of the Gaussian pixel
            noise (ink is 0-1).

    Returns:
        dict: ``stretch``, ``sigma`` (0 = no blur), ``gamma``,
        ``noise_std`` and ``noise_seed``.
    """
    blur = rng.random() < blur_prob
    return dict(
        stretch=float(rng.uniform(*stretch_range)),
        sigma=float(rng.uniform(*blur_sigma)) if blur else 0.0,
        gamma=float(rng.uniform(*gamma_range)),
        noise_std=float(noise_std),
        noise_seed=int(rng.integers(2**31)),
    )


def distort_crop(
    ink: np.ndarray,
    stretch: float = 1.0,
    sigma: float = 0.0,
    gamma: float = 1.0,
    noise_std: float = 0.0,
    noise_seed: int = 0,
) -> np.ndarray:
    """A model input stretched, blurred, gamma-corrected and noised.

    Args:
        ink (np.ndarray): (height, width) float canvas, 0 = background,
            ink in (0, 1].
        stretch (float): Length factor about the canvas centre (a part
            stretched beyond the canvas is cut).
        sigma (float): Gaussian blur sigma in pixels; 0 = none.
        gamma (float): Ink ``ink ** gamma`` (background stays 0).
        noise_std (float): Gaussian noise on the ink pixels only.
        noise_seed (int): Seed of the noise.

    Returns:
        np.ndarray: (height, width) float32 in [0, 1].
    """
    out = np.asarray(ink, np.float32)
    height, width = out.shape
    if stretch != 1.0:
        centre = (height - 1) / 2
        matrix = np.float32([[1, 0, 0], [0, stretch, centre * (1 - stretch)]])
        out = cv2.warpAffine(
            out,
            matrix,
            (width, height),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=0,
        )
    if sigma > 0:
        out = cv2.GaussianBlur(out, (0, 0), sigma)
    if gamma != 1.0:
        out = np.power(np.clip(out, 0.0, 1.0), gamma)
    if noise_std > 0:
        noise = np.random.default_rng(noise_seed).normal(
            0.0, noise_std, out.shape
        )
        out = np.where(out > 0, out + noise.astype(np.float32), out)
    return np.clip(out, 0.0, 1.0).astype(np.float32)
