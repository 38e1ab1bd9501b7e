"""Finished karyograms cut into the labelled single-chromosome crops a
crop classifier trains on (``deepacc classify train --crops``).

Every lab keeps the karyograms its cytogeneticists made: each one is a
cell's chromosomes named, upright, in the lab's own magnification,
condensation, stain and optics, which is what a classifier trained on
other crops lacks (``benchmarks/README.md``, "A lab's own karyograms").

The layout read is the common one of karyotyping software: a light page
with 24 underlined slots read row by row, left to right, in the order
1-22, X, Y (1-5 / 6-12 / 13-18 / 19-22, X, Y, or any other rows; a page
that puts X after 12 says so with ``order``), each slot's chromosomes
standing on its line, p-arm up, its name written under the line. The
lines are the long thin dark runs of the page; a slot's chromosomes are
the dark objects above its line, down to the previous row's names. Two
homologues that touch form one object: where a slot holds one object
pinched in the middle (a column of its middle half under half its
median column height), it is split there, and the report says so. A
slot's objects are what they are otherwise: three in a trisomy, one in
a monosomy, each noted when the count is not the usual two (X: one or
two, Y: none or one).
"""

import csv
import os
import os.path as osp
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np

from deepacc.chromosomes import CLASSES
from deepacc.utils.image_io import ImageReadError, read_image

from .base import list_files
from .report import ConversionError, ConversionReport

# Pixels darker than this grey level, in a horizontal run at least
# ``min_line`` long and at most ``max_line_height`` tall, are an underline.
INK_LEVEL = 128
# The sizes of a page whose slot lines are REFERENCE_LINE pixels long
# (the real karyograms measured: 1016 px wide, lines 118-119 px); a page
# drawn larger or smaller gets them scaled by its median line length.
REFERENCE_LINE = 119.0
# Pixels below a row's lines that hold its names: the next row's
# chromosomes start under them.
NAME_HEIGHT = 45
# Objects under this many pixels are names, dust or marks.
MIN_AREA = 300
# Darker than this (the page is white) is chromosome.
OBJECT_LEVEL = 200
# White margin around each cut-out, pixels.
MARGIN = 4
IMAGE_EXTENSIONS = ('.tif', '.tiff', '.png', '.jpg', '.jpeg', '.bmp')


def find_slots(
    grey: np.ndarray,
    min_line: int = 60,
    max_line_height: int = 8,
    row_gap: int = 10,
) -> List[Tuple[int, int, int, int]]:
    """The underlines of a karyogram, in slot order.

    Args:
        grey (np.ndarray): (H, W) uint8 page.
        min_line (int): Shortest underline, pixels.
        max_line_height (int): Thickest underline, pixels (the real
            pages' lines are 1 px; a page scanned at several times their
            resolution has thicker ones).
        row_gap (int): Lines whose tops differ by more start a new row.

    Returns:
        list[tuple]: ``(x, y, width, height)`` per line, row by row
        (top to bottom), left to right within a row.
    """
    dark = (grey < INK_LEVEL).astype(np.uint8)
    runs = cv2.morphologyEx(
        dark, cv2.MORPH_OPEN, np.ones((1, int(min_line)), np.uint8)
    )
    num, _, stats, _ = cv2.connectedComponentsWithStats(runs)
    lines = sorted(
        (tuple(int(v) for v in stats[k, :4]) for k in range(1, num)),
        key=lambda s: s[1],
    )
    lines = [s for s in lines if s[3] <= max_line_height]
    rows: List[list] = []
    for line in lines:
        if rows and line[1] - rows[-1][0][1] <= row_gap:
            rows[-1].append(line)
        else:
            rows.append([line])
    return [line for row in rows for line in sorted(row)]


def split_pair(mask: np.ndarray) -> Optional[List[np.ndarray]]:
    """Two touching homologues side by side, split at the narrowest
    column of the object's middle half; None when there is no pinch
    (under half the median column height) to split at."""
    cols = np.flatnonzero(mask.any(0))
    left, right = cols[0], cols[-1] + 1
    quarter = (right - left) // 4
    if quarter < 1:
        return None
    heights = mask[:, left:right].sum(0)
    middle = mask[:, left + quarter : right - quarter].sum(0)
    if middle.min() >= 0.5 * np.median(heights):
        return None
    cut = left + quarter + int(np.argmin(middle))
    first, second = mask.copy(), mask.copy()
    first[:, cut:] = False
    second[:, :cut] = False
    return [first, second]


def slot_order(order: Optional[Sequence[str]] = None) -> List[int]:
    """Class indices of the slots in page order (default 1-22, X, Y).

    Raises:
        ValueError: ``order`` is not the 24 class names, each once.
    """
    if order is None:
        return list(range(len(CLASSES)))
    order = [str(name).strip() for name in order]
    if sorted(order) != sorted(CLASSES):
        raise ValueError(
            f'slot order {",".join(order)}: expected the 24 names 1-22, '
            'X, Y, each once'
        )
    return [CLASSES.index(name) for name in order]


def cut_karyogram(
    grey: np.ndarray,
    name: str = 'karyogram',
    report: Optional[ConversionReport] = None,
    min_line: int = 60,
    min_area: Optional[float] = None,
    order: Optional[Sequence[str]] = None,
) -> List[Tuple[np.ndarray, int]]:
    """The chromosomes of one karyogram page, cut out upright.

    Args:
        grey (np.ndarray): (H, W) uint8 page, or (H, W, 3).
        name (str): The page's name in the report and errors.
        report (ConversionReport, optional): Notes the slots whose
            object count is unusual and the splits.
        min_line (int): Shortest underline, pixels.
        min_area (float, optional): Smallest chromosome, pixels; default
            :data:`MIN_AREA` scaled by the page's size (its median line
            length over :data:`REFERENCE_LINE`, squared), as the band of
            names under each line is.
        order (Sequence[str], optional): The slots' class names in page
            order (default 1-22, X, Y).

    Returns:
        list[tuple[np.ndarray, int]]: ``(crop, class index)`` per
        chromosome: grey uint8, other objects whitened, a white margin.

    Raises:
        ConversionError: The page does not have 24 underlined slots.
    """
    if grey.ndim == 3:
        grey = cv2.cvtColor(grey, cv2.COLOR_BGR2GRAY)
    lines = find_slots(grey, min_line)
    if len(lines) != len(CLASSES):
        raise ConversionError(
            f'{name}: {len(lines)} underlined slots found, expected '
            f'{len(CLASSES)} (1-22, X, Y); is it a karyogram with each '
            'slot underlined? (min_line sets the shortest line)'
        )
    size = float(np.median([w for _, _, w, _ in lines])) / REFERENCE_LINE
    names = NAME_HEIGHT * size
    if min_area is None:
        min_area = MIN_AREA * size * size
    row_tops = sorted({y for _, y, _, _ in lines})
    out = []
    for label, (x, y, w, _) in zip(slot_order(order), lines):
        above = [t for t in row_tops if t < y - names]
        top = int(round(above[-1] + names)) if above else 0
        x1, x2 = max(0, x - MARGIN), x + w + MARGIN
        region = grey[top : y - 1, x1:x2]
        fg = (region < OBJECT_LEVEL).astype(np.uint8)
        fg = cv2.morphologyEx(fg, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
        num, comp, stats, _ = cv2.connectedComponentsWithStats(fg)
        masks = [comp == j for j in range(1, num) if stats[j, 4] >= min_area]
        slot = CLASSES[label]
        if len(masks) == 1 and slot not in ('X', 'Y'):
            halves = split_pair(masks[0])
            if halves is not None:
                masks = halves
                if report is not None:
                    report.note(
                        name,
                        f'slot {slot}',
                        'one object pinched in the middle: split in two',
                    )
        usual = (1, 2) if slot == 'X' else (0, 1) if slot == 'Y' else (2,)
        if len(masks) not in usual and report is not None:
            report.note(
                name, f'slot {slot}', f'{len(masks)} chromosomes (kept)'
            )
        for mask in masks:
            ys, xs = np.nonzero(mask)
            keep = cv2.dilate(mask.astype(np.uint8), np.ones((5, 5), np.uint8))
            cut = np.where(keep > 0, region, 255).astype(np.uint8)
            crop = cut[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
            out.append((np.pad(crop, MARGIN, constant_values=255), label))
    return out


def convert_karyograms(
    src: str,
    out: str,
    skip_invalid: bool = False,
    force: bool = False,
    min_line: int = 60,
    min_area: Optional[float] = None,
    order: Optional[Sequence[str]] = None,
) -> ConversionReport:
    """Cut every karyogram under ``src`` into a crops folder.

    Writes ``out/cells/<page>/clase<k>/clase<k>_<n>_<page>.tiff`` (k =
    1-22, 23 for X, 24 for Y; ``<page>`` the file name without its
    extension) and ``out/index.csv`` (``path,cell_id,label``): the layout
    ``deepacc classify train|evaluate --crops`` reads, one cell per page.

    Args:
        src (str): A karyogram image, or a folder of them (searched
            recursively; ``.tif``, ``.tiff``, ``.png``, ``.jpg``, ``.bmp``).
        out (str): Crops folder to write.
        skip_invalid (bool): Leave out pages that cannot be read as
            karyograms (listed in the report) instead of stopping.
        force (bool): Overwrite an existing ``out/index.csv``.
        min_line (int): Shortest underline, pixels.
        min_area (float, optional): Smallest chromosome, pixels (default:
            scaled by each page's size, :func:`cut_karyogram`).
        order (Sequence[str], optional): The slots' class names in page
            order (default 1-22, X, Y).

    Returns:
        ConversionReport: Pages, crops per class, pages left out, notes.

    Raises:
        ConversionError: Pages that are not karyograms (without
            ``skip_invalid``), or no image under ``src``.
        FileExistsError: ``out/index.csv`` exists and ``force`` is off.
    """
    slot_order(order)  # a bad order stops the run before any page
    index = osp.join(out, 'index.csv')
    if osp.exists(index) and not force:
        raise FileExistsError(f'{index} exists; pass --force to overwrite it')
    pages = list_files(src, IMAGE_EXTENSIONS)
    if not pages:
        raise ConversionError(f'{src}: no karyogram images')
    report = ConversionReport('karyogram', skip_invalid, unit='crop')
    cells = []
    for path in pages:
        try:
            crops = cut_karyogram(
                read_image(path), path, report, min_line, min_area, order
            )
        except (ImageReadError, ConversionError) as error:
            report.problem(path, None, str(error).replace(f'{path}: ', ''))
            continue
        cells.append((osp.splitext(osp.basename(path))[0], crops))
    report.finish()
    rows = []
    for cell, crops in cells:
        for n, (crop, label) in enumerate(crops):
            k = label + 1
            rel = f'cells/{cell}/clase{k}/clase{k}_{n}_{cell}.tiff'
            os.makedirs(osp.dirname(osp.join(out, rel)), exist_ok=True)
            cv2.imwrite(osp.join(out, rel), crop)
            rows.append(dict(path=rel, cell_id=cell, label=k))
            report.add_box(label)
        report.images += 1
    with open(index, 'w', newline='') as f:
        writer = csv.DictWriter(f, ['path', 'cell_id', 'label'])
        writer.writeheader()
        writer.writerows(rows)
    return report
