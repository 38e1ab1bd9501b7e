"""``deepacc confusion`` end to end on a hand-made results pickle."""

import csv
import json
import os.path as osp
import pickle
import subprocess
import sys

import pytest
import torch

from deepacc.testing import REPO_ROOT


def _write_inputs(tmp_path, extra_img=False):
    # Categories in a scrambled order and spelling: mapped by name.
    names = ['chr2', 'A1', 'X', 'Y', '5', '4'] + [
        str(i) for i in range(3, 23) if i not in (4, 5)
    ]
    cat = {n: i + 1 for i, n in enumerate(names)}
    anns = []

    def add(img_id, x, name):
        anns.append(
            dict(
                id=len(anns) + 1,
                image_id=img_id,
                category_id=cat[name],
                bbox=[x, 0, 10, 40],
                area=400,
                iscrowd=0,
            )
        )

    add(1, 0, 'A1')  # chr 1, called 1
    add(1, 20, '4')  # chr 4, called 5 (within group B)
    add(1, 40, 'chr2')  # chr 2, missed
    add(2, 0, 'X')  # X, called X
    coco = dict(
        images=[
            dict(id=1, file_name='a.png', width=200, height=50),
            dict(id=2, file_name='b.png', width=200, height=50),
        ],
        annotations=anns,
        categories=[dict(id=v, name=k) for k, v in cat.items()],
    )
    ann_file = str(tmp_path / 'test.json')
    with open(ann_file, 'w') as f:
        json.dump(coco, f)

    def inst(boxes, scores, labels):
        return dict(
            bboxes=torch.tensor(boxes, dtype=torch.float32),
            scores=torch.tensor(scores),
            labels=torch.tensor(labels),
        )

    results = [
        # Two-stage record: pred_top1_instances is used.
        dict(
            img_id=1,
            pred_instances=inst([[0, 0, 10, 40]], [0.9], [0]),
            pred_top1_instances=inst(
                [[0, 0, 10, 40], [20, 0, 30, 40], [100, 0, 110, 40]],
                [0.9, 0.8, 0.7],
                [0, 4, 20],
            ),
        ),  # 1, 5, spurious 21
        # One-stage record: top-1 derived from identical boxes (X beats 7).
        dict(
            img_id=2,
            pred_instances=inst(
                [[0, 0, 10, 40], [0, 0, 10, 40]], [0.6, 0.95], [6, 22]
            ),
        ),
    ]
    if extra_img:
        results.append(dict(img_id=99, pred_instances=inst([], [], [])))
    pkl = str(tmp_path / 'results.pkl')
    with open(pkl, 'wb') as f:
        pickle.dump(results, f)
    return pkl, ann_file


def _run(*args):
    return subprocess.run(
        [sys.executable, '-m', 'deepacc.cli', 'confusion', *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=300,
    )


def test_confusion_png_and_csv(tmp_path):
    pkl, ann_file = _write_inputs(tmp_path)
    out = tmp_path / 'cm'
    proc = _run(pkl, '--ann-file', ann_file, '--out', str(out))
    assert proc.returncode == 0, proc.stderr
    assert 'Acc 50.00%' in proc.stdout  # 2 right of 4 calls
    assert 'AER 75.00%' in proc.stdout  # (1 wrong + 1 spurious + 1 missed)/4
    with open(out / 'confusion_matrix.csv') as f:
        rows = list(csv.reader(f))
    header = rows[0]
    # Denver order: ... 12, X, 13 ...; 'missed' last.
    assert header[1:4] == ['1', '2', '3'] and header[-1] == 'missed'
    assert header.index('X') == header.index('12') + 1
    table = {r[0]: dict(zip(header[1:], map(int, r[1:]))) for r in rows[1:]}
    assert rows[-1][0] == 'spurious'
    assert table['1']['1'] == 1 and table['4']['5'] == 1
    assert table['2']['missed'] == 1 and table['X']['X'] == 1
    assert table['spurious']['21'] == 1
    assert sum(sum(r.values()) for r in table.values()) == 5

    import matplotlib.image as mpimg

    png = mpimg.imread(str(out / 'confusion_matrix.png'))
    assert png.ndim == 3 and png.shape[0] > 500 and png.shape[1] > 500
    assert png.std() > 0.05  # not a blank canvas


def test_unknown_image_id_is_named(tmp_path):
    from deepacc.cli import main

    pkl, ann_file = _write_inputs(tmp_path, extra_img=True)
    with pytest.raises(SystemExit, match=r'results for 1 image id.*\[99\]'):
        main(
            [
                'confusion',
                pkl,
                '--ann-file',
                ann_file,
                '--out',
                str(tmp_path / 'o'),
            ]
        )
    assert not osp.exists(tmp_path / 'o' / 'confusion_matrix.png')


def test_tools_script_is_the_same_command(tmp_path):
    pkl, ann_file = _write_inputs(tmp_path)
    proc = subprocess.run(
        [
            sys.executable,
            'tools/analysis/confusion_matrix.py',
            pkl,
            '--ann-file',
            ann_file,
            '--out',
            str(tmp_path / 'cm'),
            '--canonical-order',
        ],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    with open(tmp_path / 'cm' / 'confusion_matrix.csv') as f:
        header = next(csv.reader(f))
    assert header[1:] == [str(i) for i in range(1, 23)] + ['X', 'Y', 'missed']
