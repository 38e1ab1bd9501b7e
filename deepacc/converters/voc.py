"""Pascal VOC XML (as in the Cell Image Library '24_chromosomes_object' set)
to chromosome COCO."""

import os.path as osp
import xml.etree.ElementTree as ET
from typing import Tuple

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


def convert_voc(
    src: str, images: str, skip_invalid: bool = False
) -> Tuple[dict, ConversionReport]:
    """Convert VOC XML files (one per image) to a COCO dict.

    Object names may be Denver-prefixed (``A1`` .. ``G22``, ``X``, ``Y``)
    or plain numbers; ``<bndbox>`` corners are pixels and are used as they
    are (mmdet's VOC reading: ``x = xmin``, ``w = xmax - xmin``). An
    object's optional ``<p_arm_up>`` (true/false, up/down, 1/0) becomes the
    annotation's ``p_arm_up`` (absent: unknown polarity). The image
    is ``<filename>`` (or the XML's stem) inside ``images`` (the set's
    ``JEPG`` folder); its size is ``<size>`` or read from the image.

    Args:
        src (str): Folder of ``.xml`` files (searched recursively) or one.
        images (str): Image folder.
        skip_invalid (bool): Leave invalid records out (listed in the
            report) instead of failing.

    Returns:
        tuple[dict, ConversionReport]: COCO dict and report.

    Raises:
        ConversionError: Invalid records, unless ``skip_invalid``.
    """
    return convert_files(
        'voc',
        src,
        list_files(src, ('.xml',)),
        lambda path, b, r: _convert_file(path, images, b, r),
        skip_invalid,
    )


def _text(node, tag):
    child = node.find(tag)
    return None if child is None or child.text is None else child.text.strip()


def _convert_file(path, images, builder, report):
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except OSError as exc:
        report.problem(path, None, f'unreadable file ({exc})')
        return
    if not data.strip():
        report.problem(path, None, 'empty file')
        return
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        report.problem(path, None, f'unreadable XML ({exc})')
        return
    if root.tag != 'annotation':
        report.problem(
            path, None, f'root element is <{root.tag}>, not <annotation>'
        )
        return
    stem = osp.splitext(osp.basename(path))[0]
    image = find_image(images, [_text(root, 'filename'), stem])
    if image is None:
        report.problem(
            path,
            None,
            f'image {_text(root, "filename") or stem} not found in {images}',
        )
        return
    size = root.find('size')
    try:
        width = int(float(_text(size, 'width'))) if size is not None else 0
        height = int(float(_text(size, 'height'))) if size is not None else 0
    except (TypeError, ValueError):
        width = height = 0
    if width <= 0 or height <= 0:
        try:
            width, height = image_size(image)
        except ValueError as exc:
            report.problem(path, None, f'{image}: {exc}')
            return
    objects = root.findall('object')
    if not objects:
        report.problem(path, None, 'no <object> records (empty annotation)')
        return
    boxes = []
    for k, obj in enumerate(objects, start=1):
        name = _text(obj, 'name')
        record = f'object {k} ({name!r})'
        label = class_index(name) if name else None
        if label is None:
            report.problem(
                path,
                record,
                'unknown class name' if name else 'missing <name>',
            )
            continue
        box = obj.find('bndbox')
        try:
            x0, y0, x1, y1 = (
                float(_text(box, t)) for t in ('xmin', 'ymin', 'xmax', 'ymax')
            )
        except (TypeError, ValueError, AttributeError):
            report.problem(path, record, 'missing or non-numeric <bndbox>')
            continue
        why = box_problem(x0, y0, x1, y1, width, height)
        if why:
            report.problem(path, record, why)
            continue
        try:
            extra = polarity_field(_text(obj, 'p_arm_up'))
        except ValueError as exc:
            report.problem(path, record, str(exc))
            continue
        boxes.append((label, clip_box(x0, y0, x1, y1, width, height), extra))
    add_image_and_boxes(builder, report, image, images, width, height, boxes)
