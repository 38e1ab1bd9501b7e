"""``deepacc classify`` end to end through subprocesses: train a few
iterations, evaluate, predict; nothing overwritten without --force."""

import csv
import json
import os
import os.path as osp
import subprocess
import sys

import pytest

from deepacc.testing import REPO_ROOT

TINY_OPTIONS = [
    '--cfg-options',
    'model.backbone.base_channels=8',
    'model.head.in_channels=32',
    'model.head.fc_out_channels=32',
] + [
    f'{split}_dataloader.dataset.input_size=(64,24)'
    for split in ('train', 'val', 'test')
]


def _classify(*args):
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONUNBUFFERED='1')
    proc = subprocess.run(
        [sys.executable, '-m', 'deepacc.cli', 'classify', *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    return proc.returncode, out


def _classify_here(capsys, *args):
    """The same command in this process (for the quick refusals)."""
    from deepacc.cli import main

    code = main(['classify', *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.fixture(scope='module')
def trained(crops_root, tmp_path_factory):
    work = str(tmp_path_factory.mktemp('classify') / 'work')
    _, out = _classify(
        'train',
        '--crops',
        crops_root,
        '--work-dir',
        work,
        '--iters',
        '3',
        *TINY_OPTIONS,
    )
    return dict(work=work, log=out)


def test_train_writes_checkpoint_and_config(trained, capsys):
    assert 'training on 3 cells (24 crops) for 3 iterations' in trained['log']
    assert 'Iter(train) [3/3]' in trained['log']
    assert 'loss_polarity' in trained['log'] and 'loss_gia' in trained['log']
    assert osp.isfile(osp.join(trained['work'], 'iter_3.pth'))
    assert osp.isfile(osp.join(trained['work'], 'config.py'))
    # A second run into the same folder needs --force.
    code, out = _classify_here(
        capsys, 'train', '--crops', 'x', '--work-dir', trained['work']
    )
    assert code == 1 and 'use --force' in out


def test_evaluate_writes_metrics_and_confusion(
    trained, crops_root, tmp_path, capsys
):
    config = osp.join(trained['work'], 'config.py')
    ckpt = osp.join(trained['work'], 'iter_3.pth')
    out_dir = str(tmp_path / 'eval')
    _, out = _classify(
        'evaluate', config, ckpt, '--crops', crops_root, '--out', out_dir
    )
    metrics = json.load(open(osp.join(out_dir, 'metrics.json')))
    assert metrics['cell_split'] == 'test' and metrics['cells'] == 1
    assert metrics['crops'] == 8 and metrics['polarity_crops'] == 8
    assert 0 <= metrics['accuracy'] <= 1 and len(metrics['f1']) == 24
    assert f'accuracy {100 * metrics["accuracy"]:.2f}%' in out
    assert osp.getsize(osp.join(out_dir, 'confusion_matrix.png')) > 0
    code, out = _classify_here(
        capsys,
        'evaluate',
        config,
        ckpt,
        '--crops',
        crops_root,
        '--out',
        out_dir,
    )
    assert code == 1 and 'metrics.json exists' in out


def test_predict_csv_json_and_bad_files(trained, crops_root, tmp_path, capsys):
    config = osp.join(trained['work'], 'config.py')
    ckpt = osp.join(trained['work'], 'iter_3.pth')
    result = str(tmp_path / 'pred.csv')
    _, out = _classify('predict', config, ckpt, crops_root, '--out', result)
    assert 'in 5 group(s)' in out  # one per cell folder
    rows = list(csv.DictReader(open(result)))
    assert len(rows) == 40
    assert set(rows[0]) == {
        'file',
        'cell',
        'class',
        'score',
        'polarity',
        'polarity_confidence',
    }
    assert rows[0]['polarity'] in ('p-arm up', 'p-arm down')
    assert 0.5 <= float(rows[0]['polarity_confidence']) <= 1
    code, out = _classify_here(
        capsys, 'predict', config, ckpt, crops_root, '--out', result
    )
    assert code == 1 and 'use --force' in out
    folder = tmp_path / 'mine'
    folder.mkdir()
    (folder / 'broken.png').write_bytes(b'no image')
    good = rows[0]['file']
    os.link(osp.join(crops_root, good), folder / 'a.tiff')
    code, out = _classify_here(
        capsys,
        'predict',
        config,
        ckpt,
        str(folder),
        '--out',
        str(tmp_path / 'p.json'),
    )
    assert code == 1 and 'broken.png: not a readable image' in out
    code, _ = _classify_here(
        capsys,
        'predict',
        config,
        ckpt,
        str(folder),
        '--out',
        str(tmp_path / 'p.json'),
        '--skip-invalid',
    )
    assert code == 0
    record = json.load(open(tmp_path / 'p.json'))
    assert [c['file'] for c in record['crops']] == ['a.tiff']
    assert len(record['skipped']) == 1
