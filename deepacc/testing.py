"""Helpers for tests and benchmarks: shrunk configs and tiny data.

mmdet's own ``get_detector_cfg`` only finds configs inside an mmdet
checkout, so deepacc ships this one for its config tree.
"""

import contextlib
import copy
import functools
import io
import json
import os
import os.path as osp
from typing import Optional, Sequence

import cv2
import numpy as np
from mmengine.config import Config

from deepacc.chromosomes import CLASSES, RELATIVE_LENGTH, class_index
from deepacc.cli.classify import DEFAULT_CONFIG as DEFAULT_CROP_CONFIG
from deepacc.synthesis import render_chromosome
from deepacc.utils import get_config_path

# The checkout the tests run in (``tools/``, ``benchmarks/``); code that
# ships with the package finds configs with :func:`get_config_path`.
REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG_ROOT = get_config_path()
# Absolute path of a config under ``configs/``.
config_path = get_config_path

_CHANNEL_KEYS = ('in_channels', 'feat_channels', 'out_channels')
_FC_KEYS = ('fc_out_channels', 'cls_fc_out_channels', 'reg_fc_out_channels')


# Config folders of models that are not detectors (no detector tests).
CLASSIFIER_CONFIG_DIRS = ('crop_classification', 'cluster_types')


def all_configs(classifiers: bool = False) -> Sequence[str]:
    """Config files under ``configs/``, relative, ``_base_`` excluded.

    Args:
        classifiers (bool): The classifier configs
            (:data:`CLASSIFIER_CONFIG_DIRS`) instead of the detectors.

    Returns:
        list[str]: Paths relative to ``configs/``.
    """
    found = []
    for root, dirs, files in os.walk(CONFIG_ROOT):
        if root == CONFIG_ROOT:
            keep = set(CLASSIFIER_CONFIG_DIRS) if classifiers else None
            dirs[:] = [
                d
                for d in dirs
                if d != '_base_'
                and (d in keep if keep else d not in CLASSIFIER_CONFIG_DIRS)
            ]
        dirs.sort()
        found += [
            osp.relpath(osp.join(root, f), CONFIG_ROOT)
            for f in sorted(files)
            if f.endswith('.py')
        ]
    return found


@functools.lru_cache(maxsize=None)
def _parse_config(path: str) -> Config:
    return Config.fromfile(path)


def get_config(relative: str) -> Config:
    """Load a config from ``configs/`` (mmengine ``Config``).

    Each file is parsed once per process (parsing the ``mmdet::`` bases
    takes a good part of a second); every call returns its own copy.
    """
    return copy.deepcopy(_parse_config(config_path(relative)))


def shrink_model_cfg(
    model_cfg: dict, channels: int = 32, fc_channels: int = 64
) -> dict:
    """A tiny copy of a detector config: ResNet-18, narrow layers, no init.

    Every ``in_channels`` / ``feat_channels`` / ``out_channels`` in the
    heads and neck becomes ``channels`` and FC widths become
    ``fc_channels``, so any deepacc detector builds and runs in a second on
    a CPU while keeping its structure (heads, losses, RoI head).

    Args:
        model_cfg (dict): The ``model`` section of a config.
        channels (int): Width of the FPN, RPN and RoI features.
        fc_channels (int): Width of the bbox head's FC layers.

    Returns:
        dict: The shrunk model config (the input is not modified).
    """
    model_cfg = copy.deepcopy(model_cfg)
    backbone = model_cfg.get('backbone', {})
    if backbone.get('type') == 'ResNet':
        backbone.update(depth=18, init_cfg=None)
    backbone['init_cfg'] = None
    neck = model_cfg.get('neck')
    if neck is not None:
        # ResNet-18's stage widths (a half-width config keeps its own).
        base = backbone.get('base_channels', 64)
        neck['in_channels'] = [base, 2 * base, 4 * base, 8 * base]
        neck['out_channels'] = channels

    def _shrink(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in _CHANNEL_KEYS and isinstance(value, int):
                    node[key] = channels
                elif key in _FC_KEYS and isinstance(value, int):
                    node[key] = fc_channels
                else:
                    _shrink(value)
        elif isinstance(node, (list, tuple)):
            for item in node:
                _shrink(item)

    for key, section in model_cfg.items():
        if key not in ('backbone', 'neck', 'data_preprocessor'):
            _shrink(section)
    return model_cfg


def make_tiny_coco(
    out_dir: str,
    num_images: int = 4,
    size=(160, 128),
    per_image: int = 6,
    seed: int = 0,
    categories: Optional[Sequence[str]] = None,
) -> str:
    """Write a tiny COCO set of banded bars on white, for smoke tests.

    Each object is a dark vertical bar with a class-specific band pattern;
    its box is exact. This is deliberately simple: the realistic data comes
    from ``deepacc synth``.

    Args:
        out_dir (str): Folder for ``images/`` and ``annotations.json``.
        num_images (int): Number of images.
        size (tuple[int, int]): Image (width, height).
        per_image (int): Objects per image.
        seed (int): Random seed.
        categories (list[str], optional): Category names written into the
            json, in that order; defaults to the 24 canonical names.

    Returns:
        str: Path of the annotation json.
    """
    rng = np.random.default_rng(seed)
    names = list(categories) if categories is not None else list(CLASSES)
    img_dir = osp.join(out_dir, 'images')
    os.makedirs(img_dir, exist_ok=True)
    width, height = size
    images, annotations = [], []
    for img_id in range(1, num_images + 1):
        img = np.full((height, width, 3), 245, np.uint8)
        slot = width // per_image
        for k in range(per_image):
            cat_pos = int(rng.integers(len(names)))
            label = class_index(names[cat_pos])
            w = int(rng.integers(6, 10))
            h = int(rng.integers(height // 3, height - 20))
            x = k * slot + int(rng.integers(2, max(3, slot - w - 2)))
            y = int(rng.integers(5, height - h - 5))
            img[y : y + h, x : x + w] = 90
            # Class-specific bands: label-dependent period and phase.
            period = 4 + (label or 0) % 6
            for yy in range(y + (label or 0) % 3, y + h, period):
                img[yy : yy + 2, x : x + w] = 30
            annotations.append(
                dict(
                    id=len(annotations) + 1,
                    image_id=img_id,
                    category_id=cat_pos + 1,
                    bbox=[x, y, w, h],
                    area=w * h,
                    iscrowd=0,
                )
            )
        file_name = f'tiny_{img_id:04d}.png'
        cv2.imwrite(osp.join(img_dir, file_name), img)
        images.append(
            dict(id=img_id, file_name=file_name, width=width, height=height)
        )
    coco = dict(
        images=images,
        annotations=annotations,
        categories=[dict(id=i + 1, name=n) for i, n in enumerate(names)],
    )
    ann_file = osp.join(out_dir, 'annotations.json')
    with open(ann_file, 'w') as f:
        json.dump(coco, f)
    return ann_file


TINY_CELLS = {
    'case1.cell1': ('1', '1', '7', '21', '21', '21', 'X', 'Y'),
    'case1.cell2': ('2', '13', '18', 'X', 'X'),
}


# A crop classifier small enough for a CPU test: 8 base channels, for
# 64x24 inputs.
TINY_CROP_CLASSIFIER = dict(
    backbone=dict(
        type='ResNet',
        depth=18,
        in_channels=1,
        base_channels=8,
        num_stages=3,
        strides=(1, 2, 2),
        dilations=(1, 1, 1),
        out_indices=(2,),
        norm_eval=False,
        init_cfg=None,
    ),
    head=dict(
        type='DeepAccBBoxHead',
        num_classes=24,
        in_channels=32,
        roi_feat_size=7,
        fc_out_channels=32,
        with_reg=False,
        with_polarity=True,
    ),
)


TINY_CROP_SIZE = (64, 24)  # (height, width) of TINY_CROP_CLASSIFIER's inputs


def write_untrained_crop_classifier(
    folder: str, seed: int = 0, config: str = DEFAULT_CROP_CONFIG
) -> dict:
    """A crop-classification config (default: the default one) shrunk
    to :data:`TINY_CROP_CLASSIFIER` (every member of an ensemble) and
    :data:`TINY_CROP_SIZE`, and its untrained weights.

    Returns:
        dict: ``config`` (``folder/config.py``) and ``checkpoint``
        (``folder/weights.pth``, a ``state_dict`` only).
    """
    import torch
    from mmdet.registry import MODELS

    cfg = get_config(config)
    members = cfg.model.get('members', [cfg.model])
    for member in members:
        head = dict(TINY_CROP_CLASSIFIER['head'])
        # One backbone reads every view; the head gets their features
        # side by side.
        head['in_channels'] *= member.get('num_views', 1)
        member.backbone = TINY_CROP_CLASSIFIER['backbone']
        member.head = head
    for split in ('train', 'val', 'test'):
        cfg[f'{split}_dataloader'].dataset.input_size = TINY_CROP_SIZE
    path = osp.join(folder, 'config.py')
    cfg.dump(path)
    torch.manual_seed(seed)
    model = MODELS.build(cfg.model)
    checkpoint = osp.join(folder, 'weights.pth')
    torch.save(dict(state_dict=model.state_dict()), checkpoint)
    return dict(config=path, checkpoint=checkpoint)


def make_tiny_crops(root: str, cells=None, black: bool = False) -> str:
    """Write labelled single-chromosome crops grouped by cell.

    The layout is the karyogram cut-out one of ``deepacc compose``:
    ``root/cells/<cell>/clase<k>/clase<k>_<copy>_<cell>.tiff`` (k = 23 for
    X, 24 for Y); each crop is an upright synthetic chromosome (p-arm up)
    of its class's relative length on white (``black``: on black).

    Args:
        root (str): Output folder.
        cells (dict, optional): Cell id -> class names; defaults to
            :data:`TINY_CELLS`.
        black (bool): Q-band style (bright on black).

    Returns:
        str: ``root``.
    """
    rng = np.random.default_rng(0)
    for cell, names in (cells or TINY_CELLS).items():
        for copy_no, name in enumerate(names):
            k = CLASSES.index(name) + 1
            folder = osp.join(root, 'cells', cell, f'clase{k}')
            os.makedirs(folder, exist_ok=True)
            sprite = render_chromosome(
                k - 1, 90 * RELATIVE_LENGTH[name] / 8.44, 10.0, rng, angle=0.0
            )
            opacity = np.pad(sprite.opacity, 3)
            img = 255 * opacity if black else 255 * (1 - opacity)
            cv2.imwrite(
                osp.join(folder, f'clase{k}_{copy_no}_{cell}.tiff'),
                np.clip(np.rint(img), 0, 255).astype(np.uint8),
            )
    return str(root)


def write_tiny_config(
    out_file: str,
    base_config: str,
    data_root: str,
    ann_file: str = 'annotations.json',
    img_prefix: str = 'images/',
    max_epochs: int = 1,
    shrink: bool = True,
    options: Optional[dict] = None,
) -> str:
    """Write a config that trains ``base_config`` on a tiny local set.

    The real config (so the Runner, hooks, dataset and evaluator are the
    real ones) with every dataloader pointed at ``data_root``, ``max_epochs``
    epochs without worker processes and, with ``shrink``, the model
    replaced by :func:`shrink_model_cfg`'s copy; then ``options``.

    Args:
        out_file (str): Where to write the config.
        base_config (str): Config path, absolute or relative to configs/.
        data_root (str): Folder holding ``img_prefix`` and ``ann_file``.
        ann_file (str): Annotation json, relative to ``data_root``.
        img_prefix (str): Image folder, relative to ``data_root``.
        max_epochs (int): Training epochs.
        shrink (bool): Use the tiny model.
        options (dict, optional): More settings, merged last
            (``Config.merge_from_dict``: nested or dotted keys).

    Returns:
        str: ``out_file``.
    """
    base = base_config if osp.isabs(base_config) else config_path(base_config)
    cfg = Config.fromfile(base)
    data_root = osp.abspath(data_root).rstrip('/') + '/'
    tiny_data = dict(
        data_root=data_root,
        ann_file=ann_file,
        data_prefix=dict(img=img_prefix),
    )
    held_out = dict(num_workers=0, persistent_workers=False, dataset=tiny_data)
    settings = dict(
        data_root=data_root,
        train_dataloader=dict(
            batch_size=2,
            num_workers=0,
            persistent_workers=False,
            dataset=dict(
                **tiny_data, filter_cfg=dict(filter_empty_gt=False, min_size=0)
            ),
        ),
        val_dataloader=held_out,
        test_dataloader=held_out,
        train_cfg=dict(max_epochs=max_epochs, val_interval=max_epochs),
        default_hooks=dict(
            logger=dict(interval=1), checkpoint=dict(interval=1)
        ),
        log_processor=dict(window_size=1),
    )
    if cfg.val_evaluator.get('type') == 'CocoMetric':
        evaluator = dict(ann_file=data_root + ann_file)
        settings.update(val_evaluator=evaluator, test_evaluator=evaluator)
    cfg.merge_from_dict(settings)
    if shrink:
        cfg.model = shrink_model_cfg(cfg.model.to_dict())
    cfg.merge_from_dict(options or {})
    cfg.dump(out_file)
    return out_file


def to_pycocotools(gts, preds, num_classes: int = 24, image_size=(1600, 1200)):
    """pycocotools ``COCO`` objects for ground truth and detections.

    Used to check our AP against pycocotools and to time it. Boxes are
    xyxy; ``gts`` items are dicts with ``img_id``, ``bboxes``, ``labels``
    and optionally ``bboxes_ignore`` / ``labels_ignore`` (written as crowd
    regions); ``preds`` items have ``img_id``, ``bboxes``, ``scores``,
    ``labels``.

    Returns:
        tuple[COCO, COCO]: Ground truth and detections (the latter an
        empty ``COCO`` when there are no detections).
    """
    from pycocotools.coco import COCO

    width, height = image_size
    images, anns, dets = [], [], []
    for gt in gts:
        images.append(dict(id=gt['img_id'], width=width, height=height))
        boxes = np.vstack(
            [
                np.reshape(gt['bboxes'], (-1, 4)),
                np.reshape(gt.get('bboxes_ignore', np.zeros((0, 4))), (-1, 4)),
            ]
        )
        labels = np.concatenate(
            [gt['labels'], gt.get('labels_ignore', np.zeros(0))]
        )
        for k, (box, label) in enumerate(zip(boxes, labels)):
            w, h = box[2] - box[0], box[3] - box[1]
            anns.append(
                dict(
                    id=len(anns) + 1,
                    image_id=gt['img_id'],
                    category_id=int(label) + 1,
                    bbox=[box[0], box[1], w, h],
                    area=w * h,
                    iscrowd=int(k >= len(gt['labels'])),
                )
            )
    for pred in preds:
        for box, score, label in zip(
            pred['bboxes'], pred['scores'], pred['labels']
        ):
            dets.append(
                dict(
                    image_id=pred['img_id'],
                    category_id=int(label) + 1,
                    bbox=[box[0], box[1], box[2] - box[0], box[3] - box[1]],
                    score=float(score),
                )
            )
    coco_gt = COCO()
    coco_gt.dataset = dict(
        images=images,
        annotations=anns,
        categories=[
            dict(id=c + 1, name=str(c + 1)) for c in range(num_classes)
        ],
    )
    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt.createIndex()
        coco_dt = coco_gt.loadRes(dets) if dets else COCO()
    return coco_gt, coco_dt


def band_ink(s: np.ndarray, length: float) -> np.ndarray:
    """Ink of :func:`bent_chromosome_crop` along its arc ``s`` (of
    ``length``): grey, two dark bands at 20-30% and 60-66%."""
    ink = np.full(np.shape(s), 0.45)
    ink[(s > 0.2 * length) & (s < 0.3 * length)] = 0.95
    ink[(s > 0.6 * length) & (s < 0.66 * length)] = 0.95
    return ink


def draw_chromosome_along(points: np.ndarray, width: float, shape):
    """A banded chromosome ``width`` wide along dense (x, y) ``points``
    on white, inked by :func:`band_ink` of the arc length.

    Returns:
        tuple: (H, W) uint8 crop and the arc's length in pixels.
    """
    arc = np.concatenate(
        [[0.0], np.cumsum(np.hypot(*np.diff(points, axis=0).T))]
    )
    ys, xs = np.mgrid[: shape[0], : shape[1]]
    grid = np.stack([xs.ravel(), ys.ravel()], 1).astype(float)
    dist = np.hypot(
        grid[:, None, 0] - points[None, :, 0],
        grid[:, None, 1] - points[None, :, 1],
    )
    nearest = dist.argmin(1)
    inside = dist[np.arange(len(grid)), nearest] <= width / 2
    ink = np.where(inside, band_ink(arc[nearest], arc[-1]), 0.0)
    gray = (255 * (1 - ink)).reshape(shape).round().astype(np.uint8)
    return gray, float(arc[-1])


def bent_chromosome_crop(width: float = 10.0):
    """An L-shaped banded chromosome on a 100 x 100 crop: down from
    (25, 8) to (25, 55), a quarter turn of radius 15, then right to
    (85, 70), so its top end is the start of its arc.

    Returns:
        tuple: uint8 crop and the arc's length (about 133 px).
    """
    down = np.stack([np.full(190, 25.0), np.linspace(8, 55, 190)], 1)
    turn = np.linspace(np.pi, np.pi / 2, 100)
    bend = np.stack([40 + 15 * np.cos(turn), 55 + 15 * np.sin(turn)], 1)
    right = np.stack([np.linspace(40, 85, 180), np.full(180, 70.0)], 1)
    return draw_chromosome_along(
        np.vstack([down, bend, right]), width, (100, 100)
    )


def metaphase_like(width: int, seed: int = 0, size=(480, 640)) -> np.ndarray:
    """Dark banded rods of one width on a light field, 30 of them, of
    lengths 3-10 widths, apart from each other."""
    rng = np.random.default_rng(seed)
    image = np.full(size, 235, np.uint8)
    taken = np.zeros(size, bool)
    placed = 0
    while placed < 30:
        length = rng.uniform(3, 10) * width
        angle = rng.uniform(0, np.pi)
        cx, cy = rng.uniform(40, size[1] - 40), rng.uniform(40, size[0] - 40)
        dx, dy = np.cos(angle) * length / 2, np.sin(angle) * length / 2
        p0 = (int(cx - dx), int(cy - dy))
        p1 = (int(cx + dx), int(cy + dy))
        rod = np.zeros(size, np.uint8)
        cv2.line(rod, p0, p1, 1, thickness=width)
        rod = rod.astype(bool)
        grown = cv2.dilate(rod.astype(np.uint8), np.ones((9, 9), np.uint8))
        if (grown.astype(bool) & taken).any():
            continue
        taken |= rod
        image[rod] = rng.integers(40, 110)
        placed += 1
    return cv2.GaussianBlur(image, (0, 0), 0.8)


@functools.lru_cache(maxsize=1)
def _fine_rods() -> np.ndarray:
    """:func:`metaphase_like` drawn 80 px wide at 8 times the size: area-
    averaged down by ``w / 80`` it holds rods ``w`` px wide (81 with
    OpenCV's line caps) for any real ``w``, their edges anti-aliased as
    a camera's pixels would be."""
    return metaphase_like(width=80, seed=0, size=(1920, 2560))


def rods_of_width(width: float) -> np.ndarray:
    """:func:`metaphase_like` rods ``width`` px wide (any real width;
    81/80 of it with OpenCV's line caps), anti-aliased: drawn 80 px wide
    at 8 times the size and area-averaged down, so their edges are
    partly covered pixels, as a camera's are."""
    factor = width / 80
    return cv2.resize(
        _fine_rods(), None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA
    )
