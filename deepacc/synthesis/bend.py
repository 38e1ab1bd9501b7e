"""Bent chromosomes from straight crops.

Karyogram cut-outs are straightened; on a slide, long (prometaphase)
chromosomes lie bent, often into L, J and U shapes, and a typer that has
only seen straight single chromosomes calls a bent one two chromosomes
touching end to end. :func:`bend` curves an upright crop along an arc
around one point of its axis; :class:`BendOptions` draws which
chromosomes bend and how far. The composer applies it per chromosome
(``ComposeOptions.bend``), after any condensation.
"""

import math
from dataclasses import dataclass

import cv2
import numpy as np
from scipy.spatial import cKDTree

from .appearance import (
    Range,
    _AppearanceOptions,
    _draw,
    _range,
    crop_opacity,
    opacity_crop,
)


@dataclass
class BendOptions(_AppearanceOptions):
    """Which chromosomes of a cell bend, and how.

    Args:
        rate (float): Probability that a chromosome bends.
        angle (tuple[float, float]): Range of the bend, degrees (90: an
            L; 180: a U), turned left or right at random.
        position (tuple[float, float]): Range of where along the axis
            the bend's middle lies (0: top end, 1: bottom end).
        span (tuple[float, float]): Range of the bend's length along the
            axis, as a fraction of the chromosome's length (small: a
            kink; 1: an even arc). It never gets shorter than the arc
            on which the chromosome's inner edge would fold.
        min_length (float): Chromosomes shorter than this many times
            their width stay straight (small ones do not bend).
    """

    rate: float = 0.3
    angle: Range = (30.0, 150.0)
    position: Range = (0.3, 0.7)
    span: Range = (0.15, 0.5)
    min_length: float = 4.0

    def __post_init__(self) -> None:
        for name in ('angle', 'position', 'span'):
            setattr(self, name, _range(getattr(self, name), name))
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f'rate must be in [0, 1], got {self.rate}')

    def sample(self, rng: np.random.Generator) -> dict:
        """One chromosome's bend: ``None`` (straight) or the keyword
        arguments of :func:`bend` (``angle``, ``position``, ``span``)."""
        if rng.random() >= self.rate:
            return None
        sign = 1.0 if rng.random() < 0.5 else -1.0
        return dict(
            angle=sign * _draw(rng, self.angle),
            position=_draw(rng, self.position),
            span=_draw(rng, self.span),
        )


def elongation(crop: np.ndarray, background: str = 'white') -> float:
    """Length over width of the chromosome of an upright crop: stained
    rows over the median stained width of a row (0 for an empty crop)."""
    mask = crop_opacity(crop, background)[0] > 0.1
    rows = mask.sum(axis=1)
    rows = rows[rows > 0]
    if len(rows) == 0:
        return 0.0
    return len(rows) / float(np.median(rows))


def bend_opacity(
    opacity: np.ndarray, angle: float, position: float = 0.5, span=0.3
) -> np.ndarray:
    """:func:`bend` on an opacity patch (0 background .. 1 stain).

    The axis is the patch's vertical centre line. Above the bend the
    chromosome stays as it is; over ``span`` of its length the axis turns
    evenly by ``angle`` (a circular arc); below, it goes on straight in
    the new direction. Each pixel keeps its distance from the axis, so
    bands stay across the chromosome and its width is unchanged.

    Args:
        opacity (np.ndarray): (h, w) float32, the chromosome upright.
        angle (float): Turn, degrees (positive: towards +x).
        position (float): Middle of the bend along the axis, 0..1.
        span (float): Length of the bend, a fraction of ``h``.

    Returns:
        np.ndarray: The bent chromosome in a patch large enough to hold
        it (float32, background 0).
    """
    h, w = opacity.shape
    theta = math.radians(angle)
    if abs(theta) < 1e-6 or h < 2:
        return opacity.copy()
    # The inner edge folds where the arc's radius is under half the
    # width: keep the radius at least 0.6 of the width.
    arc = max(span * h, abs(theta) * 0.6 * w, 1.0)
    start = min(max(position * h - arc / 2, 0.0), max(h - arc, 0.0))
    step = 0.5
    s = np.arange(0.0, h + step, step)
    phi = theta * np.clip((s - start) / arc, 0.0, 1.0)
    # Axis direction (dx, dy) = (sin phi, cos phi): downwards at phi 0.
    dx, dy = np.sin(phi), np.cos(phi)
    cx = (w - 1) / 2.0
    x = cx + np.concatenate([[0.0], np.cumsum((dx[1:] + dx[:-1]) / 2)]) * step
    y = np.concatenate([[0.0], np.cumsum((dy[1:] + dy[:-1]) / 2)]) * step
    # The normal (cos phi, -sin phi) points to +x where the axis is
    # upright; where the patch lands: the axis +- the half width.
    half = w / 2.0 + 1.0
    ends_x = np.concatenate([x + half * dy, x - half * dy])
    ends_y = np.concatenate([y - half * dx, y + half * dx])
    x0, y0 = math.floor(ends_x.min()) - 1, math.floor(ends_y.min()) - 1
    out_w = int(math.ceil(ends_x.max())) - x0 + 2
    out_h = int(math.ceil(ends_y.max())) - y0 + 2
    gy, gx = np.mgrid[0:out_h, 0:out_w].astype(np.float64)
    gx += x0
    gy += y0
    # Each output pixel takes the source pixel at its nearest axis point:
    # the same distance across, and along the axis beyond either end.
    _, nearest = cKDTree(np.stack([x, y], 1)).query(
        np.stack([gx.ravel(), gy.ravel()], 1)
    )
    nearest = nearest.reshape(out_h, out_w)
    rx, ry = gx - x[nearest], gy - y[nearest]
    across = rx * dy[nearest] - ry * dx[nearest]
    along = rx * dx[nearest] + ry * dy[nearest]
    src_x = (cx + across).astype(np.float32)
    src_y = (s[nearest] + along).astype(np.float32)
    return cv2.remap(
        opacity.astype(np.float32),
        src_x,
        src_y,
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=0.0,
    )


def bend(
    crop: np.ndarray,
    angle: float,
    position: float = 0.5,
    span: float = 0.3,
    background: str = 'white',
) -> np.ndarray:
    """A chromosome bent by ``angle`` degrees from an upright crop.

    Args:
        crop (np.ndarray): (h, w) uint8 grey crop, p-arm up.
        angle (float): Turn, degrees (positive: towards +x).
        position (float): Middle of the bend along the axis, 0..1.
        span (float): Length of the bend, a fraction of the length.
        background (str): ``'white'`` (G-band) or ``'black'`` (Q-band).

    Returns:
        np.ndarray: uint8 grey crop on the same background level, the
        part above the bend still upright (p-arm up), so the composer
        turns and places it as any crop.
    """
    opacity, level = crop_opacity(crop, background)
    out = np.pad(bend_opacity(opacity, angle, position, span), 2)
    return opacity_crop(out, level, background)
