"""End to end: synthesize, export as VOC (the published layout), convert
back with ``deepacc convert voc`` and train the CPU config on the result
for two iterations through tools/train.py."""

import json
import os
import os.path as osp
import subprocess
import sys

from deepacc.chromosomes import CLASSES, GROUP_OF
from deepacc.cli import main
from deepacc.synthesis import generate_dataset
from deepacc.testing import REPO_ROOT, write_tiny_config

from .conftest import voc_xml

CPU_CONFIG = 'faster_rcnn/faster-rcnn_r18-c32_fpn_1x_chromosome-cpu.py'


def _denver(name):
    return name if name in ('X', 'Y') else GROUP_OF[name] + name


def test_converted_voc_set_trains(tmp_path):
    root = tmp_path / 'data'
    ann = generate_dataset(
        str(root), 4, seed=0, width=320, height=240, progress=False
    )
    coco = json.load(open(ann))
    voc = tmp_path / 'voc'
    voc.mkdir()
    for img in coco['images']:
        objects = [
            (
                _denver(CLASSES[a['category_id'] - 1]),
                (
                    a['bbox'][0],
                    a['bbox'][1],
                    a['bbox'][0] + a['bbox'][2],
                    a['bbox'][1] + a['bbox'][3],
                ),
            )
            for a in coco['annotations']
            if a['image_id'] == img['id']
        ]
        stem = osp.splitext(img['file_name'])[0]
        (voc / f'{stem}.xml').write_text(
            voc_xml(img['file_name'], objects, size=None)
        )
    out = root / 'converted.json'
    assert (
        main(
            [
                'convert',
                'voc',
                str(voc),
                '--images',
                str(root / 'images'),
                '--out',
                str(out),
            ]
        )
        == 0
    )
    converted = json.load(open(out))
    assert [a['category_id'] for a in converted['annotations']] == [
        a['category_id'] for a in coco['annotations']
    ]
    config = write_tiny_config(
        str(tmp_path / 'cfg.py'),
        CPU_CONFIG,
        str(root),
        ann_file='converted.json',
        max_epochs=1,
        shrink=False,
    )
    env = dict(os.environ, PYTHONUNBUFFERED='1', OMP_NUM_THREADS='1')
    proc = subprocess.run(
        [
            sys.executable,
            'tools/train.py',
            config,
            '--work-dir',
            str(tmp_path / 'work'),
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    assert 'Epoch(train) [1][2/2]' in log
    assert osp.isfile(tmp_path / 'work' / 'epoch_1.pth')
