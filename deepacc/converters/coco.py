"""Building, checking and writing chromosome COCO files."""

import json
import os
import os.path as osp
from typing import List, Optional, Sequence

import numpy as np

from deepacc.chromosomes import NUM_CLASSES
from deepacc.datasets.chromosome_dataset import (
    canonical_categories,
    normalise_categories,
)


class CocoBuilder:
    """Accumulates images and boxes into a canonical chromosome COCO dict.

    Image and annotation ids start at 1; ``category_id`` is the class index
    + 1 (see :data:`deepacc.chromosomes.CLASSES`); boxes are
    ``[x, y, w, h]``.
    """

    def __init__(self) -> None:
        self.images: List[dict] = []
        self.annotations: List[dict] = []

    def add_image(
        self, file_name: str, width: int, height: int, **extra
    ) -> int:
        """Add an image record; returns its id."""
        image_id = len(self.images) + 1
        self.images.append(
            dict(
                id=image_id,
                file_name=file_name,
                width=int(width),
                height=int(height),
                **extra,
            )
        )
        return image_id

    def add_annotation(
        self,
        image_id: int,
        label: int,
        bbox: Sequence[float],
        area: Optional[float] = None,
        **extra,
    ) -> int:
        """Add a box; returns its annotation id.

        Args:
            image_id (int): Id returned by :meth:`add_image`.
            label (int): Class index 0..23.
            bbox (list[float]): ``[x, y, w, h]`` in pixels.
            area (float, optional): Object area; box area if None.
            **extra: Extra fields stored as they are.
        """
        ann_id = len(self.annotations) + 1
        x, y, w, h = (round(float(v), 3) for v in bbox)
        self.annotations.append(
            dict(
                id=ann_id,
                image_id=int(image_id),
                category_id=int(label) + 1,
                bbox=[x, y, w, h],
                area=float(w * h if area is None else area),
                iscrowd=0,
                **extra,
            )
        )
        return ann_id

    def to_dict(self, info: Optional[dict] = None) -> dict:
        """The COCO dict (``info``, ``images``, ``annotations``,
        ``categories``)."""
        return dict(
            info=dict(info or {}),
            images=self.images,
            annotations=self.annotations,
            categories=canonical_categories(),
        )


def class_counts(coco: dict, image_ids=None) -> np.ndarray:
    """Boxes per class: ``(num_images, 24)`` int array, rows by image.

    Args:
        coco (dict): A canonical COCO dict.
        image_ids (list[int], optional): Row order; all images if None.

    Returns:
        np.ndarray: Per-image counts in canonical class order.
    """
    if image_ids is None:
        image_ids = [img['id'] for img in coco['images']]
    row = {image_id: k for k, image_id in enumerate(image_ids)}
    counts = np.zeros((len(image_ids), NUM_CLASSES), np.int64)
    for ann in coco['annotations']:
        if ann['image_id'] in row:
            counts[row[ann['image_id']], ann['category_id'] - 1] += 1
    return counts


def validate_coco(coco: dict, source: str = '<coco>') -> None:
    """Check a canonical chromosome COCO dict.

    Raises:
        ValueError: Naming the first problem: categories not canonical,
            duplicate ids, an annotation of an unknown image, a box that is
            empty or leaves its image.
    """
    if coco.get('categories') != canonical_categories():
        raise ValueError(
            f'{source}: categories are not the 24 canonical '
            'chromosome classes with ids 1..24'
        )
    sizes = {}
    for img in coco['images']:
        if img['id'] in sizes:
            raise ValueError(f'{source}: duplicate image id {img["id"]}')
        sizes[img['id']] = (img['width'], img['height'])
    seen = set()
    for ann in coco['annotations']:
        where = f'{source}: annotation id={ann["id"]}'
        if ann['id'] in seen:
            raise ValueError(f'{where} is duplicated')
        seen.add(ann['id'])
        if ann['image_id'] not in sizes:
            raise ValueError(
                f'{where} refers to unknown image {ann["image_id"]}'
            )
        if not 1 <= ann['category_id'] <= NUM_CLASSES:
            raise ValueError(
                f'{where} has category_id {ann["category_id"]} outside 1..24'
            )
        x, y, w, h = ann['bbox']
        width, height = sizes[ann['image_id']]
        if w <= 0 or h <= 0:
            raise ValueError(f'{where} has an empty box {ann["bbox"]}')
        tol = 1e-3
        if x < -tol or y < -tol or x + w > width + tol or y + h > height + tol:
            raise ValueError(
                f'{where} box {ann["bbox"]} leaves its {width}x{height} image'
            )


def write_coco(coco: dict, path: str, force: bool = False) -> str:
    """Validate and write a COCO dict, never overwriting without ``force``.

    Args:
        coco (dict): The COCO dict.
        path (str): Output json path (folders are created).
        force (bool): Overwrite an existing file.

    Returns:
        str: ``path``.

    Raises:
        FileExistsError: ``path`` exists and ``force`` is False.
    """
    if osp.exists(path) and not force:
        raise FileExistsError(
            f'{path} exists; pass --force (force=True) to overwrite it'
        )
    validate_coco(coco, path)
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(coco, f)
    os.replace(tmp, path)
    return path


def load_coco(path: str) -> dict:
    """Read a COCO json and normalise its categories to canonical (by name,
    see :func:`deepacc.datasets.normalise_categories`)."""
    with open(path) as f:
        return normalise_categories(json.load(f), path)
