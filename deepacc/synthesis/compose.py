"""Metaphases composed from labelled single-chromosome crops.

Each source cell becomes one image: its chromosomes turned at random and
scattered at spread-like spacing, some touching, with the same COCO
output as ``deepacc synth``. The crops come as grey arrays; reading crop
sets from disk and splitting them by cell is
:mod:`deepacc.datasets.crop_sets` and :mod:`deepacc.datasets.cell_split`.
"""

import math
import os
import os.path as osp
import sys
from typing import List, Mapping, Optional, Sequence, Tuple

import cv2
import numpy as np

from deepacc.chromosomes import NUM_CLASSES
from deepacc.converters.coco import CocoBuilder, write_coco
from deepacc.converters.split import split_coco

from .appearance import condense, degrade, place_clutter
from .bend import bend, elongation
from .generator import add_sprites, image_rng
from .karyotype import karyotype_from_counts
from .layout import composite, contacts, place_sprites
from .options import ComposeOptions
from .sprite import Sprite


def crop_background(gray: np.ndarray) -> str:
    """``'white'`` (bright-field G-band) or ``'black'`` (Q-band), from the
    crop's border pixels."""
    border = np.concatenate(
        [gray[0], gray[-1], gray[:, 0], gray[:, -1]]
    ).astype(np.float32)
    return 'white' if np.median(border) >= 128 else 'black'


def crop_sprite(
    gray: np.ndarray,
    label: int,
    background: str,
    rng: np.random.Generator,
    scale: float = 1.0,
    source: Optional[str] = None,
) -> Sprite:
    """A crop as a randomly turned sprite.

    Args:
        gray (np.ndarray): (h, w) uint8 grey crop (as
            :func:`deepacc.datasets.crops.read_crop` reads it).
        label (int): Class index.
        background (str): ``'auto'``, ``'white'`` or ``'black'``.
        rng (np.random.Generator): Random source (the turn).
        scale (float): Resize factor.
        source (str, optional): Name (or path) for messages and the
            annotation's ``source`` field.

    Returns:
        Sprite: Opacity (absorbed fraction for white, emitted for black
        backgrounds), mask, ``angle``; crops are taken as upright (p-arm up,
        as in a karyogram), so p-ter / q-ter follow from the turn.
    """
    source = source or '<array>'
    if scale != 1.0:
        gray = cv2.resize(
            gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR
        )
    kind = crop_background(gray) if background == 'auto' else background
    g = gray.astype(np.float32)
    if kind == 'white':
        bg = max(float(np.median(np.concatenate([g[0], g[-1]]))), 1.0)
        opacity = np.clip((bg - g) / bg, 0, 1)
    else:
        bg = float(np.median(np.concatenate([g[0], g[-1]])))
        opacity = np.clip((g - bg) / max(255.0 - bg, 1.0), 0, 1)
    mask = _clean_mask(opacity > 0.1)
    if not mask.any():
        raise ValueError(f'{source}: no chromosome pixels found')
    opacity *= cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8))
    h, w = opacity.shape
    angle = float(rng.uniform(0, 360))
    side = int(math.ceil(math.hypot(h, w))) + 2
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    matrix[:, 2] += (side / 2 - w / 2, side / 2 - h / 2)
    opacity = cv2.warpAffine(
        opacity, matrix, (side, side), flags=cv2.INTER_LINEAR, borderValue=0
    )
    rot_mask = (
        cv2.warpAffine(
            mask.astype(np.uint8),
            matrix,
            (side, side),
            flags=cv2.INTER_NEAREST,
            borderValue=0,
        )
        > 0
    )
    ys, xs = np.nonzero(rot_mask)
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    top = matrix @ np.array([w / 2, 0.0, 1.0])
    bottom = matrix @ np.array([w / 2, float(h), 1.0])
    return Sprite(
        opacity=opacity[y0:y1, x0:x1].astype(np.float32),
        mask=rot_mask[y0:y1, x0:x1],
        label=label,
        p_ter=(top[0] - x0, top[1] - y0),
        q_ter=(bottom[0] - x0, bottom[1] - y0),
        angle=angle,
        extra=dict(source=osp.basename(source), background=kind),
    )


def _clean_mask(mask: np.ndarray) -> np.ndarray:
    """Drop specks: keep components of at least 15% of the largest."""
    num, labels, stats, _ = cv2.connectedComponentsWithStats(
        mask.astype(np.uint8), connectivity=8
    )
    if num <= 1:
        return mask
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.flatnonzero(areas >= 0.15 * areas.max()) + 1
    return np.isin(labels, keep)


# Per-image variation at batch_effect = 1 (log ranges, uniform): the cell's
# overall chromosome size (condensation and capture scale), stain
# contrast, then blur, background level and noise of the capture.
_SCALE_RANGE = math.log(1.3)
_CONTRAST_RANGE = math.log(1.3)


def sample_compose_batch(
    rng: np.random.Generator, strength: float, noise: float
) -> dict:
    """Per-image batch effects of a composed metaphase.

    Args:
        rng (np.random.Generator): The image's random source.
        strength (float): 0 (every image alike) .. 1.
        noise (float): Sensor noise sigma at strength 0, grey levels.

    Returns:
        dict: ``scale`` (size of every chromosome of the cell),
        ``contrast`` (opacity factor), ``blur`` (sigma, pixels),
        ``background`` (0..1: how far the background moves towards grey),
        ``noise`` (sigma, grey levels).
    """
    b = float(np.clip(strength, 0.0, 1.0))
    return dict(
        scale=round(math.exp(b * rng.uniform(-1, 1) * _SCALE_RANGE), 4),
        contrast=round(math.exp(b * rng.uniform(-1, 1) * _CONTRAST_RANGE), 4),
        blur=round(b * rng.uniform(0, 1.0), 3),
        background=round(b * rng.uniform(0, 1.0), 3),
        noise=round(noise * (1.0 + b * rng.uniform(0, 1.5)), 3),
    )


def compose_metaphase(
    crops: Sequence[Tuple[np.ndarray, int]],
    rng: np.random.Generator,
    options: Optional[ComposeOptions] = None,
    sources: Optional[Sequence[str]] = None,
) -> Tuple[np.ndarray, List[Sprite], dict]:
    """One metaphase from one cell's crops.

    Args:
        crops (list[tuple]): ``(grey uint8 array, class index)`` of every
            chromosome of the cell.
        rng (np.random.Generator): The image's random source.
        options (ComposeOptions, optional): Image size, crop scale,
            contact rates, background, noise, batch effect (strength 0..1
            of the per-image variation, :func:`sample_compose_batch`) and
            density, and the real-capture appearance steps (condensed
            and bent chromosomes, nuclei and debris, capture degradation; off
            unless set); default ``ComposeOptions()``.
        sources (list[str], optional): Crop names or paths for messages
            and the annotations' ``source``.

    Returns:
        tuple: ``image`` ``(height, width)`` uint8 grey; the placed
        ``Sprite`` list (``extra['touching']`` / ``['overlapping']`` as
        sprite indices); ``info`` (``karyotype``, ``background``,
        ``batch``, and ``condensed``, the cell's length and width factors,
        when condensing; ``real_look`` when ``options.real_look_rate`` is
        under 1).
    """
    opts, real_look = (options or ComposeOptions()).image_look(rng)
    width, height = opts.width, opts.height
    batch = sample_compose_batch(rng, opts.batch_effect, opts.noise)
    sources = sources or [None] * len(crops)
    if opts.clutter is not None:
        # Nuclei and fibres go by the longest chromosome as cropped.
        longest = max(g.shape[0] for g, _ in crops)
        longest *= opts.scale * batch['scale']
    condensed = None
    if opts.condense is not None:
        crops, condensed = _condense_cell(crops, rng, opts)
    if opts.bend is not None:
        crops = _bend_cell(crops, rng, opts)
    sprites = [
        crop_sprite(
            gray, label, opts.background, rng, opts.scale * batch['scale'], src
        )
        for (gray, label), src in zip(crops, sources)
    ]
    kinds = [s.extra.pop('background') for s in sprites]
    kind = max(set(kinds), key=kinds.count)
    for sprite in sprites:
        sprite.opacity = np.minimum(sprite.opacity * batch['contrast'], 1.0)
    widths = [min(s.shape) for s in sprites]
    place_sprites(
        sprites,
        (width, height),
        rng,
        opts.touch_rate,
        opts.overlap_rate,
        density=opts.density,
        gap=max(2, int(np.median(widths) * 0.3)),
    )
    touching, overlapping = contacts(sprites)
    for sprite, touch, over in zip(sprites, touching, overlapping):
        sprite.extra.update(touching=sorted(touch), overlapping=sorted(over))
    clutter = []
    if opts.clutter is not None:
        clutter = place_clutter(
            sprites, (width, height), rng, opts.clutter, longest
        )
    transmit = np.ones((height, width), np.float32)
    composite(transmit, clutter + sprites)
    if kind == 'white':
        paper = 240.0 - 50.0 * batch['background']
        image = paper * transmit
    else:
        floor = 12.0 + 40.0 * batch['background']
        image = floor + (255.0 - floor) * (1.0 - transmit)
    if batch['blur'] > 0:
        image = cv2.GaussianBlur(image, (0, 0), batch['blur'])
    image += rng.standard_normal(image.shape, dtype=np.float32) * np.float32(
        batch['noise']
    )
    image = np.clip(np.rint(image), 0, 255).astype(np.uint8)
    if opts.degrade is not None:
        image = degrade(image, rng, opts.degrade)
    counts = np.bincount([s.label for s in sprites], minlength=NUM_CLASSES)
    info = dict(
        karyotype=karyotype_from_counts(counts), background=kind, batch=batch
    )
    if condensed is not None:
        info['condensed'] = condensed
    if real_look is not None:
        info['real_look'] = real_look
    return image, sprites, info


def _crop_kind(gray, options) -> str:
    """A crop's background kind: ``options.background``, or read from the
    crop when that is ``'auto'``."""
    if options.background == 'auto':
        return crop_background(gray)
    return options.background


def condense_cell(grays, rng, options, background: str = 'auto'):
    """One cell's upright crops metaphase-condensed alike.

    The cell's condensation is drawn once
    (:meth:`~deepacc.synthesis.appearance.CondenseOptions.sample_cell`),
    each chromosome's around it, and each crop goes through
    :func:`~deepacc.synthesis.appearance.condense`.

    Args:
        grays (Sequence[np.ndarray]): (h, w) uint8 crops, p-arm up.
        rng (np.random.Generator): Random source.
        options (CondenseOptions): How condensed.
        background (str): ``'white'``, ``'black'`` or ``'auto'`` (read
            from each crop).

    Returns:
        tuple[list[np.ndarray], tuple[float, float]]: The condensed
        crops and the cell's ``(length, width)`` factors.
    """
    cell = options.sample_cell(rng)
    out = []
    for gray in grays:
        kind = crop_background(gray) if background == 'auto' else background
        drawn = options.sample_chromosome(rng, cell)
        out.append(condense(gray, background=kind, **drawn))
    return out, cell


def _condense_cell(crops, rng, options):
    """A cell's crops metaphase-condensed (``options.condense``), and the
    cell's ``(length, width)`` factors rounded for the record."""
    grays, cell = condense_cell(
        [gray for gray, _ in crops], rng, options.condense, options.background
    )
    crops = [(gray, label) for gray, (_, label) in zip(grays, crops)]
    return crops, [round(v, 4) for v in cell]


def _bend_cell(crops, rng, options):
    """A cell's crops, some bent (``options.bend``); short ones (under
    ``min_length`` widths long) stay straight."""
    out = []
    for gray, label in crops:
        kind = _crop_kind(gray, options)
        drawn = options.bend.sample(rng)
        if drawn and elongation(gray, kind) >= options.bend.min_length:
            gray = bend(gray, background=kind, **drawn)
        out.append((gray, label))
    return out


def compose_dataset(
    cells: Mapping[str, Sequence[Tuple[np.ndarray, int, str]]],
    out_dir: str,
    options: Optional[ComposeOptions] = None,
    num_images: Optional[int] = None,
    seed: int = 0,
    split: Optional[Sequence[float]] = None,
    force: bool = False,
    progress: bool = True,
    source: Optional[str] = None,
) -> str:
    """Compose one metaphase per source cell; write images and COCO json.

    Args:
        cells (dict): Cell id -> its crops as ``(grey uint8 array, class
            index, path)``, as :func:`deepacc.datasets.crop_sets.
            read_crop_images` reads them; images go through the cells in
            this order.
        out_dir (str): Dataset root: ``images/``, ``annotations/all.json``.
        options (ComposeOptions, optional): See :func:`compose_metaphase`.
        num_images (int, optional): Number of images; cells are reused
            (with new layouts) when larger than the number of cells.
            Defaults to one per cell.
        seed (int): Seed; image i uses its own seed.
        split (list[float], optional): Also write train/val/test json.
        force (bool): Overwrite an existing dataset.
        progress (bool): Show a progress bar on stderr.
        source (str, optional): Where the crops came from (the folder or
            index CSV), recorded in the json's ``info.crops``.

    Returns:
        str: Path of ``annotations/all.json``.
    """
    ann_path = osp.join(out_dir, 'annotations', 'all.json')
    if osp.exists(ann_path) and not force:
        raise FileExistsError(
            f'{ann_path} exists; pass --force (force=True) to overwrite'
        )
    if not cells:
        raise ValueError('no cells to compose')
    opts = options or ComposeOptions()
    cell_ids = list(cells)
    num_images = len(cell_ids) if num_images is None else num_images
    img_dir = osp.join(out_dir, 'images')
    os.makedirs(img_dir, exist_ok=True)
    builder = CocoBuilder()
    indices = range(num_images)
    if progress:
        from tqdm import tqdm

        indices = tqdm(indices, desc='compose', unit='img', file=sys.stderr)
    for index in indices:
        cell = cell_ids[index % len(cell_ids)]
        crops = cells[cell]
        image, sprites, info = compose_metaphase(
            [(gray, label) for gray, label, _ in crops],
            image_rng(seed, index),
            opts,
            sources=[path for _, _, path in crops],
        )
        file_name = f'composed_{index:05d}.png'
        cv2.imwrite(
            osp.join(img_dir, file_name),
            image,
            [cv2.IMWRITE_PNG_COMPRESSION, 1],
        )
        image_id = builder.add_image(
            file_name,
            opts.width,
            opts.height,
            source_cell=cell,
            seed=[int(seed), index],
            **info,
        )
        add_sprites(builder, image_id, sprites)
    coco_info = dict(
        description='deepacc metaphases composed from crops',
        crops=osp.abspath(source) if source else None,
        seed=int(seed),
    )
    coco = builder.to_dict(
        info={k: v for k, v in coco_info.items() if v is not None}
    )
    write_coco(coco, ann_path, force=True)
    if split:
        split_coco(ann_path, split, seed=seed, force=True, coco=coco)
    return ann_path
