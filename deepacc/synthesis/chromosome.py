"""Procedural rendering of one G-banded metaphase chromosome.

The chromosome is a bent capsule along a smooth centre line: two sister
chromatids side by side, pinched at the centromere, with the class's band
pattern (:func:`deepacc.chromosomes.band_pattern`) along the axis. Each is
rendered in its own small patch with vectorised numpy and one OpenCV
distance transform, which finds for every pixel the nearest centre-line
point, hence its axial and across-axis coordinates.
"""

import math
from typing import Optional

import cv2
import numpy as np

from deepacc.chromosomes import CENTROMERE_INDEX, CLASSES, band_pattern

from .appearance import gap_factor, separation_ramp
from .sprite import Sprite


def band_profile(bands: np.ndarray, num: int, blur: float = 0.0):
    """Band darkness sampled at ``num`` pixels along the axis.

    Each sample is the mean darkness over its pixel (box filter, so thin
    bands blend rather than alias), then Gaussian-blurred.

    Args:
        bands (np.ndarray): ``(n, 3)`` rows ``(start, end, darkness)``.
        num (int): Number of samples (the axis length in pixels).
        blur (float): Gaussian sigma in pixels (0: none).

    Returns:
        np.ndarray: ``(num, )`` float32 darkness in ``[0, 1]``.
    """
    edges = np.concatenate([bands[:1, 0], bands[:, 1]])
    cum = np.concatenate(
        [[0.0], np.cumsum(bands[:, 2] * (bands[:, 1] - bands[:, 0]))]
    )
    grid = np.linspace(0.0, 1.0, num + 1)
    integral = np.interp(grid, edges, cum)
    profile = np.diff(integral) * num
    if blur > 0:
        radius = max(1, int(math.ceil(3 * blur)))
        kernel = np.exp(-0.5 * (np.arange(-radius, radius + 1) / blur) ** 2)
        padded = np.pad(profile, radius, mode='edge')
        profile = np.convolve(padded, kernel / kernel.sum(), mode='valid')
    return profile.astype(np.float32)


def render_chromosome(
    label: int,
    length: float,
    width: float,
    rng: np.random.Generator,
    angle: Optional[float] = None,
    curvature: float = 0.0,
    kink: float = 0.0,
    light: float = 0.3,
    dark: float = 0.9,
    band_blur: float = 0.7,
    splay: float = 0.0,
    gap: float = 0.0,
) -> Sprite:
    """Render one chromosome in its own patch.

    Args:
        label (int): Class index into ``CLASSES``.
        length (float): Length along the axis, p-ter to q-ter, in pixels.
        width (float): Width across both chromatids, in pixels.
        rng (np.random.Generator): Source of the small texture noise.
        angle (float, optional): Pose in degrees (counter-clockwise as
            displayed, from upright with the p-arm up); random if None.
        curvature (float): Total bend along the axis, radians.
        kink (float): Extra bend concentrated at the centromere, radians.
        light (float): Opacity of the lightest bands.
        dark (float): Opacity of the darkest bands.
        band_blur (float): Blur of the band profile, pixels (resolution).
        splay (float): Sister chromatids apart (metaphase condensation):
            each moves out from the axis by this fraction of ``width`` at
            its arm's end, nothing at the centromere (X shapes).
        gap (float): Depth of the light gap between the chromatids (0..1
            of the opacity on the axis); with ``splay`` as in
            :func:`deepacc.synthesis.appearance.condense`, whose ramp and
            gap this shares.

    Returns:
        Sprite: Opacity, mask, centromere, p-ter and q-ter in the patch.
    """
    name = CLASSES[label]
    if angle is None:
        angle = float(rng.uniform(0.0, 360.0))
    half = width / 2.0
    # The ends are the chromatids' round tips, of radius ``cap``.
    cap = 0.6 * half
    core = max(length - 2 * cap, 2.0)
    cen = CENTROMERE_INDEX[name] / 100.0
    # Centre line: heading starts along the pose (upright = p-ter on top,
    # axis pointing down the image, i.e. +y) and turns with the bend.
    num = max(int(core / 0.5), 4)
    u = np.linspace(0.0, core, num)
    step = core / (num - 1)
    u_cen = float(np.clip(cen * length - cap, 0.0, core))
    kappa = np.full(num, curvature / core)
    sigma = max(half, 1.0)
    kappa += (
        kink
        * np.exp(-0.5 * ((u - u_cen) / sigma) ** 2)
        / (sigma * math.sqrt(2 * math.pi))
    )
    heading0 = math.radians(90.0 - angle)
    # Image y points down, so a counter-clockwise pose is a negative turn.
    theta = heading0 - np.concatenate([[0.0], np.cumsum(kappa[1:] * step)])
    theta -= theta[num // 2] - heading0  # bend symmetrically about pose
    cos_t, sin_t = np.cos(theta), np.sin(theta)
    xs = np.concatenate([[0.0], np.cumsum((cos_t[1:] + cos_t[:-1]) / 2)])
    ys = np.concatenate([[0.0], np.cumsum((sin_t[1:] + sin_t[:-1]) / 2)])
    xs, ys = xs * step, ys * step
    pad = half + 3.0
    x_min, y_min = xs.min() - pad, ys.min() - pad
    xs = (xs - x_min).astype(np.float32)
    ys = (ys - y_min).astype(np.float32)
    u = u.astype(np.float32)
    cos_t, sin_t = cos_t.astype(np.float32), sin_t.astype(np.float32)
    w = int(math.ceil(xs.max() + pad)) + 1
    h = int(math.ceil(ys.max() + pad)) + 1

    # Nearest centre-line sample of every pixel, via labelled distance
    # transform over the rasterised centre line.
    px = np.clip(np.rint(xs).astype(np.int64), 0, w - 1)
    py = np.clip(np.rint(ys).astype(np.int64), 0, h - 1)
    lin, first = np.unique(py * w + px, return_index=True)
    src = np.ones((h, w), np.uint8)
    src.flat[lin] = 0
    _, labels = cv2.distanceTransformWithLabels(
        src, cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL
    )
    lut = np.zeros(int(labels.max()) + 1, np.int64)
    lut[labels.flat[lin]] = first
    idx = lut[labels]
    gy, gx = np.mgrid[0:h, 0:w].astype(np.float32)
    dx, dy = gx - xs[idx], gy - ys[idx]
    tx, ty = cos_t[idx], sin_t[idx]
    along = dx * tx + dy * ty
    across = tx * dy - ty * dx
    s = u[idx] + along
    excess = np.maximum(-s, 0) + np.maximum(s - core, 0)
    a = np.clip((s + cap) / (core + 2 * cap), 0.0, 1.0)

    # Two chromatids, closer together and thinner at the centromere.
    pinch = np.exp(-(((a - cen) * length / (0.8 * half + 1e-6)) ** 2))
    half_a = half * (1.0 - 0.22 * pinch)
    offset = half_a * 0.42 * (1.0 - 0.6 * pinch)
    rho = half_a * 0.6
    apart = splay > 0 or gap > 0
    if apart:
        ramp = separation_ramp(a, cen)
        shift = splay * width * ramp
        offset = offset + shift
    body = np.zeros((h, w), np.float32)
    for sign in (-1.0, 1.0):
        dist = np.hypot(across - sign * offset, excess)
        edge = np.clip(rho - dist + 0.5, 0.0, 1.0)
        dome = np.sqrt(np.clip(1.0 - (dist / rho) ** 2, 0.0, 1.0))
        body = np.maximum(body, edge * (0.7 + 0.3 * dome))

    profile = band_profile(band_pattern(name), max(int(length), 8), band_blur)
    band = np.interp(a, np.linspace(0, 1, len(profile)), profile)
    grain = 1.0 + 0.06 * rng.standard_normal((h, w), dtype=np.float32)
    opacity = body * np.clip((light + (dark - light) * band) * grain, 0, 1)
    if apart:
        opacity *= gap_factor(across, shift, ramp, gap, width)
    mask = body > 0.3

    def on_line(t):
        k = int(np.clip(round(t / step), 0, num - 1))
        return xs[k], ys[k], cos_t[k], sin_t[k]

    x0, y0, c0, s0 = on_line(0.0)
    x1, y1, c1, s1 = on_line(core)
    xc, yc, _, _ = on_line(u_cen)
    return Sprite(
        opacity=opacity.astype(np.float32),
        mask=mask,
        label=label,
        centromere=(float(xc), float(yc)),
        p_ter=(float(x0 - c0 * cap), float(y0 - s0 * cap)),
        q_ter=(float(x1 + c1 * cap), float(y1 + s1 * cap)),
        angle=float(angle % 360.0),
        extra=dict(length=float(length), width=float(width)),
    )
