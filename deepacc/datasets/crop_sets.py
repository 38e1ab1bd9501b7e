"""Crop sets: the labelled single-chromosome crops of many cells.

Crops come grouped by cell, either as folders
``[cells/]<cell>/clase<k>/*.tif*`` (k = 1..22, 23 = X, 24 = Y; any class
name :func:`deepacc.chromosomes.class_index` reads works as the folder
name), as an index CSV with columns ``path, cell_id, label``, or as class
folders of files with the cell id in the file name (BioImLab style).
:func:`load_crops` finds the layout and lists every cell's crops;
:func:`index_crops` does it refusing or reporting bad entries, and
:func:`read_crop_images` reads them as grey arrays. Both the datasets
(:class:`ChromosomeCropDataset`, :class:`ComposedMetaphaseDataset`) and
``deepacc compose`` / ``deepacc classify`` read crops through here.
"""

import csv
import os
import os.path as osp
import re
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from deepacc.chromosomes import class_index

from .crops import read_crop

IMAGE_EXTENSIONS = ('.tif', '.tiff', '.png', '.jpg', '.jpeg', '.bmp')
# (crop path, class index)
Crop = Tuple[str, int]
# (grey image, class index, path)
CropImage = Tuple[np.ndarray, int, str]
# The BioImLab-style default: the file name up to its first '_', '-' or
# '.' is the cell (karyogram) id, e.g. ``017_chr21_b.bmp`` -> ``017``.
DEFAULT_CELL_PATTERN = r'^(?P<cell>[^_.\-]+)[_.\-]'


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


def _is_image_name(path: str) -> bool:
    return path.lower().endswith(IMAGE_EXTENSIONS)


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


def index_crops(
    crops: str,
    cell_pattern: Optional[str] = None,
    skip_invalid: bool = False,
    report: Optional[Callable[[str], None]] = None,
) -> Dict[str, List[Crop]]:
    """The crops of every cell, refusing or reporting bad entries.

    Args:
        crops (str): Crops folder or index CSV (see :func:`load_crops`).
        cell_pattern (str, optional): Cell-id regex of the class-folder
            layout.
        skip_invalid (bool): Leave bad entries out (reported) instead of
            stopping at the first.
        report (callable, optional): Receives one line per skipped entry;
            defaults to ``print``.

    Returns:
        dict: Cell id -> sorted list of (path, class index).

    Raises:
        ValueError: A bad entry (without ``skip_invalid``), naming the file
            or CSV line and the reason.
    """
    report = report or print

    def on_invalid(path: str, reason: str) -> None:
        if not skip_invalid:
            raise ValueError(f'{path}: {reason}')
        report(f'skipped {path}: {reason}')

    if not osp.exists(crops):
        raise ValueError(f'{crops}: no such file or folder')
    return load_crops(crops, cell_pattern, on_invalid)


def read_crop_images(
    cells: Dict[str, List[Crop]],
    cell_ids: Optional[Sequence[str]] = None,
    skip_invalid: bool = False,
    report: Optional[Callable[[str], None]] = None,
) -> Dict[str, List[CropImage]]:
    """Read the crops of some cells as grey arrays.

    Args:
        cells (dict): Cell id -> list of (path, class index).
        cell_ids (list[str], optional): The cells to read; default all.
        skip_invalid (bool): Leave unreadable files out (reported).
        report (callable, optional): Receives one line per skip.

    Returns:
        dict: Cell id -> list of (grey uint8 array, class index, path);
        cells left without a readable crop are dropped.

    Raises:
        ValueError: A file is not a readable image (without
            ``skip_invalid``), naming it.
    """
    report = report or print
    images = {}
    for cell in cells if cell_ids is None else cell_ids:
        read = []
        for path, label in cells[cell]:
            try:
                read.append((read_crop(path), label, path))
            except ValueError as exc:
                if not skip_invalid:
                    raise
                report(f'skipped {exc}')
        if read:
            images[cell] = read
    return images


def list_images(folder: str) -> List[str]:
    """Image files under a folder (recursive) or a single image, sorted.

    Args:
        folder (str): Folder or image file.

    Returns:
        list[str]: Paths.
    """
    if osp.isfile(folder):
        return [folder]
    found = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        found += [
            osp.join(root, f) for f in sorted(files) if _is_image_name(f)
        ]
    return found
