"""YOLO txt (class ids 0..23, normalised cx cy w h) to chromosome COCO."""

import os.path as osp
from typing import Optional, Sequence, Tuple

import yaml

from deepacc.chromosomes import CLASSES, class_index

from .base import (
    add_image_and_boxes,
    box_problem,
    clip_box,
    convert_files,
    find_image,
    image_size,
    list_files,
)
from .report import ConversionError, ConversionReport


def read_names(path: str) -> Sequence[str]:
    """Class names by id from a ``classes.txt`` (one per line) or a YOLO
    ``data.yaml`` (``names:`` list or dict)."""
    if path.endswith(('.yaml', '.yml')):
        with open(path) as f:
            names = (yaml.safe_load(f) or {}).get('names')
        if isinstance(names, dict):
            names = [names[k] for k in sorted(names)]
        if not isinstance(names, list):
            raise ConversionError(f'{path}: no "names" list')
        return [str(n) for n in names]
    with open(path) as f:
        return [line.strip() for line in f if line.strip()]


def convert_yolo(
    src: str,
    images: str,
    skip_invalid: bool = False,
    names: Optional[str] = None,
) -> Tuple[dict, ConversionReport]:
    """Convert YOLO label files (one ``.txt`` per image) to a COCO dict.

    Each line is ``class cx cy w h`` with coordinates normalised by the
    image size, which is read from the image (same stem, inside
    ``images``, mirroring the label's sub-folder). Class ids are the
    canonical order 0..23 (0 = chromosome 1, 22 = X, 23 = Y) unless a
    names file (``names``, or ``classes.txt`` in ``src``) says otherwise.
    YOLO lines carry no polarity: annotations get no ``p_arm_up``
    (unknown).

    Args:
        src (str): Folder of ``.txt`` files (searched recursively) or one.
        images (str): Image folder.
        skip_invalid (bool): Leave invalid records out (listed in the
            report) instead of failing.
        names (str, optional): ``classes.txt`` or ``data.yaml``.

    Returns:
        tuple[dict, ConversionReport]: COCO dict and report.

    Raises:
        ConversionError: Invalid records, unless ``skip_invalid``.
    """
    root = src if osp.isdir(src) else osp.dirname(src)
    if names is None and osp.isfile(osp.join(root, 'classes.txt')):
        names = osp.join(root, 'classes.txt')
    id_to_label = list(range(len(CLASSES)))
    if names is not None:
        id_to_label = [class_index(n) for n in read_names(names)]
        bad = [
            f'{i}: {n!r}'
            for i, n in enumerate(read_names(names))
            if class_index(n) is None
        ]
        if bad:
            raise ConversionError(
                f'{names}: not chromosome classes: {", ".join(bad)}'
            )
    files = [
        f
        for f in list_files(src, ('.txt',))
        if osp.basename(f) != 'classes.txt'
    ]
    return convert_files(
        'yolo',
        src,
        files,
        lambda path, builder, report: _convert_file(
            path, root, images, id_to_label, builder, report
        ),
        skip_invalid,
    )


def _convert_file(path, root, images, id_to_label, builder, report):
    rel = osp.splitext(osp.relpath(path, root))[0]
    image = find_image(images, [rel, osp.basename(rel)])
    if image is None:
        report.problem(path, None, f'no image named {rel}.* in {images}')
        return
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        report.problem(path, None, f'unreadable file ({exc})')
        return
    if not any(line.strip() for line in lines):
        report.problem(path, None, 'empty file')
        return
    try:
        width, height = image_size(image)
    except ValueError as exc:
        report.problem(path, None, f'{image}: {exc}')
        return
    boxes = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        record = f'line {number}'
        fields = line.split()
        if len(fields) != 5:
            report.problem(
                path,
                record,
                f'expected 5 fields "class cx cy w h", got {len(fields)}',
            )
            continue
        try:
            cls = int(fields[0])
            cx, cy, w, h = (float(v) for v in fields[1:])
        except ValueError:
            report.problem(path, record, f'non-numeric fields {line!r}')
            continue
        if not 0 <= cls < len(id_to_label):
            report.problem(
                path,
                record,
                f'unknown class id {cls} (expected 0..{len(id_to_label) - 1})',
            )
            continue
        label = id_to_label[cls]
        x0, x1 = (cx - w / 2) * width, (cx + w / 2) * width
        y0, y1 = (cy - h / 2) * height, (cy + h / 2) * height
        why = box_problem(x0, y0, x1, y1, width, height)
        if why:
            report.problem(path, record, why)
            continue
        boxes.append((label, clip_box(x0, y0, x1, y1, width, height)))
    add_image_and_boxes(builder, report, image, images, width, height, boxes)
