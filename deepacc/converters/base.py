"""Helpers shared by the converters: finding images, their sizes, boxes."""

import os
import os.path as osp
from typing import Callable, List, Optional, Sequence, Tuple

import cv2

from .coco import CocoBuilder
from .report import ConversionReport

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.tif', '.tiff', '.bmp')


def list_files(src: str, ext: Sequence[str]) -> List[str]:
    """Files under ``src`` (a folder, searched recursively, or one file)
    whose names end with ``ext``, sorted."""
    if osp.isfile(src):
        return [src]
    if not osp.isdir(src):
        raise FileNotFoundError(f'{src}: no such file or folder')
    found = []
    for root, dirs, files in os.walk(src):
        dirs.sort()
        found += [
            osp.join(root, f) for f in files if f.lower().endswith(tuple(ext))
        ]
    return sorted(found)


def find_image(images: str, names: Sequence[str]) -> Optional[str]:
    """The first existing image among candidate names (relative to
    ``images``, or the same stem with a common image extension)."""
    for name in names:
        if not name:
            continue
        for cand in (name, osp.basename(name)):
            path = osp.join(images, cand)
            if osp.isfile(path):
                return path
            stem = osp.splitext(path)[0]
            for ext in IMAGE_EXTENSIONS + tuple(
                e.upper() for e in IMAGE_EXTENSIONS
            ):
                if osp.isfile(stem + ext):
                    return stem + ext
    return None


def image_size(path: str) -> Tuple[int, int]:
    """``(width, height)`` of an image file.

    Raises:
        ValueError: The file is not a readable image.
    """
    try:
        from PIL import Image

        with Image.open(path) as img:
            return img.size
    except ImportError:
        pass
    except Exception as exc:  # PIL raises several types on bad files
        raise ValueError(f'unreadable image ({exc})') from None
    img = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if img is None:
        raise ValueError('unreadable image')
    return img.shape[1], img.shape[0]


def box_problem(
    x0: float,
    y0: float,
    x1: float,
    y1: float,
    width: int,
    height: int,
    tol: float = 0.5,
) -> Optional[str]:
    """Why corner box ``(x0, y0, x1, y1)`` is invalid in a ``width`` x
    ``height`` image, or None. ``tol`` pixels of slack at the border."""
    if not x1 > x0 or not y1 > y0:
        return f'empty box ({x0:g}, {y0:g}, {x1:g}, {y1:g})'
    if x0 < -tol or y0 < -tol or x1 > width + tol or y1 > height + tol:
        return (
            f'box ({x0:g}, {y0:g}, {x1:g}, {y1:g}) is outside the '
            f'{width}x{height} image'
        )
    return None


_TRUE = ('true', '1', 'yes', 'up')
_FALSE = ('false', '0', 'no', 'down')


def polarity_field(value) -> dict:
    """The COCO ``p_arm_up`` field of a source's polarity value.

    Args:
        value: None (the source says nothing: the field stays absent, so
            training treats the polarity as unknown), a bool, 0 / 1, or a
            string ``true``/``false``, ``1``/``0``, ``yes``/``no``,
            ``up``/``down`` (any case).

    Returns:
        dict: ``{}`` or ``{'p_arm_up': bool}``.

    Raises:
        ValueError: Any other value, named in the message.
    """
    if value is None:
        return {}
    if isinstance(value, bool) or value in (0, 1):
        return dict(p_arm_up=bool(value))
    text = str(value).strip().lower()
    if text in _TRUE or text in _FALSE:
        return dict(p_arm_up=text in _TRUE)
    raise ValueError(f'p_arm_up {value!r} is not true/false (or up/down, 1/0)')


def clip_box(x0, y0, x1, y1, width, height) -> List[float]:
    """``[x, y, w, h]`` of a corner box clipped to the image (the slack
    :func:`box_problem` allows)."""
    x0, y0 = max(0.0, float(x0)), max(0.0, float(y0))
    x1, y1 = min(float(width), float(x1)), min(float(height), float(y1))
    return [x0, y0, x1 - x0, y1 - y0]


def rel_name(path: str, images: str) -> str:
    """Image path relative to the images folder (COCO ``file_name``)."""
    return osp.relpath(path, images).replace(os.sep, '/')


def convert_files(
    fmt: str,
    src: str,
    files: Sequence[str],
    convert_file: Callable[[str, CocoBuilder, ConversionReport], None],
    skip_invalid: bool = False,
) -> Tuple[dict, ConversionReport]:
    """The loop every converter shares.

    Calls ``convert_file(path, builder, report)`` for each annotation file,
    then lets the report fail the run (or list the skipped records).

    Args:
        fmt (str): Format name for messages and the COCO ``info``.
        src (str): What the user passed (folder or file).
        files (list[str]): The annotation files found in ``src``.
        convert_file (callable): Converts one file into ``builder``,
            reporting problems to ``report``.
        skip_invalid (bool): Skip invalid records instead of failing.

    Returns:
        tuple[dict, ConversionReport]: COCO dict and report.
    """
    report = ConversionReport(fmt, skip_invalid)
    builder = CocoBuilder()
    if not files:
        report.problem(src, None, f'no {fmt} annotation files found')
    for path in files:
        convert_file(path, builder, report)
    report.finish()
    info = dict(source=osp.abspath(src), format=fmt)
    return builder.to_dict(info=info), report


def add_image_and_boxes(
    builder: CocoBuilder,
    report: ConversionReport,
    image: str,
    images: str,
    width: int,
    height: int,
    boxes: Sequence[tuple],
) -> None:
    """Add one converted image and its valid boxes.

    Args:
        image (str): Image path; stored relative to ``images``.
        boxes (list[tuple]): ``(label, [x, y, w, h])`` or
            ``(label, [x, y, w, h], extra_fields)``.
    """
    image_id = builder.add_image(rel_name(image, images), width, height)
    report.images += 1
    for label, bbox, *extra in boxes:
        builder.add_annotation(
            image_id, label, bbox, **(extra[0] if extra else {})
        )
        report.add_box(label)
