import csv
import json

import cv2
import pytest

from deepacc.chromosomes import CLASSES
from deepacc.cli import main
from deepacc.datasets import load_crops, read_crop_images, split_cells
from deepacc.synthesis import ComposeOptions, compose_dataset
from deepacc.synthesis.compose import crop_background
from deepacc.testing import TINY_CELLS, make_tiny_crops

CELLS = TINY_CELLS


def _folder_layout(root, black=False):
    make_tiny_crops(str(root), black=black)
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
        read_crop_images(cells),
        str(tmp_path / 'out'),
        ComposeOptions(width=320, height=240, touch_rate=0.5),
        seed=0,
        progress=False,
    )
    from pathlib import Path

    coco = _check(Path(ann))
    assert all('angle' in a and 'p_arm_up' in a for a in coco['annotations'])
    with pytest.raises(FileExistsError):
        compose_dataset(
            read_crop_images(cells), str(tmp_path / 'out'), progress=False
        )


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


def test_cell_split_writes_the_cells_the_dataset_holds_out(tmp_path, capsys):
    """`deepacc compose --cell-split val` writes the cells that
    ComposedMetaphaseDataset(cell_split='val') uses, and only those."""
    root = _folder_layout(tmp_path / 'crops')
    out = tmp_path / 'val'
    args = ['compose', '--crops', str(root), '--out', str(out)]
    args += ['--width', '320', '--height', '240', '--cell-split', 'val']
    assert main(args + ['--cell-ratios', '1', '1', '--num-images', '3']) == 0
    coco = json.load(open(out / 'annotations' / 'all.json'))
    expected = split_cells(list(CELLS), (1, 1))['val']
    assert len(expected) == 1
    assert {img['source_cell'] for img in coco['images']} == set(expected)
    assert len(coco['images']) == 3  # three layouts of the one val cell
    capsys.readouterr()
    test_args = args[:-1] + ['test', '--cell-ratios', '1', '1', '--force']
    assert main(test_args) == 1
    assert (
        "cell split 'test' does not exist; ratios [1.0, 1.0] make "
        'train, val' in capsys.readouterr().out
    )
