"""``deepacc classify`` end to end through subprocesses: train a few
iterations, evaluate, predict; nothing overwritten without --force."""

import csv
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
from mmengine.config import Config

from deepacc.cli.classify import DEFAULT_CONFIG
from deepacc.datasets.crops import read_crop
from deepacc.scale import crops_length
from deepacc.testing import REPO_ROOT, get_config, make_tiny_crops

# The tiny backbone gives 32 channels a view; every member of an
# ensemble shrunk alike.
_MODEL = get_config(DEFAULT_CONFIG).model
_MEMBERS = (
    [(f'model.members.{k}', m) for k, m in enumerate(_MODEL.members)]
    if 'members' in _MODEL
    else [('model', _MODEL)]
)
TINY_OPTIONS = (
    ['--cfg-options']
    + [
        option
        for key, member in _MEMBERS
        for option in (
            f'{key}.backbone.base_channels=8',
            f'{key}.head.in_channels={32 * member.get("num_views", 1)}',
            f'{key}.head.fc_out_channels=32',
        )
    ]
    + [
        f'{split}_dataloader.dataset.input_size=(64,24)'
        for split in ('train', 'val', 'test')
    ]
)


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
    assert 'loss_polarity' in trained['log'] and 'loss_aam' in trained['log']
    assert osp.isfile(osp.join(trained['work'], 'iter_3.pth'))
    assert osp.isfile(osp.join(trained['work'], 'config.py'))
    # The default config: two cosine classifiers with test-time flips,
    # the second reading the crops straightened.
    cfg = Config.fromfile(osp.join(trained['work'], 'config.py'))
    assert cfg.model.type == 'ChromosomeCropEnsemble'
    assert cfg.train_dataloader.dataset.straighten == 'both'
    for member in cfg.model.members:
        assert not member.head.with_siamese and member.head.loss_gia is None
        assert len(member.test_cfg.flips) == 3
    # A second run into the same folder needs --force.
    code, out = _classify_here(
        capsys, 'train', '--crops', 'x', '--work-dir', trained['work']
    )
    assert code == 1 and 'use --force' in out


LAB_CONFIG = (
    'crop_classification/'
    'cos-cls-pair_r18-c32_400it-lab-karyograms_gband-crops-cpu.py'
)


def test_fine_tune_on_a_lab_s_crops(trained, crops_root, tmp_path, capsys):
    lab = make_tiny_crops(
        str(tmp_path / 'lab'),
        {f'lab.k{i}': ('1', '2', '21', 'X', 'Y') for i in range(2)},
    )
    start = osp.join(trained['work'], 'iter_3.pth')
    work = str(tmp_path / 'tuned')
    # The lab config wants both the lab's crops and a model to start from.
    base = ['train', '--config', LAB_CONFIG, '--crops', crops_root]
    code, out = _classify_here(
        capsys, *base, '--work-dir', work, '--load-from', start
    )
    assert code == 1 and 'pass --lab-crops' in out
    code, out = _classify_here(
        capsys, *base, '--work-dir', work, '--lab-crops', lab
    )
    assert code == 1 and 'pass --load-from' in out
    _, out = _classify(
        *base,
        '--work-dir',
        work,
        '--lab-crops',
        lab,
        '--load-from',
        start,
        '--iters',
        '2',
        *TINY_OPTIONS,
    )
    assert 'training on 3 cells and 2 lab cells (34 crops)' in out
    assert f'Load checkpoint from {start}' in out
    cfg = Config.fromfile(osp.join(work, 'config.py'))
    assert cfg.train_dataloader.dataset.lab_crops == lab
    assert cfg.train_dataloader.dataset.lab_repeat == 10
    assert osp.isfile(osp.join(work, 'iter_2.pth'))


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
    assert metrics['reading'] == 'joint'
    assert metrics['accuracy'] == metrics['readings']['joint']['accuracy']
    assert set(metrics['readings']) == {'joint', 'independent'}
    assert 0 <= metrics['karyotypes_right'] <= 1
    assert 'karyotypes right (ISCN) per cell: joint ' in out
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
        'karyotype',
        'class',
        'score',
        'polarity',
        'polarity_confidence',
        'scale_factor',
    }
    assert rows[0]['polarity'] in ('p-arm up', 'p-arm down')
    # Training recorded its crops' width: each cell is brought to it
    # (the test cells are cut like the training ones: a factor near 1).
    for cell in {r['cell'] for r in rows}:
        (factor,) = {r['scale_factor'] for r in rows if r['cell'] == cell}
        assert 0.7 < float(factor) < 1.4
    # One karyotype per cell, of its eight crops.
    for cell in {r['cell'] for r in rows}:
        (karyotype,) = {r['karyotype'] for r in rows if r['cell'] == cell}
        assert karyotype.startswith('8,')
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


def test_evaluate_reads_the_cell_together(
    untrained, joint_root, hand_made, tmp_path, capsys
):
    """The hand-made cell: three 1s and one 2 called crop by crop, two of
    each read together; both readings reported, the joint one by default
    and the independent one with --independent."""
    from deepacc.classification import cell_karyotype

    args = [untrained['config'], untrained['checkpoint']]
    args += ['--crops', joint_root, '--cell-split', 'all']
    out_dir = tmp_path / 'eval'
    code, out = _classify_here(
        capsys, 'evaluate', *args, '--out', str(out_dir)
    )
    assert code == 0, out
    metrics = json.load(open(out_dir / 'metrics.json'))
    assert metrics['reading'] == 'joint' and metrics['crops'] == 4
    assert metrics['accuracy'] == 1.0 and metrics['karyotypes_right'] == 1
    readings = metrics['readings']
    assert readings['joint'] == dict(
        accuracy=1.0, macro_f1=1.0, karyotypes_right=1
    )
    assert readings['independent']['accuracy'] == 0.75
    assert readings['independent']['karyotypes_right'] == 0
    assert 'type accuracy per crop: joint 100.00%, independent 75.00%' in out
    assert 'karyotypes right (ISCN) per cell: joint 1 of 1, ' in out
    assert 'independent 0 of 1' in out
    rows = list(csv.DictReader(open(out_dir / 'karyotypes.csv')))
    truth = cell_karyotype([0, 0, 1, 1])
    assert rows == [
        dict(
            cell='case9.cell9',
            crops='4',
            true=truth,
            joint=truth,
            independent=cell_karyotype([0, 0, 0, 1]),
        )
    ]

    out_dir = tmp_path / 'independent'
    code, out = _classify_here(
        capsys, 'evaluate', *args, '--out', str(out_dir), '--independent'
    )
    assert code == 0, out
    metrics = json.load(open(out_dir / 'metrics.json'))
    assert metrics['reading'] == 'independent'
    assert metrics['accuracy'] == 0.75 and metrics['karyotypes_right'] == 0
    assert 'independent reading: accuracy 75.00%' in out


def test_predict_reads_the_cell_together(
    untrained, joint_root, hand_made, tmp_path, capsys
):
    from deepacc.classification import cell_karyotype

    args = [untrained['config'], untrained['checkpoint'], joint_root]
    code, out = _classify_here(
        capsys, 'predict', *args, '--out', str(tmp_path / 'joint.csv')
    )
    assert code == 0, out
    rows = list(csv.DictReader(open(tmp_path / 'joint.csv')))
    assert [r['class'] for r in rows] == ['1', '1', '2', '2']
    assert {r['karyotype'] for r in rows} == {cell_karyotype([0, 0, 1, 1])}
    assert {r['cell'] for r in rows} == {'case9.cell9'}

    code, out = _classify_here(
        capsys,
        'predict',
        *args,
        '--out',
        str(tmp_path / 'independent.json'),
        '--independent',
    )
    assert code == 0, out
    record = json.load(open(tmp_path / 'independent.json'))
    assert record['reading'] == 'independent'
    assert [c['class'] for c in record['crops']] == ['1', '1', '1', '2']
    crops = [
        read_crop(osp.join(joint_root, c['file'])) for c in record['crops']
    ]
    independent = cell_karyotype([0, 0, 0, 1])
    assert record['cells'] == [
        dict(
            cell='case9.cell9',
            karyotype=independent,
            crops=4,
            relabelled=0,
            # The default brings each cell to a median length of 60 px.
            scale_factor=round(60.0 / crops_length(crops), 4),
        )
    ]
    assert {c['karyotype'] for c in record['crops']} == {independent}
