"""Where each call goes on a karyogram: pure geometry, no pixels.

One scale serves the whole cell (so relative lengths are kept), classes
sit in the standard rows of :data:`~deepacc.chromosomes.KARYOGRAM_ROWS`,
one block per class with a slot per copy, empty slots for missing copies
and flags for extra ones.
"""

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from deepacc.chromosomes import CLASSES, KARYOGRAM_ROWS, RELATIVE_LENGTH

from .iscn import counts_to_dict, expected_copies


@dataclass
class KaryogramStyle:
    """Sizes of the karyogram picture, in output pixels."""

    chr1_height: int = 150  # a chromosome 1 of typical length
    margin: int = 24
    title_height: int = 44
    row_gap: int = 18
    label_height: int = 22
    copy_gap: int = 6
    min_cell_width: int = 90
    max_copies: int = 6  # drawn per class; the label gives the count
    max_scale: float = 4.0
    min_scale: float = 0.2


@dataclass
class KaryogramSlot:
    """One place on the karyogram: a called copy or a missing one.

    Attributes:
        class_name (str): The class whose block holds the slot.
        row (int): Index into :attr:`KaryogramLayout.rows`.
        copy (int): 0-based position in its class block.
        kind (str): ``'call'`` or ``'missing'``.
        call (int, optional): Index into the layout's inputs; None for a
            missing copy.
        extra (bool): A call beyond the expected number of copies.
        x, y, w, h (int): Output pixels, y down; a slot stands on its
            row's baseline (``y + h == baseline``).
    """

    class_name: str
    row: int
    copy: int
    kind: str
    call: Optional[int]
    extra: bool
    x: int
    y: int
    w: int
    h: int


@dataclass
class KaryogramRow:
    """One row of class blocks.

    Attributes:
        classes (list[str]): Its class names, left to right.
        top (int): Output y of the row's top.
        baseline (int): Output y the chromosomes stand on.
    """

    classes: List[str]
    top: int
    baseline: int


@dataclass
class KaryogramBlock:
    """The block of one class: its copies side by side and a label.

    Attributes:
        row (int): Index into :attr:`KaryogramLayout.rows`.
        count (int): Calls of the class.
        expected (int): Copies expected (2, or 1 X and 1 Y in a male
            cell).
        hidden (int): Calls not drawn (over ``style.max_copies``).
        x_center (float): Output x of the block's centre.
        x0, x1 (int): Output x extent of the block.
    """

    row: int
    count: int
    expected: int
    hidden: int
    x_center: float
    x0: int
    x1: int


@dataclass
class KaryogramLayout:
    """A karyogram's geometry.

    Attributes:
        scale (float): Output pixels per source-image pixel.
        width, height (int): Canvas size.
        rows (list[KaryogramRow]): The rows, top to bottom.
        slots (list[KaryogramSlot]): Every drawn call and missing copy.
        classes (dict[str, KaryogramBlock]): The block of each class.
    """

    scale: float
    width: int
    height: int
    rows: List[KaryogramRow]
    slots: List[KaryogramSlot]
    classes: Dict[str, KaryogramBlock]


@dataclass
class _Size:
    """A slot before its position is known."""

    kind: str
    call: Optional[int]
    extra: bool
    h: int
    w: int


def layout_karyogram(
    labels: Sequence[int],
    scores: Sequence[float],
    sizes: Sequence[Tuple[int, int]],
    lengths: Optional[Sequence[float]] = None,
    style: Optional[KaryogramStyle] = None,
) -> KaryogramLayout:
    """Where every call and every missing copy goes on the karyogram.

    One scale serves the whole cell: the median, over calls, of
    ``length / RELATIVE_LENGTH[class]`` says how many source pixels one
    percent of the haploid genome takes in this cell, and the scale makes
    a chromosome 1 of that size ``style.chr1_height`` pixels tall, so
    relative lengths are kept and one outlier box does not shrink the
    rest. Copies of a class stand side by side on a baseline, highest
    score first; copies beyond the expected number (2, or 1 X and 1 Y when
    a Y is called) are marked ``extra``, and each expected copy that was
    not called gets a ``missing`` slot of the expected size. At most
    ``style.max_copies`` copies of a class are drawn (a badly trained
    model can call 50 chromosome 1s); the rest are counted as ``hidden``.

    Args:
        labels (Sequence[int]): (N,) class index of each call.
        scores (Sequence[float]): (N,) score of each call.
        sizes (Sequence[tuple[int, int]]): (N,) (height, width) of each
            upright crop in source pixels.
        lengths (Sequence[float], optional): (N,) long-axis lengths in
            source pixels; defaults to the crop heights.
        style (KaryogramStyle, optional): Picture sizes.

    Returns:
        KaryogramLayout: The canvas size, rows, slots and class blocks.
    """
    style = style or KaryogramStyle()
    labels = [int(v) for v in labels]
    scores = [float(v) for v in scores]
    sizes = [(int(h), int(w)) for h, w in sizes]
    if not len(labels) == len(scores) == len(sizes):
        raise ValueError(
            f'layout_karyogram: {len(labels)} labels, '
            f'{len(scores)} scores and {len(sizes)} sizes '
            'differ in length'
        )
    lengths = (
        [float(h) for h, _ in sizes]
        if lengths is None
        else [float(v) for v in lengths]
    )
    counts = counts_to_dict(
        np.bincount(np.asarray(labels, np.int64), minlength=len(CLASSES))
        if labels
        else [0] * len(CLASSES)
    )
    expected = expected_copies(counts)

    # Source px per percent of haploid length, then one scale for all.
    if labels:
        units = [
            length / RELATIVE_LENGTH[CLASSES[lab]]
            for lab, length in zip(labels, lengths)
            if length > 0
        ]
        unit = float(np.median(units)) if units else 10.0
        widths = [w for _, w in sizes]
        typical_w = float(np.median(widths))
    else:
        unit, typical_w = 10.0, 20.0
    scale = style.chr1_height / max(unit * RELATIVE_LENGTH['1'], 1e-6)
    scale = float(min(max(scale, style.min_scale), style.max_scale))

    by_class: Dict[str, List[int]] = {name: [] for name in CLASSES}
    for i in sorted(range(len(labels)), key=lambda i: -scores[i]):
        by_class[CLASSES[labels[i]]].append(i)

    def scaled(v: float) -> int:
        return max(1, int(round(v * scale)))

    # Slot sizes per class block (before positions are known).
    blocks: Dict[str, List[_Size]] = {}
    hidden: Dict[str, int] = {}
    for name in CLASSES:
        slots = []
        hidden[name] = max(0, len(by_class[name]) - style.max_copies)
        for k, i in enumerate(by_class[name][: style.max_copies]):
            h, w = sizes[i]
            extra = k >= expected[name]
            slots.append(_Size('call', i, extra, scaled(h), scaled(w)))
        for _ in range(len(slots), expected[name]):
            h = scaled(unit * RELATIVE_LENGTH[name])
            slots.append(_Size('missing', None, False, h, scaled(typical_w)))
        blocks[name] = slots

    def block_width(name: str) -> int:
        slots = blocks[name]
        if not slots:
            return scaled(typical_w)
        return sum(s.w for s in slots) + style.copy_gap * (len(slots) - 1)

    cell = max(
        style.min_cell_width,
        max(block_width(n) for n in CLASSES) + 2 * style.copy_gap,
    )
    width = 2 * style.margin + cell * max(len(r) for r in KARYOGRAM_ROWS)

    rows, out_slots, classes = [], [], {}
    top = style.margin + style.title_height
    for r, row in enumerate(KARYOGRAM_ROWS):
        content = max(
            [s.h for n in row for s in blocks[n]]
            + [scaled(unit * RELATIVE_LENGTH[n]) for n in row]
        )
        baseline = top + content
        # Classes spread evenly across the canvas, as on a paper karyogram.
        row_cell = (width - 2 * style.margin) / len(row)
        for c, name in enumerate(row):
            centre = style.margin + (c + 0.5) * row_cell
            bw = block_width(name)
            x = int(round(centre - bw / 2))
            x0 = x
            for k, size in enumerate(blocks[name]):
                out_slots.append(
                    KaryogramSlot(
                        class_name=name,
                        row=r,
                        copy=k,
                        kind=size.kind,
                        call=size.call,
                        extra=size.extra,
                        x=x,
                        y=baseline - size.h,
                        w=size.w,
                        h=size.h,
                    )
                )
                x += size.w + style.copy_gap
            classes[name] = KaryogramBlock(
                row=r,
                count=counts[name],
                expected=expected[name],
                hidden=hidden[name],
                x_center=float(centre),
                x0=x0,
                x1=x0 + bw,
            )
        rows.append(KaryogramRow(list(row), top, baseline))
        top = baseline + style.label_height + style.row_gap
    height = top + style.margin
    return KaryogramLayout(
        scale=scale,
        width=int(width),
        height=int(height),
        rows=rows,
        slots=out_slots,
        classes=classes,
    )
