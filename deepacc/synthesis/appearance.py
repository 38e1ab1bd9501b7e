"""What makes a made metaphase look like a real capture.

Real captures from other labs differ from the crop composer's and the
generator's images (``benchmarks/real_appearance.py`` measures how):
their chromosomes are metaphase-condensed (short, wide, sister chromatids
apart: X and H shapes), and the capture blurs, loses resolution, is
compressed, lit unevenly and levelled to a white field; slides carry
interphase nuclei and debris. Each of these is one switchable, seeded
step here, off unless its options are given:

- :func:`condense` turns an upright crop into a condensed chromosome;
  the generator draws its chromatids apart with the same
  :func:`separation_ramp` and :func:`gap_factor`; both draw their factors
  from :class:`CondenseOptions`.
- :func:`degrade` applies the capture (:class:`DegradeOptions`).
- :func:`place_clutter` scatters nuclei, specks and fibres that are not
  chromosomes (no boxes; :class:`ClutterOptions`).
- :func:`deepacc.synthesis.bend.bend` bends long chromosomes
  (:class:`~deepacc.synthesis.bend.BendOptions`).
"""

import math
from dataclasses import asdict, dataclass
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np

from .layout import window_mask
from .sprite import Sprite

Range = Tuple[float, float]

# Sister chromatids touch over this fraction of the length either side of
# the centromere.
_CLOSED = 0.06
# The gap reaches its full depth this far (ramp units) from the closed
# part, so it shows along most of each arm even where the chromatids have
# barely moved apart.
_GAP_OPENS = 0.25
# Half-width of the light gap between the chromatids at no splay, as a
# fraction of the chromosome's width.
_GAP_WIDTH = 0.12


class _AppearanceOptions:
    """Dict round trip of the option dataclasses below."""

    @classmethod
    def coerce(cls, value):
        """``value`` as options: None stays None (the step is off), a
        dict (as configs give it) becomes ``cls(**value)``.

        Raises:
            TypeError: Unknown option names (the dataclass refuses them).
        """
        if value is None or isinstance(value, cls):
            return value
        return cls(**value)

    def to_dict(self) -> dict:
        return {
            k: list(v) if isinstance(v, tuple) else v
            for k, v in asdict(self).items()
        }


def _range(value, name: str) -> Range:
    """A ``(low, high)`` range; a number is a range of one value."""
    if isinstance(value, (int, float)):
        return (float(value), float(value))
    low, high = (float(v) for v in value)
    if low > high:
        raise ValueError(f'{name}: low {low} above high {high}')
    return (low, high)


def _draw(rng: np.random.Generator, span: Range) -> float:
    return float(rng.uniform(span[0], span[1]))


@dataclass
class CondenseOptions(_AppearanceOptions):
    """How metaphase-condensed the chromosomes of a cell are.

    A cell's condensation is drawn once (every chromosome of a cell is
    condensed alike), each chromosome then varies a little around it and
    shows its sister chromatids apart or not.

    Args:
        length (tuple[float, float]): Range of the cell's length factor
            (above 1 the chromosomes get longer, as in prometaphase).
        width (tuple[float, float]): Range of the cell's width factor.
        jitter (float): Log-normal sigma of each chromosome's own factors
            around the cell's.
        separated (float): Probability that a chromosome shows its
            chromatids apart.
        splay (tuple[float, float]): Range of how far each chromatid of
            a separated chromosome moves out at its arm's end, as a
            fraction of the chromosome's width (X shapes).
        gap (tuple[float, float]): Range of the depth of the light gap
            between separated chromatids: the fraction of the opacity
            taken away on the axis (1: the background shows through).
    """

    length: Range = (0.55, 0.75)
    width: Range = (1.0, 1.2)
    jitter: float = 0.05
    separated: float = 0.7
    splay: Range = (0.0, 0.2)
    gap: Range = (0.3, 0.7)

    def __post_init__(self) -> None:
        for name in ('length', 'width', 'splay', 'gap'):
            setattr(self, name, _range(getattr(self, name), name))
        if min(self.length[0], self.width[0]) <= 0:
            raise ValueError('length and width factors must be positive')

    def sample_cell(self, rng: np.random.Generator) -> Range:
        """The cell's ``(length, width)`` factors."""
        return _draw(rng, self.length), _draw(rng, self.width)

    def sample_chromosome(self, rng: np.random.Generator, cell: Range) -> dict:
        """One chromosome's condensation, around its cell's.

        Args:
            rng (np.random.Generator): Random source.
            cell (tuple[float, float]): From :meth:`sample_cell`.

        Returns:
            dict: ``length``, ``width``, ``splay``, ``gap`` (the keyword
            arguments of :func:`condense`).
        """
        length = cell[0] * math.exp(rng.normal(0.0, self.jitter))
        width = cell[1] * math.exp(rng.normal(0.0, self.jitter))
        apart = rng.random() < self.separated
        splay, gap = _draw(rng, self.splay), _draw(rng, self.gap)
        return dict(
            length=length,
            width=width,
            splay=splay if apart else 0.0,
            gap=gap if apart else 0.0,
        )


def centromere_position(mask: np.ndarray) -> float:
    """Where an upright chromosome is narrowest, as a fraction of its
    length from its top (p-ter).

    The width profile (mask pixels per row, smoothed over 3 rows) is
    searched in the middle 20-80% of the length, where the centromere's
    constriction lies and the round ends do not; without a constriction
    there (no row 5% narrower than the band's median) or on a crop too
    short to tell, 0.4.

    Args:
        mask (np.ndarray): (h, w) bool, the chromosome upright.

    Returns:
        float: The centromere's position in ``[0, 1]``.
    """
    rows = np.flatnonzero(mask.any(axis=1))
    if len(rows) < 5:
        return 0.4
    top, bottom = rows[0], rows[-1]
    n = bottom - top + 1
    widths = mask[top : bottom + 1].sum(axis=1).astype(np.float64)
    widths = np.convolve(
        np.pad(widths, 1, mode='edge'), np.ones(3) / 3, 'valid'
    )
    lo, hi = int(round(0.2 * n)), int(round(0.8 * n))
    band = widths[lo:hi]
    if len(band) < 3 or band.min() >= 0.95 * np.median(band):
        return 0.4
    narrowest = np.flatnonzero(band == band.min())
    return (lo + narrowest[len(narrowest) // 2] + 0.5) / n


def separation_ramp(position: np.ndarray, centromere: float) -> np.ndarray:
    """How far apart the sister chromatids are along the chromosome.

    Args:
        position (np.ndarray): Positions along the axis, 0 (p-ter) .. 1
            (q-ter).
        centromere (float): The centromere's position.

    Returns:
        np.ndarray: 0 at the centromere (and within a short closed part
        either side of it) rising linearly to 1 at each arm's end.
    """
    position = np.asarray(position, np.float32)
    arm = np.where(position < centromere, centromere, 1.0 - centromere)
    away = np.abs(position - centromere) - _CLOSED
    return np.clip(away / np.maximum(arm - _CLOSED, 1e-3), 0.0, 1.0)


def gap_factor(
    across: np.ndarray,
    shift: np.ndarray,
    ramp: np.ndarray,
    gap: float,
    width: float,
) -> np.ndarray:
    """The light gap between two sister chromatids, as an opacity factor.

    Args:
        across (np.ndarray): Signed distance from the chromosome's axis,
            pixels.
        shift (np.ndarray): How far each chromatid has moved out from
            the axis there, pixels (broadcast with ``across``).
        ramp (np.ndarray): :func:`separation_ramp` there.
        gap (float): Depth on the axis at full separation (0..1).
        width (float): The chromosome's width, pixels.

    Returns:
        np.ndarray: Factor in ``[0, 1]`` to multiply the opacity by:
        ``1 - gap`` on the axis, back to 1 over about ``0.12 * width``
        beyond the moved chromatids; where they have moved further
        apart than that, the space between them empties (factor 0).
    """
    sigma = max(_GAP_WIDTH * width, 0.7)
    depth = np.maximum(
        gap * np.clip(ramp / _GAP_OPENS, 0.0, 1.0),
        np.clip(shift / sigma - 1.0, 0.0, 1.0),
    )
    inside = np.maximum(np.abs(across) - shift, 0.0) / sigma
    return (1.0 - depth * np.exp(-0.5 * inside**2)).astype(np.float32)


def condense_opacity(
    opacity: np.ndarray,
    length: float,
    width: float,
    splay: float = 0.0,
    gap: float = 0.0,
) -> np.ndarray:
    """:func:`condense` on an opacity patch (0 background .. 1 stain).

    Args:
        opacity (np.ndarray): (h, w) float32, the chromosome upright.
        length (float): Length factor.
        width (float): Width factor.
        splay (float): Outward move of each chromatid at its arm's end,
            as a fraction of the chromosome's width.
        gap (float): Depth of the light gap between the chromatids.

    Returns:
        np.ndarray: (h', w') float32, the condensed chromosome upright,
        centred in a patch widened by the splay.
    """
    h, w = opacity.shape
    centromere = centromere_position(opacity > 0.1)
    new_h = max(int(round(h * length)), 1)
    new_w = max(int(round(w * width)), 1)
    out = cv2.resize(
        opacity,
        (w, new_h),
        interpolation=cv2.INTER_AREA if length < 1 else cv2.INTER_LINEAR,
    )
    out = cv2.resize(out, (new_w, new_h), interpolation=cv2.INTER_LINEAR)
    mask = out > 0.1
    rows = np.flatnonzero(mask.any(axis=1))
    if (splay <= 0 and gap <= 0) or len(rows) < 3:
        return out
    top, bottom = rows[0], rows[-1]
    chrom_width = float(np.median(mask[rows].sum(axis=1)))
    # Each row's centre (opacity-weighted), smoothed along the axis so a
    # band's lopsided texture does not move it.
    ys = np.arange(new_h, dtype=np.float32)
    mass = out.sum(axis=1)
    has = mass > 1e-3
    centre = (out * np.arange(new_w, dtype=np.float32)).sum(axis=1)
    centre = np.interp(ys, ys[has], centre[has] / mass[has])
    centre = cv2.GaussianBlur(
        centre.reshape(-1, 1).astype(np.float32),
        (1, 0),
        max(chrom_width / 2, 1.0),
        borderType=cv2.BORDER_REPLICATE,
    ).ravel()
    ramp = separation_ramp((ys - top + 0.5) / (bottom - top + 1), centromere)
    shift = splay * chrom_width * ramp
    pad = int(math.ceil(shift.max())) + 1
    xs = np.arange(new_w + 2 * pad, dtype=np.float32) - pad
    across = xs[None, :] - centre[:, None]
    src = centre[:, None] + np.sign(across) * np.maximum(
        np.abs(across) - shift[:, None], 0.0
    )
    out = cv2.remap(
        out,
        src.astype(np.float32),
        np.repeat(ys[:, None], len(xs), axis=1),
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=0,
    )
    out *= gap_factor(across, shift[:, None], ramp[:, None], gap, chrom_width)
    return out


def condense(
    crop: np.ndarray,
    length: float = 0.65,
    width: float = 1.1,
    splay: float = 0.0,
    gap: float = 0.0,
    background: str = 'white',
) -> np.ndarray:
    """A metaphase-condensed chromosome from an upright crop.

    The chromosome is shortened by ``length`` (its bands merge, as they
    do in condensation) and widened by ``width``; ``splay`` and ``gap``
    then draw its sister chromatids apart: each half moves out from the
    axis and a light gap opens between them, both growing from nothing
    at the centromere (:func:`centromere_position`) to the ends, which
    gives X and H shapes. The result is again an upright crop on the
    same background level, p-arm up, so the composer turns it, finds its
    mask and box and places it as any crop.

    Args:
        crop (np.ndarray): (h, w) uint8 grey crop, p-arm up.
        length (float): Length factor (0.5: half as long).
        width (float): Width factor.
        splay (float): Outward move of each chromatid at its arm's end,
            as a fraction of the chromosome's width.
        gap (float): Depth of the light gap between the chromatids
            (0..1 of the opacity on the axis).
        background (str): ``'white'`` (G-band: dark on light) or
            ``'black'`` (Q-band).

    Returns:
        np.ndarray: (h', w') uint8 grey crop; ``h'`` is about
        ``length * h``, ``w'`` at least ``width * w``.
    """
    opacity, level = crop_opacity(crop, background)
    out = np.pad(condense_opacity(opacity, length, width, splay, gap), 2)
    return opacity_crop(out, level, background)


def crop_opacity(
    crop: np.ndarray, background: str
) -> Tuple[np.ndarray, float]:
    """A grey crop as opacity (0 background .. 1 stain) and its
    background level (the median of its first and last rows).

    Args:
        crop (np.ndarray): (h, w) uint8 grey crop.
        background (str): ``'white'`` (G-band: dark on light) or
            ``'black'`` (Q-band).
    """
    if background not in ('white', 'black'):
        raise ValueError(
            f'background must be white or black, got {background!r}'
        )
    g = crop.astype(np.float32)
    level = float(np.median(np.concatenate([g[0], g[-1]])))
    if background == 'white':
        level = max(level, 1.0)
        return np.clip((level - g) / level, 0.0, 1.0), level
    return np.clip((g - level) / max(255.0 - level, 1.0), 0.0, 1.0), level


def opacity_crop(opacity: np.ndarray, level: float, background: str):
    """:func:`crop_opacity` undone: a uint8 grey crop on ``level``."""
    if background == 'white':
        grey = level * (1.0 - opacity)
    else:
        grey = level + (255.0 - level) * opacity
    return np.clip(np.rint(grey), 0, 255).astype(np.uint8)


@dataclass
class DegradeOptions(_AppearanceOptions):
    """The capture: uneven light, optics, sampling, noise, levels (white
    point, gamma) and compression, in that order. Each step is off at its
    default.

    Args:
        gradient (tuple[float, float]): Range of the illumination's fall
            across the image, as a fraction of the brightest (0.1: the
            far side 10% darker).
        radial (float): Probability that the fall is radial (vignetting
            around a random centre) instead of linear.
        angle (float, optional): Direction of a linear fall, degrees
            (0: darker to the right, 90: darker down); random if None.
        blur (tuple[float, float]): Range of the Gaussian blur sigma,
            pixels.
        resolution (tuple[float, float]): Range of the resolution loss:
            the image is shrunk by this factor and enlarged back (1:
            none).
        noise (tuple[float, float]): Range of the sensor noise sigma
            added after sampling, grey levels.
        white (tuple[float, float], optional): Range of the grey level
            the background is levelled to (a light field's median grey
            is scaled to it; above 255 the background saturates, as in
            captures levelled to a white field); None: no levelling.
            Dark fields are left as they are.
        gamma (tuple[float, float]): Range of the gamma of the grey-level
            curve after levelling (``255 * (g / 255) ** gamma``; above 1
            the stain's mid-greys darken, as a camera's or a levels
            tool's curve does; 1: none).
        jpeg (tuple[int, int], optional): Range of the JPEG quality the
            image is compressed at; None: no compression.
    """

    gradient: Range = (0.0, 0.0)
    radial: float = 0.0
    angle: Optional[float] = None
    blur: Range = (0.0, 0.0)
    resolution: Range = (1.0, 1.0)
    noise: Range = (0.0, 0.0)
    white: Optional[Range] = None
    gamma: Range = (1.0, 1.0)
    jpeg: Optional[Tuple[int, int]] = None

    def __post_init__(self) -> None:
        for name in ('gradient', 'blur', 'resolution', 'noise', 'gamma'):
            setattr(self, name, _range(getattr(self, name), name))
        if self.white is not None:
            self.white = _range(self.white, 'white')
        if self.jpeg is not None:
            low, high = _range(self.jpeg, 'jpeg')
            if not 1 <= low <= high <= 100:
                raise ValueError(f'jpeg quality must be 1..100: {self.jpeg}')
            self.jpeg = (int(low), int(high))
        if self.resolution[0] < 1:
            raise ValueError('resolution loss factors must be >= 1')
        if self.gamma[0] <= 0:
            raise ValueError('gamma must be positive')


def illumination(
    shape: Tuple[int, int],
    fall: float,
    rng: np.random.Generator,
    radial: bool = False,
    angle: Optional[float] = None,
) -> np.ndarray:
    """A smooth illumination field, 1 at its brightest.

    Args:
        shape (tuple[int, int]): ``(height, width)``.
        fall (float): How much darker the darkest point is (fraction).
        rng (np.random.Generator): Random direction or centre.
        radial (bool): Vignetting around a random centre (quadratic in
            the distance) instead of a linear ramp.
        angle (float, optional): Direction of the linear ramp, degrees;
            random if None.

    Returns:
        np.ndarray: (height, width) float32 in ``[1 - fall, 1]``.
    """
    height, width = shape
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    if radial:
        cx = rng.uniform(0.25, 0.75) * width
        cy = rng.uniform(0.25, 0.75) * height
        r = np.hypot(xs - cx, ys - cy)
        ramp = (r / max(float(r.max()), 1e-6)) ** 2
    else:
        if angle is None:
            angle = rng.uniform(0.0, 360.0)
        t = math.radians(angle)
        proj = xs * math.cos(t) + ys * math.sin(t)
        ramp = (proj - proj.min()) / max(float(np.ptp(proj)), 1e-6)
    return (1.0 - fall * ramp).astype(np.float32)


def degrade(
    image: np.ndarray, rng: np.random.Generator, options: DegradeOptions
) -> np.ndarray:
    """A made image as a microscope camera would have captured it.

    Args:
        image (np.ndarray): (H, W) uint8 grey.
        rng (np.random.Generator): The image's random source (every draw
            comes from it, so the result is seeded).
        options (DegradeOptions): Which steps, how strong.

    Returns:
        np.ndarray: (H, W) uint8 grey.
    """
    height, width = image.shape
    out = image.astype(np.float32)
    fall = _draw(rng, options.gradient)
    if fall > 0:
        radial = rng.random() < options.radial
        out *= illumination(out.shape, fall, rng, radial, options.angle)
    sigma = _draw(rng, options.blur)
    if sigma > 0:
        out = cv2.GaussianBlur(out, (0, 0), sigma)
    factor = _draw(rng, options.resolution)
    if factor > 1:
        small = cv2.resize(
            out,
            (max(1, round(width / factor)), max(1, round(height / factor))),
            interpolation=cv2.INTER_AREA,
        )
        out = cv2.resize(
            small, (width, height), interpolation=cv2.INTER_LINEAR
        )
    noise = _draw(rng, options.noise)
    if noise > 0:
        out += rng.standard_normal(out.shape, dtype=np.float32) * np.float32(
            noise
        )
    if options.white is not None:
        target = _draw(rng, options.white)
        level = float(np.median(out))
        if level >= 128:
            out *= np.float32(target / level)
    gamma = _draw(rng, options.gamma)
    if gamma != 1:
        out = 255.0 * (np.clip(out, 0, 255) / 255.0) ** np.float32(gamma)
    out = np.clip(np.rint(out), 0, 255).astype(np.uint8)
    if options.jpeg is not None:
        quality = int(rng.integers(options.jpeg[0], options.jpeg[1] + 1))
        ok, data = cv2.imencode(
            '.jpg', out, [cv2.IMWRITE_JPEG_QUALITY, quality]
        )
        if not ok:
            raise RuntimeError('JPEG encoding failed')
        out = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)
    return out


@dataclass
class ClutterOptions(_AppearanceOptions):
    """Things on a slide that are not chromosomes (never annotated).

    Args:
        nuclei (float): Mean number of interphase nuclei per image
            (Poisson).
        nucleus_size (tuple[float, float]): Range of a nucleus's radius
            as a fraction of the cell's longest chromosome (before any
            condensation).
        debris (float): Mean number of specks of stain or dust.
        fibres (float): Mean number of thin fibres.
        under (float): Probability that a piece may lie partly under the
            chromosomes (at most ``max_under`` of its area); otherwise it
            is kept a chromosome's width away from them.
        max_under (float): Largest fraction of a piece under chromosomes.
    """

    nuclei: float = 0.3
    nucleus_size: Range = (0.45, 0.75)
    debris: float = 2.0
    fibres: float = 0.5
    under: float = 0.3
    max_under: float = 0.3

    def __post_init__(self) -> None:
        self.nucleus_size = _range(self.nucleus_size, 'nucleus_size')


def nucleus_sprite(
    rng: np.random.Generator,
    length: float,
    size: Range = (0.45, 0.75),
) -> Sprite:
    """An interphase nucleus: a large round, mottled, softly edged blob.

    Args:
        rng (np.random.Generator): Random source.
        length (float): The cell's longest chromosome, pixels.
        size (tuple[float, float]): Range of the radius over ``length``.

    Returns:
        Sprite: Unlabelled (``label`` -1).
    """
    r = length * rng.uniform(*size)
    side = int(2 * r * 1.3) + 4
    gy, gx = np.mgrid[0:side, 0:side].astype(np.float32) - side / 2
    squash = rng.uniform(0.8, 1.2)
    dist = np.hypot(gx * squash, gy / squash) / r
    texture = cv2.resize(
        rng.random((12, 12)).astype(np.float32),
        (side, side),
        interpolation=cv2.INTER_CUBIC,
    )
    opacity = np.clip((1.0 - dist) * 6, 0, 1) * (0.45 + 0.25 * texture)
    return Sprite(
        opacity=np.clip(opacity, 0, 0.9).astype(np.float32), mask=dist < 1.0
    )


def speck_sprite(rng: np.random.Generator) -> Sprite:
    """A small dark speck of stain or dust (radius 0.8-3.5 pixels)."""
    r = rng.uniform(0.8, 3.5)
    side = int(2 * r) + 5
    gy, gx = np.mgrid[0:side, 0:side].astype(np.float32) - side / 2
    ratio = rng.uniform(0.5, 1.0)
    dist = np.hypot(gx, gy / ratio) / r
    opacity = np.clip(1.0 - dist, 0, 1) * rng.uniform(0.3, 0.9)
    return Sprite(opacity=opacity.astype(np.float32), mask=dist < 1.0)


def fibre_sprite(rng: np.random.Generator, length: float) -> Sprite:
    """A thin, gently curved fibre.

    Args:
        rng (np.random.Generator): Random source.
        length (float): The cell's longest chromosome, pixels; the fibre
            is 0.3-1.2 times as long.

    Returns:
        Sprite: Unlabelled (``label`` -1).
    """
    steps = 24
    total = length * rng.uniform(0.3, 1.2)
    heading = rng.uniform(0.0, 2 * math.pi) + np.cumsum(
        rng.normal(0.0, 0.08, steps)
    )
    xs = np.concatenate([[0.0], np.cumsum(np.cos(heading))]) * total / steps
    ys = np.concatenate([[0.0], np.cumsum(np.sin(heading))]) * total / steps
    thick = int(rng.integers(1, 3))
    pad = thick + 2
    points = np.stack([xs - xs.min() + pad, ys - ys.min() + pad], 1)
    w = int(math.ceil(points[:, 0].max())) + pad + 1
    h = int(math.ceil(points[:, 1].max())) + pad + 1
    canvas = np.zeros((h, w), np.uint8)
    cv2.polylines(
        canvas,
        [np.rint(points * 4).astype(np.int32)],
        False,
        255,
        thick,
        cv2.LINE_AA,
        shift=2,
    )
    opacity = canvas.astype(np.float32) / 255.0 * rng.uniform(0.2, 0.6)
    return Sprite(opacity=opacity, mask=canvas > 64)


def place_clutter(
    chromosomes: Sequence[Sprite],
    size: Tuple[int, int],
    rng: np.random.Generator,
    options: ClutterOptions,
    length: float,
) -> List[Sprite]:
    """Nuclei, specks and fibres around placed chromosomes.

    Each piece takes the first of 30 random positions inside the image
    that either keeps it about a chromosome's width from every
    chromosome or (with probability ``options.under``) lets at most
    ``options.max_under`` of it lie under them; a piece that finds none
    is left out.

    Args:
        chromosomes (list[Sprite]): The placed chromosomes.
        size (tuple[int, int]): Image ``(width, height)``.
        rng (np.random.Generator): Random source.
        options (ClutterOptions): How many of each.
        length (float): The cell's longest chromosome, pixels (sizes
            nuclei and fibres).

    Returns:
        list[Sprite]: The placed pieces, unlabelled: composite them with
        the chromosomes, never annotate them.
    """
    width, height = size
    occupied = np.zeros((height, width), bool)
    widths = []
    for sprite in chromosomes:
        window = sprite.clip(width, height)
        if window is None:
            continue
        x0, y0, x1, y1 = window
        occupied[y0:y1, x0:x1] |= window_mask(sprite, *window)
        widths.append(min(sprite.shape))
    gap = int(np.median(widths)) if widths else 3
    near = cv2.dilate(
        occupied.astype(np.uint8),
        np.ones((2 * gap + 1, 2 * gap + 1), np.uint8),
    ).astype(bool)
    pieces = (
        [
            nucleus_sprite(rng, length, options.nucleus_size)
            for _ in range(rng.poisson(options.nuclei))
        ]
        + [speck_sprite(rng) for _ in range(rng.poisson(options.debris))]
        + [
            fibre_sprite(rng, length)
            for _ in range(rng.poisson(options.fibres))
        ]
    )
    placed = []
    for piece in pieces:
        h, w = piece.shape
        if h > height or w > width:
            continue
        area = max(int(piece.mask.sum()), 1)
        under = rng.random() < options.under
        for _ in range(30):
            x = int(rng.integers(0, width - w + 1))
            y = int(rng.integers(0, height - h + 1))
            window = (slice(y, y + h), slice(x, x + w))
            if under:
                ok = (
                    occupied[window] & piece.mask
                ).sum() <= options.max_under * area
            else:
                ok = not (near[window] & piece.mask).any()
            if ok:
                piece.offset = (x, y)
                placed.append(piece)
                break
    return placed
