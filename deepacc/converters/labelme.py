"""LabelMe json (rectangles and polygons) to chromosome COCO."""

import json
import os.path as osp
from typing import Tuple

import numpy as np

from deepacc.chromosomes import class_index

from .base import (
    add_image_and_boxes,
    box_problem,
    clip_box,
    convert_files,
    find_image,
    image_size,
    list_files,
    polarity_field,
)
from .report import ConversionReport


def convert_labelme(
    src: str, images: str, skip_invalid: bool = False
) -> Tuple[dict, ConversionReport]:
    """Convert LabelMe json files (one per image) to a COCO dict.

    ``rectangle`` shapes give their box; ``polygon`` shapes give the
    polygon's extent as box and the polygon as ``segmentation``. A shape
    flag ``p_arm_up`` (LabelMe's per-shape ``flags``) becomes the
    annotation's ``p_arm_up`` (absent: unknown polarity). The image
    is ``imagePath`` (or the json's stem) inside ``images``; its size is
    ``imageWidth`` / ``imageHeight`` or read from the image.

    Args:
        src (str): Folder of ``.json`` files (searched recursively) or one.
        images (str): Image folder.
        skip_invalid (bool): Leave invalid records out (listed in the
            report) instead of failing.

    Returns:
        tuple[dict, ConversionReport]: COCO dict and report.

    Raises:
        ConversionError: Invalid records, unless ``skip_invalid``.
    """
    return convert_files(
        'labelme',
        src,
        list_files(src, ('.json',)),
        lambda path, b, r: _convert_file(path, images, b, r),
        skip_invalid,
    )


def _convert_file(path, images, builder, report):
    try:
        with open(path) as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as exc:
        report.problem(path, None, f'unreadable file ({exc})')
        return
    if not text.strip():
        report.problem(path, None, 'empty file')
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        report.problem(path, None, f'unreadable json ({exc})')
        return
    if not isinstance(data, dict) or not isinstance(data.get('shapes'), list):
        report.problem(path, None, 'not a LabelMe file (no "shapes" list)')
        return
    if not data['shapes']:
        report.problem(path, None, 'no shapes (empty annotation)')
        return
    stem = osp.splitext(osp.basename(path))[0]
    image = find_image(images, [data.get('imagePath'), stem])
    if image is None:
        report.problem(
            path,
            None,
            f'image {data.get("imagePath") or stem} not found in {images}',
        )
        return
    width, height = data.get('imageWidth'), data.get('imageHeight')
    if not (
        isinstance(width, int)
        and isinstance(height, int)
        and width > 0
        and height > 0
    ):
        try:
            width, height = image_size(image)
        except ValueError as exc:
            report.problem(path, None, f'{image}: {exc}')
            return
    boxes = []
    for k, shape in enumerate(data['shapes'], start=1):
        name = shape.get('label') if isinstance(shape, dict) else None
        record = f'shape {k} ({name!r})'
        label = class_index(name) if name else None
        if label is None:
            report.problem(
                path, record, 'unknown class name' if name else 'missing label'
            )
            continue
        kind = shape.get('shape_type') or 'polygon'
        try:
            points = np.asarray(shape.get('points'), np.float64)
        except (TypeError, ValueError):
            points = np.zeros((0,))
        if points.ndim != 2 or points.shape[1] != 2:
            report.problem(path, record, 'missing or malformed points')
            continue
        if kind not in ('rectangle', 'polygon'):
            report.problem(
                path,
                record,
                f'unsupported shape_type {kind!r} (rectangle or polygon)',
            )
            continue
        need = 2 if kind == 'rectangle' else 3
        if len(points) < need:
            report.problem(
                path,
                record,
                f'a {kind} needs {need} points, got {len(points)}',
            )
            continue
        (x0, y0), (x1, y1) = points.min(0), points.max(0)
        why = box_problem(x0, y0, x1, y1, width, height)
        if why:
            report.problem(path, record, why)
            continue
        flags = shape.get('flags') or {}
        try:
            extra = polarity_field(
                flags.get('p_arm_up') if isinstance(flags, dict) else None
            )
        except ValueError as exc:
            report.problem(path, record, str(exc))
            continue
        if kind == 'polygon':
            extra['segmentation'] = [
                [round(float(v), 2) for v in points.reshape(-1)]
            ]
        boxes.append((label, clip_box(x0, y0, x1, y1, width, height), extra))
    add_image_and_boxes(builder, report, image, images, width, height, boxes)
