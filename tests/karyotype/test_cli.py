"""``deepacc karyotype`` end to end, and the Python API, on a tiny model."""

import csv
import json
import os
import os.path as osp
import shutil
import subprocess
import sys

import cv2
import numpy as np
import pytest

from deepacc.chromosomes import CLASSES
from deepacc.karyotype import Karyotyper
from deepacc.testing import write_untrained_crop_classifier

# The 2-iteration model's class scores sit near 1/25: let every box
# through the head and the selection, so the pictures have calls.
LOOSE = [
    '--score-thr',
    '0',
    '--cfg-options',
    'model.test_cfg.rcnn.score_thr=0.0',
    'model.test_cfg.rcnn.max_per_img=30',
]


def run_cli(*args):
    cmd = [sys.executable, '-m', 'deepacc.cli', 'karyotype', *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope='module')
def cli_run(tiny_checkpoint, tmp_path_factory):
    config, checkpoint, images = tiny_checkpoint
    inputs = tmp_path_factory.mktemp('inputs')
    for name in ('tiny_0001.png', 'tiny_0002.png'):
        shutil.copy(osp.join(images, name), inputs / name)
    (inputs / 'notes.txt').write_text('not an image\n')
    with open(osp.join(images, 'tiny_0003.png'), 'rb') as f:
        (inputs / 'broken.png').write_bytes(f.read()[:80])
    out = tmp_path_factory.mktemp('out')
    (out / 'keep_me.txt').write_text('a user file')
    proc = run_cli(config, checkpoint, str(inputs), '--out', str(out), *LOOSE)
    return proc, inputs, out


def test_cli_outputs(cli_run, tiny_checkpoint):
    from mmdet.utils import get_test_pipeline_cfg
    from mmengine.config import Config

    proc, inputs, out = cli_run
    (resize,) = [
        step
        for step in get_test_pipeline_cfg(Config.fromfile(tiny_checkpoint[0]))
        if step['type'].split('.')[-1] == 'Resize'
    ]
    canvas = resize['scale']
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert sorted(os.listdir(out)) == sorted(
        [
            'keep_me.txt',
            'summary.csv',
            'tiny_0001.json',
            'tiny_0001_karyogram.png',
            'tiny_0001_overlay.png',
            'tiny_0002.json',
            'tiny_0002_karyogram.png',
            'tiny_0002_overlay.png',
        ]
    )
    assert (out / 'keep_me.txt').read_text() == 'a user file'
    for stem in ('tiny_0001', 'tiny_0002'):
        record = json.loads((out / f'{stem}.json').read_text())
        assert record['image'] == str(inputs / f'{stem}.png')
        assert (record['height'], record['width']) == (128, 160)
        assert record['total'] == len(record['detections']) > 0
        assert sum(record['counts'].values()) == record['total']
        assert list(record['counts']) == list(CLASSES)
        assert record['karyotype'].startswith(f'{record["total"]},')
        assert record['settings'] == dict(
            score_thr=0.0,
            nms_iou=0.4,
            low_conf=0.7,
            penalties=dict(gain=4.0, loss=6.0),
            candidate_floor=0.1,
            # A DeepAccRoIHead model gives background probabilities: its
            # calls are selected by object score by default.
            call_score='object',
        )
        # The tiny model's training width is in its checkpoint. Its
        # pipeline resizes the small images it was trained on to its
        # canvas; the test images, made like them, are brought to the
        # same scale: near the canvas's own fit factor.
        # (Widths of 3-4 px on these tiny images read coarsely: within
        # a factor of 2.)
        scale = record['scale']
        assert scale['mode'] == 'auto'
        assert scale['factor'] == pytest.approx(
            scale['model_width_px'] / scale['image_width_px'], rel=5e-3
        )
        fit = min(w / s for w, s in zip(canvas, (160, 128)))
        assert 0.5 < scale['factor'] / fit < 2.0
        # --score-thr 0: every candidate is a call, none can be added.
        reading = record['reading']
        assert reading['added'] == 0
        calls_total = int(record['calls_karyotype'].split(',')[0])
        assert calls_total == record['total'] + reading['removed']
        for det in record['detections']:
            x1, y1, x2, y2 = det['bbox']
            assert 0 <= x1 < x2 <= 160 and 0 <= y1 < y2 <= 128
            assert det['class'] == CLASSES[det['label']]
            assert det['low_confidence'] == (det['score'] < 0.7)
            assert det['score'] <= det['object_score'] + 1e-4
        overlay = cv2.imread(str(out / f'{stem}_overlay.png'))
        assert overlay.shape[1] == 160 and overlay.shape[0] > 128
        karyogram = cv2.imread(str(out / f'{stem}_karyogram.png'))
        assert karyogram is not None and karyogram.shape[1] > 400


def test_cli_reports_and_skips_bad_files(cli_run):
    proc, inputs, out = cli_run
    for name in ('notes.txt', 'broken.png'):
        assert (
            f'warning: skipped {inputs / name}: not a readable image'
            in proc.stderr
        )
    assert '2 image(s) processed, 2 skipped' in proc.stdout
    with open(out / 'summary.csv') as f:
        rows = list(csv.DictReader(f))
    assert [osp.basename(r['image']) for r in rows] == [
        'broken.png',
        'notes.txt',
        'tiny_0001.png',
        'tiny_0002.png',
    ]
    assert rows[0]['error'] and rows[1]['error']
    for row in rows[2:]:
        record = json.loads((out / row['json']).read_text())
        assert row['error'] == ''
        assert row['karyotype'] == record['karyotype']
        assert row['calls_karyotype'] == record['calls_karyotype']
        assert int(row['total']) == record['total']
        assert [int(row[f'n_{c}']) for c in CLASSES] == list(
            record['counts'].values()
        )


def test_cli_nothing_processed_fails(tiny_checkpoint, tmp_path):
    config, checkpoint, _ = tiny_checkpoint
    (tmp_path / 'empty').mkdir()
    proc = run_cli(
        config,
        checkpoint,
        str(tmp_path / 'empty'),
        str(tmp_path / 'missing.png'),
        '--out',
        str(tmp_path / 'out'),
    )
    assert proc.returncode == 1
    assert (
        f'skipped {tmp_path / "missing.png"}: no such file or folder'
        in proc.stderr
    )
    assert 'error: no input files' in proc.stderr


def test_python_api_path_and_array(tiny_checkpoint):
    config, checkpoint, images = tiny_checkpoint
    karyotyper = Karyotyper(
        config,
        checkpoint,
        score_thr=0.0,
        cfg_options={'model.test_cfg.rcnn.score_thr': 0},
    )
    path = osp.join(images, 'tiny_0001.png')
    from_path = karyotyper(path)
    grey = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
    from_array = karyotyper(grey)
    assert from_array['image'] is None and from_path['image'] == path
    assert from_array['detections'] == from_path['detections']
    assert from_path['total'] > 0
    with pytest.raises(ValueError, match='uint8'):
        karyotyper(grey.astype(np.float32))


def test_cli_calls_only_and_bad_penalties(tiny_checkpoint, tmp_path):
    config, checkpoint, images = tiny_checkpoint
    image = osp.join(images, 'tiny_0001.png')
    out = tmp_path / 'calls'
    proc = run_cli(
        config, checkpoint, image, '--out', str(out), '--calls-only', *LOOSE
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    record = json.loads((out / 'tiny_0001.json').read_text())
    assert 'calls_karyotype' not in record and 'reading' not in record
    assert 'penalties' not in record['settings']
    assert all('reading' not in d for d in record['detections'])
    with open(out / 'summary.csv') as f:
        (row,) = list(csv.DictReader(f))
    assert row['calls_karyotype'] == row['karyotype'] == record['karyotype']
    for extra, message in (
        (['--penalties', '-1', '2'], '--penalties must be >= 0'),
        (
            ['--penalties', '1', '2', '--calls-only'],
            '--penalties and --calls-only exclude each other',
        ),
    ):
        proc = run_cli(
            config, checkpoint, image, '--out', str(tmp_path / 'x'), *extra
        )
        assert proc.returncode == 2 and message in proc.stderr
        assert not (tmp_path / 'x').exists()


def test_cli_names_by_the_classifier_and_keeps_the_calls(
    tiny_checkpoint, tmp_path
):
    config, checkpoint, images = tiny_checkpoint
    classifier = write_untrained_crop_classifier(str(tmp_path))
    image = osp.join(images, 'tiny_0001.png')
    out = tmp_path / 'named'
    proc = run_cli(
        config,
        checkpoint,
        image,
        '--out',
        str(out),
        '--calls-only',
        *LOOSE,
        '--classifier-checkpoint',
        classifier['checkpoint'],
        '--classifier-config',
        classifier['config'],
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    with open(out / 'tiny_0001.json') as f:
        named = json.load(f)
    detector = Karyotyper(
        config,
        checkpoint,
        score_thr=0.0,
        penalties=None,
        cfg_options={
            'model.test_cfg.rcnn.score_thr': 0.0,
            'model.test_cfg.rcnn.max_per_img': 30,
        },
    )(image)
    assert 'classifier' not in detector
    assert named['classifier']['model'] == 'weights.pth'
    assert named['classifier']['named'] >= named['total'] > 0
    # The detector decides what is a chromosome (this plain Faster R-CNN's
    # object score is its top-1 score), the classifier which one.
    assert named['total'] == detector['total']
    assert sorted(d['bbox'] for d in named['detections']) == sorted(
        d['bbox'] for d in detector['detections']
    )
    assert named['settings']['call_score'] == 'object'
    assert cv2.imread(str(out / 'tiny_0001_karyogram.png')) is not None
