"""tools/train.py and tools/test.py on the cluster-type config, and
``deepacc clusters`` end to end, through subprocesses."""

import csv
import json
import os
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest

from deepacc.testing import REPO_ROOT


def _run(*args, timeout=300):
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_train_logs_losses_and_validates(tiny_cluster_checkpoint):
    _, _, log = tiny_cluster_checkpoint
    assert 'Iter(train) [4/4]' in log and 'loss_cls' in log
    for key in ('accuracy', 'paper_accuracy', 'two_way_accuracy'):
        assert f'cluster/{key}:' in log, key


def test_test_tool_reports_the_paper_metrics(
    tiny_cluster_checkpoint, tmp_path
):
    config, checkpoint, _ = tiny_cluster_checkpoint
    proc = _run(
        'tools/test.py', config, checkpoint, '--work-dir', str(tmp_path)
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    for key in (
        'accuracy',
        'sensitivity',
        'specificity',
        'paper_accuracy',
        'paper_sensitivity',
        'paper_specificity',
        'two_way_accuracy',
        'sensitivity_touching',
        'specificity_overlapping',
    ):
        assert f'cluster/{key}:' in out, key


@pytest.fixture(scope='module')
def images(tmp_path_factory):
    """Two synthetic metaphases, a colour one, and three bad inputs."""
    from deepacc.synthesis import SynthOptions, image_rng, render_metaphase

    folder = tmp_path_factory.mktemp('cluster_inputs')
    options = SynthOptions(width=256, height=192)
    for i in range(2):
        image, _, _ = render_metaphase(image_rng(7, i), options)
        cv2.imwrite(str(folder / f'cell_{i}.png'), image)
    (folder / 'broken.png').write_bytes(b'\x89PNG not really')
    cv2.imwrite(str(folder / 'blank.png'), np.full((60, 80), 210, np.uint8))
    noise = np.random.default_rng(0).normal(200, 2, (60, 80))
    cv2.imwrite(str(folder / 'empty.png'), noise.clip(0, 255).astype('u1'))
    return folder


def _clusters(checkpoint, *args):
    return _run(
        '-m', 'deepacc.cli', 'clusters', *args, '--checkpoint', checkpoint
    )


def _clusters_here(capsys, checkpoint, *args):
    """The command in this process (no start-up cost): (status, out, err)."""
    from deepacc.cli import main

    status = main(['clusters', *args, '--checkpoint', checkpoint])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture(scope='module')
def cli_run(tiny_cluster_checkpoint, images, tmp_path_factory):
    _, checkpoint, _ = tiny_cluster_checkpoint
    out = tmp_path_factory.mktemp('cluster_out')
    (out / 'notes.txt').write_text('a user file')
    proc = _clusters(checkpoint, str(images), '--out', str(out))
    return proc, out


def test_cli_writes_pictures_json_and_csv(cli_run):
    proc, out = cli_run
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert sorted(os.listdir(out)) == [
        'cell_0_clusters.json',
        'cell_0_clusters.png',
        'cell_1_clusters.json',
        'cell_1_clusters.png',
        'clusters.csv',
        'notes.txt',
    ]
    assert 'clusters: 100%' in proc.stderr  # the progress bar
    record = json.load(open(out / 'cell_0_clusters.json'))
    assert record['num_objects'] == len(record['objects']) > 10
    obj = record['objects'][0]
    assert set(obj) == {'id', 'type', 'score', 'area', 'bbox', 'polygon'}
    assert obj['type'] in record['counts'] and 0 <= obj['score'] <= 1
    assert sum(record['counts'].values()) == record['num_objects']
    assert record['polarity'] == 'dark'
    picture = cv2.imread(str(out / 'cell_0_clusters.png'))
    assert picture.shape[1] == 256 and picture.shape[0] > 192
    rows = list(csv.DictReader(open(out / 'clusters.csv')))
    ok = [r for r in rows if not r['error']]
    assert len(ok) == sum(
        json.load(open(out / f'cell_{i}_clusters.json'))['num_objects']
        for i in range(2)
    )
    assert ok[0]['type'] == obj['type'] and int(ok[0]['area']) == obj['area']


def test_cli_reports_every_bad_input(cli_run, images):
    proc, out = cli_run
    rows = list(csv.DictReader(open(out / 'clusters.csv')))
    errors = {osp.basename(r['image']): r['error'] for r in rows if r['error']}
    assert set(errors) == {'broken.png', 'blank.png', 'empty.png'}
    assert 'not a readable image' in errors['broken.png']
    assert 'blank image' in errors['blank.png']
    assert 'no foreground object' in errors['empty.png']
    for name, message in errors.items():
        assert message.startswith(str(images / name))
        assert f'not processed: {message}' in proc.stdout
    assert '2 image(s) processed' in proc.stdout and '3 not' in proc.stdout


def test_cli_does_not_overwrite_without_force(
    tiny_cluster_checkpoint, images, cli_run, capsys
):
    _, checkpoint, _ = tiny_cluster_checkpoint
    _, out = cli_run
    target = out / 'cell_0_clusters.json'
    before = target.read_bytes()
    os.utime(target, (1, 1))
    args = (str(images / 'cell_0.png'), '--out', str(out))
    status, _, err = _clusters_here(capsys, checkpoint, *args)
    assert status == 1
    assert 'pass --force' in err and str(target) in err
    assert os.stat(target).st_mtime == 1 and target.read_bytes() == before
    status, _, err = _clusters_here(capsys, checkpoint, *args, '--force')
    assert status == 0, err
    assert os.stat(target).st_mtime > 1
    assert json.loads(target.read_bytes()) == json.loads(before)
    assert (out / 'notes.txt').read_text() == 'a user file'


def test_cli_fails_when_nothing_can_be_processed(
    tiny_cluster_checkpoint, images, tmp_path, capsys
):
    _, checkpoint, _ = tiny_cluster_checkpoint
    status, out, _ = _clusters_here(
        capsys,
        checkpoint,
        str(images / 'blank.png'),
        str(tmp_path / 'missing.png'),
        '--out',
        str(tmp_path / 'out'),
    )
    assert status == 1
    assert 'missing.png: no such file or folder' in out
    assert 'blank image' in out


def test_cli_needs_a_cluster_checkpoint(images, tmp_path, capsys):
    with pytest.raises(FileNotFoundError, match='nope.pth: no such file'):
        _clusters_here(
            capsys,
            str(tmp_path / 'nope.pth'),
            str(images / 'cell_0.png'),
            '--out',
            str(tmp_path / 'out'),
        )
    from deepacc.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(['clusters', str(images), '--out', str(tmp_path)])
    assert exit_info.value.code == 2
    assert '--checkpoint' in capsys.readouterr().err


def test_cli_shape_reading_and_no_shape(
    tiny_cluster_checkpoint, images, cli_run, tmp_path, capsys
):
    _, checkpoint, _ = tiny_cluster_checkpoint
    _, out = cli_run
    args = (str(images / 'cell_0.png'), '--out', str(tmp_path), '--no-shape')
    status, _, err = _clusters_here(capsys, checkpoint, *args)
    assert status == 0, err
    alone = json.load(open(tmp_path / 'cell_0_clusters.json'))['objects']
    read = json.load(open(out / 'cell_0_clusters.json'))['objects']
    assert all('shape' not in o for o in alone)
    assert [o['bbox'] for o in alone] == [o['bbox'] for o in read]
    clusters = ('touching', 'overlapping', 'touching+overlapping')
    assert any(a['type'] in clusters for a in alone)
    for a, r in zip(alone, read):
        # The shape is read exactly where the model called a cluster; a
        # one-band object is then single, any other keeps the call.
        assert ('shape' in r) == (a['type'] in clusters)
        if 'shape' in r and r['shape']['one_band']:
            assert r['type'] == 'single'
        else:
            assert r['type'] == a['type']
