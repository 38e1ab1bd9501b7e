"""Metaphases composed from labelled single-chromosome crops.

Crops come grouped by cell, either as folders
``[cells/]<cell>/clase<k>/*.tif*`` (k = 1..22, 23 = X, 24 = Y; any class
name :func:`deepacc.chromosomes.class_index` reads works as the folder
name) or as an index CSV with columns ``path, cell_id, label``. Each source
cell becomes one image: its chromosomes turned at random and scattered at
spread-like spacing, some touching, with the same COCO output as
``deepacc synth``.
"""

import csv
import math
import os
import os.path as osp
import sys
from typing import Dict, List, Optional, Tuple

import cv2
import numpy as np

from deepacc.chromosomes import NUM_CLASSES, class_index
from deepacc.converters.coco import CocoBuilder, write_coco

from .generator import add_sprites, image_rng
from .karyotype import karyotype_from_counts
from .layout import composite, contacts, place_sprites
from .sprite import Sprite

_IMAGE_EXT = ('.tif', '.tiff', '.png', '.jpg', '.jpeg', '.bmp')
Crop = Tuple[str, int]


def load_crops(crops: str) -> Dict[str, List[Crop]]:
    """Crops per cell: ``{cell_id: [(path, label), ...]}``, sorted.

    Args:
        crops (str): A folder (with ``index.csv``, or ``cells/`` or cell
            folders of class folders) or an index CSV file.

    Returns:
        dict: Cell id -> list of (crop path, class index).

    Raises:
        ValueError: A class folder or CSV label is not a chromosome class,
            a CSV row lacks a column, or nothing is found.
    """
    index = crops if osp.isfile(crops) else osp.join(crops, 'index.csv')
    cells: Dict[str, List[Crop]] = {}
    if osp.isfile(index):
        root = osp.dirname(osp.abspath(index))
        with open(index, newline='') as f:
            for line, row in enumerate(csv.DictReader(f), start=2):
                missing = [
                    k for k in ('path', 'cell_id', 'label') if not row.get(k)
                ]
                if missing:
                    raise ValueError(
                        f'{index}: line {line}: missing {", ".join(missing)}'
                    )
                label = class_index(row['label'])
                if label is None:
                    raise ValueError(
                        f'{index}: line {line}: label '
                        f'{row["label"]!r} is not a chromosome '
                        'class'
                    )
                cells.setdefault(row['cell_id'], []).append(
                    (osp.join(root, row['path']), label)
                )
    else:
        root = (
            osp.join(crops, 'cells')
            if osp.isdir(osp.join(crops, 'cells'))
            else crops
        )
        for cell in sorted(os.listdir(root)):
            cell_dir = osp.join(root, cell)
            if not osp.isdir(cell_dir):
                continue
            for cls in sorted(os.listdir(cell_dir)):
                cls_dir = osp.join(cell_dir, cls)
                if not osp.isdir(cls_dir):
                    continue
                label = class_index(cls)
                if label is None:
                    raise ValueError(
                        f'{cls_dir}: folder name {cls!r} is '
                        'not a chromosome class'
                    )
                for name in sorted(os.listdir(cls_dir)):
                    if name.lower().endswith(_IMAGE_EXT):
                        cells.setdefault(cell, []).append(
                            (osp.join(cls_dir, name), label)
                        )
    if not cells:
        raise ValueError(
            f'{crops}: no crops found (expected index.csv or '
            'cells/<cell>/clase<k>/*.tiff)'
        )
    return {k: sorted(v) for k, v in sorted(cells.items())}


def crop_background(gray: np.ndarray) -> str:
    """``'white'`` (bright-field G-band) or ``'black'`` (Q-band), from the
    crop's border pixels."""
    border = np.concatenate(
        [gray[0], gray[-1], gray[:, 0], gray[:, -1]]
    ).astype(np.float32)
    return 'white' if np.median(border) >= 128 else 'black'


def crop_sprite(
    path: str,
    label: int,
    background: str,
    rng: np.random.Generator,
    scale: float = 1.0,
) -> Sprite:
    """A crop as a randomly turned sprite.

    Args:
        path (str): Crop image (grey or colour, 8 or 16 bit).
        label (int): Class index.
        background (str): ``'auto'``, ``'white'`` or ``'black'``.
        rng (np.random.Generator): Random source (the turn).
        scale (float): Resize factor.

    Returns:
        Sprite: Opacity (absorbed fraction for white, emitted for black
        backgrounds), mask, ``angle``; crops are taken as upright (p-arm up,
        as in a karyogram), so p-ter / q-ter follow from the turn.
    """
    gray = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
    if gray is None or gray.size == 0:
        raise ValueError(f'{path}: not a readable image')
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
        raise ValueError(f'{path}: no chromosome pixels found')
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
        extra=dict(source=osp.basename(path), background=kind),
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


def compose_dataset(
    crops: str,
    out_dir: str,
    num_images: Optional[int] = None,
    seed: int = 0,
    width: int = 1024,
    height: int = 768,
    scale: float = 1.0,
    touch_rate: float = 0.1,
    overlap_rate: float = 0.0,
    background: str = 'auto',
    noise: float = 2.0,
    split=None,
    force: bool = False,
    progress: bool = True,
) -> str:
    """Compose one metaphase per source cell; write images and COCO json.

    Args:
        crops (str): Crops folder or index CSV (see :func:`load_crops`).
        out_dir (str): Dataset root: ``images/``, ``annotations/all.json``.
        num_images (int, optional): Number of images; cells are reused
            (with new layouts) when larger than the number of cells.
            Defaults to one per cell.
        seed (int): Seed; image i uses its own seed.
        width (int): Output width.
        height (int): Output height.
        scale (float): Resize factor of the crops.
        touch_rate (float): Probability that a chromosome touches another.
        overlap_rate (float): Probability that it crosses another.
        background (str): ``'auto'`` (from each cell's crops), ``'white'``
            (G-band) or ``'black'`` (Q-band).
        noise (float): Sensor noise sigma, grey levels.
        split (list[float], optional): Also write train/val/test json.
        force (bool): Overwrite an existing dataset.
        progress (bool): Show a progress bar on stderr.

    Returns:
        str: Path of ``annotations/all.json``.
    """
    if background not in ('auto', 'white', 'black'):
        raise ValueError(
            f'background must be auto, white or black, got {background!r}'
        )
    ann_path = osp.join(out_dir, 'annotations', 'all.json')
    if osp.exists(ann_path) and not force:
        raise FileExistsError(
            f'{ann_path} exists; pass --force (force=True) to overwrite'
        )
    cells = load_crops(crops)
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
        rng = image_rng(seed, index)
        cell = cell_ids[index % len(cell_ids)]
        sprites = [
            crop_sprite(path, label, background, rng, scale)
            for path, label in cells[cell]
        ]
        kinds = [s.extra['background'] for s in sprites]
        kind = max(set(kinds), key=kinds.count)
        widths = [min(s.shape) for s in sprites]
        place_sprites(
            sprites,
            (width, height),
            rng,
            touch_rate,
            overlap_rate,
            density=0.16,
            gap=max(2, int(np.median(widths) * 0.3)),
        )
        touching, overlapping = contacts(sprites)
        for sprite, touch, over in zip(sprites, touching, overlapping):
            sprite.extra.update(
                touching=sorted(touch), overlapping=sorted(over)
            )
        transmit = np.ones((height, width), np.float32)
        composite(transmit, sprites)
        if kind == 'white':
            image = 240.0 * transmit
        else:
            image = 12.0 + 243.0 * (1.0 - transmit)
        image += rng.standard_normal(
            image.shape, dtype=np.float32
        ) * np.float32(noise)
        image = np.clip(np.rint(image), 0, 255).astype(np.uint8)
        file_name = f'composed_{index:05d}.png'
        cv2.imwrite(
            osp.join(img_dir, file_name),
            image,
            [cv2.IMWRITE_PNG_COMPRESSION, 1],
        )
        counts = np.bincount([s.label for s in sprites], minlength=NUM_CLASSES)
        image_id = builder.add_image(
            file_name,
            width,
            height,
            source_cell=cell,
            karyotype=karyotype_from_counts(counts),
            background=kind,
            seed=[int(seed), index],
        )
        for sprite in sprites:
            sprite.extra.pop('background', None)
        add_sprites(builder, image_id, sprites)
    coco = builder.to_dict(
        info=dict(
            description='deepacc metaphases composed from crops',
            crops=osp.abspath(crops),
            seed=int(seed),
        )
    )
    write_coco(coco, ann_path, force=True)
    if split:
        from deepacc.converters.split import split_coco

        split_coco(ann_path, split, seed=seed, force=True, coco=coco)
    return ann_path
