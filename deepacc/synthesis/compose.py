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
import re
import sys
from typing import (
    Callable,
    Dict,
    List,
    Optional,
    Sequence,
    Tuple,
    Union,
)

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


def load_crops(
    crops: str,
    cell_pattern: Optional[str] = None,
    on_invalid: Optional[Callable[[str, str], None]] = None,
) -> Dict[str, List[Crop]]:
    """Crops per cell: ``{cell_id: [(path, label), ...]}``, sorted.

    Three layouts are read:

    - an index CSV with columns ``path`` (relative to the CSV),
      ``cell_id`` and ``label``;
    - cell folders of class folders, ``[cells/]<cell>/<class>/*.tif*``;
    - class folders of files, ``<class>/<file>`` (BioImLab style), where
      the cell (karyogram) id is read from the file name by
      ``cell_pattern``: a regular expression searched in the name (without
      extension), its group ``cell`` (or its first group, or the whole
      match) is the id. It is chosen when ``cell_pattern`` is given, or
      when every sub-folder is a class name holding image files directly
      (then with :data:`DEFAULT_CELL_PATTERN`).

    Class names are whatever :func:`deepacc.chromosomes.class_index` reads
    (``clase7``, ``7``, ``chr7``, ``C7``, ``X``, ``23`` ...).

    Args:
        crops (str): A folder (with ``index.csv``, or ``cells/``, cell
            folders or class folders) or an index CSV file.
        cell_pattern (str, optional): Regex for the class-folder layout.
        on_invalid (callable, optional): ``on_invalid(path, reason)`` for
            every bad entry: a class name or label that is not a
            chromosome class, a CSV row lacking a column, a file that is
            not an image, an empty class folder, a file name without a
            cell id. The entry is then left out (the callback may raise
            instead). Without it, a bad class or label raises and files
            with another extension are ignored silently.

    Returns:
        dict: Cell id -> list of (crop path, class index).

    Raises:
        ValueError: A class folder or CSV label is not a chromosome class,
            a CSV row lacks a column (without ``on_invalid``), or nothing
            is found.
    """

    def invalid(path: str, reason: str) -> None:
        if on_invalid is None:
            raise ValueError(f'{path}: {reason}')
        on_invalid(path, reason)

    index = crops if osp.isfile(crops) else osp.join(crops, 'index.csv')
    cells: Dict[str, List[Crop]] = {}
    if osp.isfile(index):
        root = osp.dirname(osp.abspath(index))
        with open(index, newline='') as f:
            for line, row in enumerate(csv.DictReader(f), start=2):
                where = f'{index}: line {line}'
                missing = [
                    k for k in ('path', 'cell_id', 'label') if not row.get(k)
                ]
                if missing:
                    invalid(where, f'missing {", ".join(missing)}')
                    continue
                label = class_index(row['label'])
                if label is None:
                    invalid(
                        where,
                        f'label {row["label"]!r} is not a chromosome class',
                    )
                    continue
                path = osp.join(root, row['path'])
                if on_invalid is not None and not _is_image_name(path):
                    invalid(path, 'not an image file')
                    continue
                cells.setdefault(row['cell_id'], []).append((path, label))
    else:
        root = (
            osp.join(crops, 'cells')
            if osp.isdir(osp.join(crops, 'cells'))
            else crops
        )
        if cell_pattern is not None or _is_class_folder_layout(root):
            _read_class_folders(
                root, cell_pattern or DEFAULT_CELL_PATTERN, cells, invalid
            )
        else:
            for cell in sorted(os.listdir(root)):
                cell_dir = osp.join(root, cell)
                if osp.isdir(cell_dir):
                    for path, label in _read_class_folder_tree(
                        cell_dir, invalid, on_invalid is not None
                    ):
                        cells.setdefault(cell, []).append((path, label))
    if not cells:
        raise ValueError(
            f'{crops}: no crops found (expected index.csv, '
            'cells/<cell>/clase<k>/*.tiff or <class>/<file> with a cell id '
            'in the file name)'
        )
    return {k: sorted(v) for k, v in sorted(cells.items())}


# The BioImLab-style default: the file name up to its first '_', '-' or
# '.' is the cell (karyogram) id, e.g. ``017_chr21_b.bmp`` -> ``017``.
DEFAULT_CELL_PATTERN = r'^(?P<cell>[^_.\-]+)[_.\-]'


def _is_image_name(path: str) -> bool:
    return path.lower().endswith(_IMAGE_EXT)


def _is_class_folder_layout(root: str) -> bool:
    """Every sub-folder is a class name and some hold image files."""
    subdirs = [d for d in os.listdir(root) if osp.isdir(osp.join(root, d))]
    if not subdirs or any(class_index(d) is None for d in subdirs):
        return False
    return any(
        _is_image_name(f) and osp.isfile(osp.join(root, d, f))
        for d in subdirs
        for f in os.listdir(osp.join(root, d))
    )


def _read_class_folder_tree(
    folder: str, invalid: Callable[[str, str], None], strict: bool
) -> List[Crop]:
    """The crops of one folder of class folders."""
    found = []
    for cls in sorted(os.listdir(folder)):
        cls_dir = osp.join(folder, cls)
        if not osp.isdir(cls_dir):
            continue
        label = class_index(cls)
        if label is None:
            invalid(cls_dir, f'folder name {cls!r} is not a chromosome class')
            continue
        names = sorted(os.listdir(cls_dir))
        if strict and not names:
            invalid(cls_dir, 'empty class folder')
        for name in names:
            path = osp.join(cls_dir, name)
            if _is_image_name(name):
                found.append((path, label))
            elif strict:
                invalid(path, 'not an image file')
    return found


def _read_class_folders(
    root: str,
    cell_pattern: str,
    cells: Dict[str, List[Crop]],
    invalid: Callable[[str, str], None],
) -> None:
    """Class folders of files, the cell id taken from each file name."""
    try:
        pattern = re.compile(cell_pattern)
    except re.error as exc:
        raise ValueError(f'cell pattern {cell_pattern!r}: {exc}') from None
    for path, label in _read_class_folder_tree(root, invalid, True):
        stem = osp.splitext(osp.basename(path))[0]
        match = pattern.search(stem)
        if match is None:
            invalid(path, f'no cell id in the name (pattern {cell_pattern!r})')
            continue
        groups = match.groupdict()
        cell = groups.get('cell') or (
            match.group(1) if pattern.groups else match.group(0)
        )
        cells.setdefault(cell, []).append((path, label))


def crop_background(gray: np.ndarray) -> str:
    """``'white'`` (bright-field G-band) or ``'black'`` (Q-band), from the
    crop's border pixels."""
    border = np.concatenate(
        [gray[0], gray[-1], gray[:, 0], gray[:, -1]]
    ).astype(np.float32)
    return 'white' if np.median(border) >= 128 else 'black'


def read_crop(path: str) -> np.ndarray:
    """A crop as an 8-bit grey array.

    Raises:
        ValueError: The file is not a readable image, naming it.
    """
    gray = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
    if gray is None or gray.size == 0:
        raise ValueError(f'{path}: not a readable image')
    return gray


def crop_sprite(
    crop: Union[str, np.ndarray],
    label: int,
    background: str,
    rng: np.random.Generator,
    scale: float = 1.0,
    source: Optional[str] = None,
) -> Sprite:
    """A crop as a randomly turned sprite.

    Args:
        crop (str | np.ndarray): Crop image path (grey or colour, 8 or 16
            bit) or the grey array :func:`read_crop` returns.
        label (int): Class index.
        background (str): ``'auto'``, ``'white'`` or ``'black'``.
        rng (np.random.Generator): Random source (the turn).
        scale (float): Resize factor.
        source (str, optional): Name for messages and the annotation's
            ``source`` field; defaults to the path.

    Returns:
        Sprite: Opacity (absorbed fraction for white, emitted for black
        backgrounds), mask, ``angle``; crops are taken as upright (p-arm up,
        as in a karyogram), so p-ter / q-ter follow from the turn.
    """
    if isinstance(crop, str):
        source = source or crop
        gray = read_crop(crop)
    else:
        gray = crop
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
    rng: np.random.Generator, strength: float, noise: float = 2.0
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
    crops: Sequence[Tuple[Union[str, np.ndarray], int]],
    rng: np.random.Generator,
    width: int = 1024,
    height: int = 768,
    scale: float = 1.0,
    touch_rate: float = 0.1,
    overlap_rate: float = 0.0,
    background: str = 'auto',
    noise: float = 2.0,
    batch_effect: float = 0.0,
    density: float = 0.16,
    sources: Optional[Sequence[str]] = None,
) -> Tuple[np.ndarray, List[Sprite], dict]:
    """One metaphase from one cell's crops.

    Args:
        crops (list[tuple]): ``(path or grey array, class index)`` of
            every chromosome of the cell.
        rng (np.random.Generator): The image's random source.
        width (int): Image width.
        height (int): Image height.
        scale (float): Resize factor of the crops.
        touch_rate (float): Probability that a chromosome touches another.
        overlap_rate (float): Probability that it crosses another.
        background (str): ``'auto'``, ``'white'`` or ``'black'``.
        noise (float): Sensor noise sigma, grey levels.
        batch_effect (float): Strength 0..1 of the per-image variation
            (:func:`sample_compose_batch`); 0 gives every image the same
            scale, contrast, background and noise.
        density (float): Fraction of the spread covered by chromosomes.
        sources (list[str], optional): Crop names for messages and the
            annotations' ``source`` (default: the paths).

    Returns:
        tuple: ``image`` ``(height, width)`` uint8 grey; the placed
        ``Sprite`` list (``extra['touching']`` / ``['overlapping']`` as
        sprite indices); ``info`` (``karyotype``, ``background``,
        ``batch``).
    """
    if background not in ('auto', 'white', 'black'):
        raise ValueError(
            f'background must be auto, white or black, got {background!r}'
        )
    batch = sample_compose_batch(rng, batch_effect, noise)
    sources = sources or [None] * len(crops)
    sprites = [
        crop_sprite(crop, label, background, rng, scale * batch['scale'], src)
        for (crop, label), src in zip(crops, sources)
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
        touch_rate,
        overlap_rate,
        density=density,
        gap=max(2, int(np.median(widths) * 0.3)),
    )
    touching, overlapping = contacts(sprites)
    for sprite, touch, over in zip(sprites, touching, overlapping):
        sprite.extra.update(touching=sorted(touch), overlapping=sorted(over))
    transmit = np.ones((height, width), np.float32)
    composite(transmit, sprites)
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
    counts = np.bincount([s.label for s in sprites], minlength=NUM_CLASSES)
    info = dict(
        karyotype=karyotype_from_counts(counts), background=kind, batch=batch
    )
    return image, sprites, info


def split_cells(
    cell_ids: Sequence[str], ratios: Sequence[float] = (3, 1, 1), seed: int = 0
) -> Dict[str, List[str]]:
    """Assign whole cells to train / val / test.

    The sorted ids are shuffled with ``seed`` and cut in proportion to
    ``ratios`` (largest remainders), so the split depends only on the set
    of cells, the ratios and the seed: a dataset drawing training images
    and a composer writing the test set agree without a shared file.

    Args:
        cell_ids (list[str]): Cell ids.
        ratios (list[float]): Two or three positive weights.
        seed (int): Shuffle seed.

    Returns:
        dict[str, list[str]]: ``train``, ``val`` (and ``test``) cell ids,
        sorted.
    """
    from deepacc.converters.split import SPLIT_NAMES

    ratios = np.asarray(ratios, np.float64)
    if not 2 <= len(ratios) <= len(SPLIT_NAMES) or (ratios <= 0).any():
        raise ValueError(
            'cell split ratios must be two or three positive numbers, '
            f'got {list(ratios)}'
        )
    ids = sorted(cell_ids)
    np.random.default_rng(seed).shuffle(ids)
    exact = ratios / ratios.sum() * len(ids)
    sizes = np.floor(exact).astype(int)
    for k in np.argsort(sizes - exact)[: len(ids) - sizes.sum()]:
        sizes[k] += 1
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    return {
        name: sorted(ids[bounds[k] : bounds[k + 1]])
        for k, name in enumerate(SPLIT_NAMES[: len(ratios)])
    }


def cells_of_split(
    cells: Sequence[str],
    name: str,
    ratios: Sequence[float] = (3, 1, 1),
    seed: int = 0,
    source: str = 'crops',
) -> List[str]:
    """The cell ids of one part of :func:`split_cells` (``'all'``: every
    cell), refusing an unknown or empty part.

    Args:
        cells (list[str]): All cell ids.
        name (str): ``'train'``, ``'val'``, ``'test'`` or ``'all'``.
        ratios (list[float]): Split ratios.
        seed (int): Split seed.
        source (str): The crops' location, for messages.

    Returns:
        list[str]: Sorted cell ids.
    """
    if name == 'all':
        return sorted(cells)
    parts = split_cells(cells, ratios, seed)
    if name not in parts:
        raise ValueError(
            f'{source}: cell split {name!r} does not exist; ratios '
            f'{list(ratios)} make {", ".join(parts)} (or use "all")'
        )
    if not parts[name]:
        raise ValueError(
            f'{source}: the {name!r} part of {len(cells)} cells with '
            f'ratios {list(ratios)} is empty'
        )
    return parts[name]


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
    batch_effect: float = 0.0,
    density: float = 0.16,
    cells: Optional[Sequence[str]] = None,
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
        batch_effect (float): Per-image variation 0..1 (see
            :func:`compose_metaphase`).
        density (float): Fraction of the spread covered by chromosomes.
        cells (list[str], optional): Use only these cell ids (e.g. one
            part of :func:`split_cells`); unknown ids are an error.
        split (list[float], optional): Also write train/val/test json.
        force (bool): Overwrite an existing dataset.
        progress (bool): Show a progress bar on stderr.

    Returns:
        str: Path of ``annotations/all.json``.
    """
    ann_path = osp.join(out_dir, 'annotations', 'all.json')
    if osp.exists(ann_path) and not force:
        raise FileExistsError(
            f'{ann_path} exists; pass --force (force=True) to overwrite'
        )
    all_cells = load_crops(crops)
    cell_ids = select_cells(all_cells, cells, crops)
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
        image, sprites, info = compose_metaphase(
            all_cells[cell],
            image_rng(seed, index),
            width,
            height,
            scale,
            touch_rate,
            overlap_rate,
            background,
            noise,
            batch_effect,
            density,
        )
        file_name = f'composed_{index:05d}.png'
        cv2.imwrite(
            osp.join(img_dir, file_name),
            image,
            [cv2.IMWRITE_PNG_COMPRESSION, 1],
        )
        image_id = builder.add_image(
            file_name,
            width,
            height,
            source_cell=cell,
            seed=[int(seed), index],
            **info,
        )
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


def select_cells(
    cells: Dict[str, List[Crop]], wanted: Optional[Sequence[str]], crops: str
) -> List[str]:
    """The cell ids to use, in order; every wanted id must exist."""
    if wanted is None:
        return list(cells)
    unknown = sorted(set(wanted) - set(cells))
    if unknown:
        raise ValueError(
            f'{crops}: no crops for cell(s) {", ".join(unknown[:5])}'
            + (f' and {len(unknown) - 5} more' if len(unknown) > 5 else '')
        )
    if not wanted:
        raise ValueError(f'{crops}: the list of cells to use is empty')
    return sorted(wanted)
