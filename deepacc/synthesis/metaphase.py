"""One synthetic G-banded metaphase: karyotype, batch effects, layout."""

import math
from typing import List, Tuple

import cv2
import numpy as np

from deepacc.chromosomes import CLASSES, RELATIVE_LENGTH

from .appearance import degrade, nucleus_sprite, speck_sprite
from .chromosome import render_chromosome
from .karyotype import sample_karyotype
from .layout import composite, contacts, place_sprites
from .options import SynthOptions
from .sprite import Sprite

# Chromosome 1's length as a fraction of the image height at scale 1.
_CHR1_FRACTION = 0.176
_CONDENSATION_RANGE = math.log(1.4)
_WIDTH_RANGE = math.log(1.3)


def sample_batch(rng: np.random.Generator, options: SynthOptions) -> dict:
    """Per-image acquisition and preparation parameters (batch effects).

    Args:
        rng (np.random.Generator): Random source.
        options (SynthOptions): ``batch_effect`` sets the spread.

    Returns:
        dict: ``scale`` (condensation), ``chr1_length`` and ``width``
        (pixels), ``light`` / ``dark`` (band opacities), ``band_blur``,
        ``blur`` (pixels), ``background`` (grey level), ``gradient``,
        ``noise`` (grey levels).
    """
    b = float(np.clip(options.batch_effect, 0.0, 1.0))
    scale = math.exp(b * rng.uniform(-1, 1) * _CONDENSATION_RANGE)
    base = _CHR1_FRACTION * options.height * options.chromosome_scale
    width = (
        0.105
        * base
        * math.exp(b * rng.uniform(-1, 1) * _WIDTH_RANGE)
        * math.sqrt(scale)
    )
    return dict(
        scale=round(scale, 4),
        chr1_length=round(base * scale, 2),
        width=round(max(width, 3.0), 2),
        light=round(0.3 + b * rng.uniform(-0.1, 0.12), 3),
        dark=round(0.88 + b * rng.uniform(-0.2, 0.07), 3),
        band_blur=round(0.6 + b * rng.uniform(0, 0.8), 3),
        blur=round(0.5 + b * rng.uniform(0, 1.0), 3),
        background=round(235 - b * rng.uniform(0, 35), 1),
        gradient=round(b * rng.uniform(0, 25), 1),
        noise=round(options.noise * (2.0 + b * rng.uniform(0, 4)), 2),
    )


def render_metaphase(
    rng: np.random.Generator, options: SynthOptions
) -> Tuple[np.ndarray, List[Sprite], dict]:
    """Render one metaphase image.

    Args:
        rng (np.random.Generator): The image's own random source.
        options (SynthOptions): Generator settings.

    Returns:
        tuple: ``image`` ``(height, width)`` uint8 grey; the placed
        chromosome ``Sprite`` list (with ``extra['touching']`` /
        ``extra['overlapping']`` as sprite indices); per-image ``info``
        (``karyotype``, ``batch``, and ``condensed``, the cell's length
        and width factors, when ``options.condense`` is set;
        ``real_look`` when ``options.real_look_rate`` is under 1).
    """
    options, real_look = options.image_look(rng)
    size = (options.width, options.height)
    karyotype, names = sample_karyotype(
        rng, options.male_rate, options.aneuploidy_rate, options.aneuploidies
    )
    batch = sample_batch(rng, options)
    cell = None
    if options.condense is not None:
        cell = options.condense.sample_cell(rng)
    ref = RELATIVE_LENGTH['1']
    sprites = []
    for name in names:
        length = (
            batch['chr1_length']
            * RELATIVE_LENGTH[name]
            / ref
            * math.exp(rng.normal(0, 0.04))
        )
        kink = rng.normal(0, 0.7) if rng.random() < 0.25 else 0.0
        width = batch['width'] * math.exp(rng.normal(0, 0.05))
        curvature = float(rng.normal(0, 0.45))
        apart = {}
        if cell is not None:
            apart = options.condense.sample_chromosome(rng, cell)
            length *= apart.pop('length')
            width *= apart.pop('width')
        sprites.append(
            render_chromosome(
                CLASSES.index(name),
                length,
                width,
                rng,
                curvature=curvature,
                kink=float(kink),
                light=batch['light'],
                dark=batch['dark'],
                band_blur=batch['band_blur'],
                **apart,
            )
        )
    blocked = None
    extras = []
    if rng.random() < options.nucleus_rate:
        nucleus = nucleus_sprite(rng, batch['chr1_length'])
        nh, nw = nucleus.shape
        nucleus.offset = (
            int(rng.integers(-nw // 3, size[0] - 2 * nw // 3)),
            int(rng.integers(-nh // 3, size[1] - 2 * nh // 3)),
        )
        blocked = np.zeros((size[1], size[0]), bool)
        _stamp(blocked, nucleus)
        extras.append(nucleus)
    place_sprites(
        sprites,
        size,
        rng,
        options.touch_rate,
        options.overlap_rate,
        options.density,
        gap=max(2, int(batch['width'] * 0.4)),
        blocked=blocked,
    )
    touching, overlapping = contacts(sprites)
    for sprite, touch, over in zip(sprites, touching, overlapping):
        sprite.extra.update(touching=sorted(touch), overlapping=sorted(over))
    for _ in range(rng.poisson(10 * options.debris)):
        speck = speck_sprite(rng)
        sh, sw = speck.shape
        speck.offset = (
            int(rng.integers(0, size[0] - sw)),
            int(rng.integers(0, size[1] - sh)),
        )
        extras.append(speck)
    transmit = np.ones((size[1], size[0]), np.float32)
    composite(transmit, extras + sprites)
    image = _background(rng, size, batch) * transmit
    if batch['blur'] > 0:
        image = cv2.GaussianBlur(image, (0, 0), batch['blur'])
    image += rng.standard_normal(image.shape, dtype=np.float32) * np.float32(
        batch['noise']
    )
    image = np.clip(np.rint(image), 0, 255).astype(np.uint8)
    if options.degrade is not None:
        image = degrade(image, rng, options.degrade)
    info = dict(karyotype=karyotype, batch=batch)
    if cell is not None:
        info['condensed'] = [round(v, 4) for v in cell]
    if real_look is not None:
        info['real_look'] = real_look
    return image, sprites, info


def _stamp(target, sprite):
    ox, oy = sprite.offset
    h, w = sprite.shape
    height, width = target.shape
    x0, y0 = max(ox, 0), max(oy, 0)
    x1, y1 = min(ox + w, width), min(oy + h, height)
    if x0 < x1 and y0 < y1:
        target[y0:y1, x0:x1] |= sprite.mask[
            y0 - oy : y1 - oy, x0 - ox : x1 - ox
        ]


def _background(rng, size, batch):
    """Grey level with a smooth illumination gradient and faint texture."""
    width, height = size
    coarse = rng.standard_normal((6, 8)).astype(np.float32)
    field = cv2.resize(coarse, (width, height), interpolation=cv2.INTER_LINEAR)
    field *= batch['gradient'] / 2.5
    return np.float32(batch['background']) + field
