import csv
import json

import cv2
import numpy as np
import pytest

from deepacc.chromosomes import CLASSES, RELATIVE_LENGTH
from deepacc.cli import main
from deepacc.synthesis import compose_dataset, load_crops, render_chromosome
from deepacc.synthesis.compose import crop_background

CELLS = {
    'case1.cell1': ['1', '1', '7', '21', '21', '21', 'X', 'Y'],
    'case1.cell2': ['2', '13', '18', 'X', 'X'],
}


def _crop(name, rng, black=False):
    label = CLASSES.index(name)
    sprite = render_chromosome(
        label, 90 * RELATIVE_LENGTH[name] / 8.44, 10.0, rng, angle=0.0
    )
    opacity = np.pad(sprite.opacity, 3)
    img = 255 * opacity if black else 255 * (1 - opacity)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def _folder_layout(root, black=False):
    """cells/<cell>/clase<k>/clase<k>_<copy>_<cell>.tiff, k = 23 for X."""
    rng = np.random.default_rng(0)
    for cell, names in CELLS.items():
        for copy, name in enumerate(names):
            k = CLASSES.index(name) + 1
            folder = root / 'cells' / cell / f'clase{k}'
            folder.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(
                str(folder / f'clase{k}_{copy}_{cell}.tiff'),
                _crop(name, rng, black),
            )
    return root


def _check(ann_path, black=False):
    coco = json.load(open(ann_path))
    assert len(coco['images']) == len(CELLS)
    for img, (cell, names) in zip(coco['images'], CELLS.items()):
        assert img['source_cell'] == cell
        anns = [a for a in coco['annotations'] if a['image_id'] == img['id']]
        got = sorted(CLASSES[a['category_id'] - 1] for a in anns)
        assert got == sorted(names)
        assert img['background'] == ('black' if black else 'white')
        image = cv2.imread(
            str(ann_path.parent.parent / 'images' / img['file_name']),
            cv2.IMREAD_UNCHANGED,
        )
        for a in anns:
            x, y, w, h = (int(v) for v in a['bbox'])
            patch = image[y : y + h, x : x + w].astype(int)
            # The chromosome is in its box: ink (dark on white, bright on
            # black) well beyond the noise.
            ink = patch.max() if black else 255 - patch.min()
            assert ink > 100
            assert x + w <= 320 and y + h <= 240
    return coco


def test_compose_folder_layout(tmp_path):
    root = _folder_layout(tmp_path / 'crops')
    cells = load_crops(str(root))
    assert list(cells) == list(CELLS)
    assert sorted(CLASSES[lab] for _, lab in cells['case1.cell2']) == sorted(
        CELLS['case1.cell2']
    )
    ann = compose_dataset(
        str(root),
        str(tmp_path / 'out'),
        width=320,
        height=240,
        seed=0,
        touch_rate=0.5,
        progress=False,
    )
    from pathlib import Path

    coco = _check(Path(ann))
    assert all('angle' in a and 'p_arm_up' in a for a in coco['annotations'])
    with pytest.raises(FileExistsError):
        compose_dataset(str(root), str(tmp_path / 'out'), progress=False)


def test_compose_index_csv_black_background(tmp_path):
    root = _folder_layout(tmp_path / 'crops', black=True)
    with open(root / 'index.csv', 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(['path', 'cell_id', 'label', 'copy'])
        for path in sorted((root / 'cells').rglob('*.tiff')):
            cell = path.parent.parent.name
            k = int(path.parent.name[len('clase') :])
            writer.writerow(
                [str(path.relative_to(root)), cell, CLASSES[k - 1], 0]
            )
    first = sorted((root / 'cells').rglob('*.tiff'))[0]
    assert crop_background(cv2.imread(str(first), 0)) == 'black'
    out = tmp_path / 'out'
    assert (
        main(
            [
                'compose',
                '--crops',
                str(root / 'index.csv'),
                '--out',
                str(out),
                '--width',
                '320',
                '--height',
                '240',
            ]
        )
        == 0
    )
    _check(out / 'annotations' / 'all.json', black=True)


def test_bad_crops_layout(tmp_path):
    (tmp_path / 'cells' / 'c1' / 'nucleus').mkdir(parents=True)
    with pytest.raises(ValueError, match='not a chromosome class'):
        load_crops(str(tmp_path))
    with pytest.raises(ValueError, match='no crops found'):
        load_crops(str(tmp_path / 'cells' / 'c1' / 'nucleus'))
