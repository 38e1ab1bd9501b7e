"""Train/val/test splits by image, spreading abnormal karyotypes."""

import json
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np

from deepacc.chromosomes import CLASSES
from deepacc.datasets.cell_split import SPLIT_NAMES

from .coco import class_counts, load_coco, write_coco


def karyotype_signature(counts: Sequence[int]) -> str:
    """``'normal'`` for 46,XX / 46,XY counts, else the deviations.

    Args:
        counts (list[int]): ``(24, )`` chromosomes per class.

    Returns:
        str: e.g. ``'normal'``, ``'21x3'``, ``'sex:X'``, ``'7x1,sex:XXY'``.
    """
    counts = [int(c) for c in counts]
    parts = [f'{CLASSES[i]}x{counts[i]}' for i in range(22) if counts[i] != 2]
    sex = 'X' * counts[22] + 'Y' * counts[23]
    if sex not in ('XX', 'XY'):
        parts.append('sex:' + (sex or '-'))
    return ','.join(parts) or 'normal'


def split_images(
    coco: dict, ratios: Sequence[float], seed: int = 0
) -> List[List[int]]:
    """Assign images to splits in proportion to ``ratios``.

    Images are grouped by :func:`karyotype_signature` of their boxes (or
    their ``karyotype`` field, when the generator wrote one); groups and
    images within them are shuffled with ``seed``; then, walking through
    the groups in turn, each image goes to the split furthest below its
    share so far. Totals match the ratios to within one image and every
    kind of abnormal cell with several images lands in several splits.

    Args:
        coco (dict): A canonical COCO dict.
        ratios (list[float]): One positive weight per split.
        seed (int): Shuffle seed.

    Returns:
        list[list[int]]: Image ids per split.
    """
    ratios = np.asarray(ratios, np.float64)
    if ratios.ndim != 1 or len(ratios) < 2 or (ratios <= 0).any():
        raise ValueError(
            f'ratios must be two or more positive numbers, got {list(ratios)}'
        )
    share = ratios / ratios.sum()
    ids = [img['id'] for img in coco['images']]
    counts = class_counts(coco, ids)
    groups: Dict[str, List[int]] = {}
    for img, row in zip(coco['images'], counts):
        key = img.get('karyotype') or karyotype_signature(row)
        groups.setdefault(str(key), []).append(img['id'])
    rng = np.random.default_rng(seed)
    keys = sorted(groups)
    rng.shuffle(keys)
    # Normal cells last, so that the rarer groups are dealt out first.
    keys.sort(key=lambda k: len(groups[k]))
    out: List[List[int]] = [[] for _ in ratios]
    assigned = np.zeros(len(ratios))
    for key in keys:
        members = list(groups[key])
        rng.shuffle(members)
        for image_id in members:
            deficit = share * (assigned.sum() + 1) - assigned
            k = int(np.argmax(deficit))
            out[k].append(image_id)
            assigned[k] += 1
    return [sorted(part) for part in out]


def subset(coco: dict, image_ids: Sequence[int]) -> dict:
    """The images and annotations of ``image_ids`` (ids kept)."""
    keep = set(image_ids)
    return dict(
        info=coco.get('info', {}),
        images=[i for i in coco['images'] if i['id'] in keep],
        annotations=[a for a in coco['annotations'] if a['image_id'] in keep],
        categories=coco['categories'],
    )


def split_coco(
    ann_file: str,
    ratios: Sequence[float] = (3, 1, 1),
    seed: int = 0,
    out_dir: Optional[str] = None,
    force: bool = False,
    coco: Optional[dict] = None,
) -> Dict[str, str]:
    """Write ``train.json``, ``val.json`` (and ``test.json``).

    Args:
        ann_file (str): The COCO json to split.
        ratios (list[float]): Two or three weights (train, val[, test]).
        seed (int): Shuffle seed.
        out_dir (str, optional): Output folder; next to ``ann_file`` if
            None.
        force (bool): Overwrite existing split files.
        coco (dict, optional): The already loaded ``ann_file``.

    Returns:
        dict[str, str]: Split name -> written path.
    """
    if len(ratios) > len(SPLIT_NAMES):
        raise ValueError(
            f'at most {len(SPLIT_NAMES)} ratios (train val '
            f'test), got {list(ratios)}'
        )
    coco = load_coco(ann_file) if coco is None else coco
    out_dir = out_dir or osp.dirname(osp.abspath(ann_file))
    names = SPLIT_NAMES[: len(ratios)]
    paths = {name: osp.join(out_dir, f'{name}.json') for name in names}
    existing = [p for p in paths.values() if osp.exists(p)]
    if existing and not force:
        raise FileExistsError(
            f'{", ".join(existing)} exist; pass --force '
            '(force=True) to overwrite'
        )
    parts = split_images(coco, ratios, seed)
    for name, ids in zip(names, parts):
        write_coco(subset(coco, ids), paths[name], force=True)
    return paths


def describe_split(paths: Dict[str, str]) -> str:
    """Table of images, boxes and abnormal cells per split file."""
    lines = [f'{"split":<6} {"images":>7} {"boxes":>7} {"abnormal":>9}']
    for name, path in paths.items():
        with open(path) as f:
            coco = json.load(f)
        counts = class_counts(coco)
        abnormal = sum(karyotype_signature(c) != 'normal' for c in counts)
        lines.append(
            f'{name:<6} {len(coco["images"]):>7} '
            f'{len(coco["annotations"]):>7} {abnormal:>9}'
        )
    return '\n'.join(lines)
