"""``make demo`` end to end on a tiny budget, and the ablation benchmark's
CPU-sized configs."""

import json
import os.path as osp
import subprocess
import sys

import pytest
from mmengine.config import Config

from deepacc.testing import REPO_ROOT, get_config


def test_demo_runs_every_step_into_one_folder(tmp_path):
    out = tmp_path / 'demo'
    proc = subprocess.run(
        [
            sys.executable,
            '-m',
            'deepacc.demo',
            '--out',
            str(out),
            '--num-images',
            '5',
            '--epochs',
            '1',
            '--karyotype-images',
            '1',
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    assert osp.isfile(out / 'train' / 'epoch_1.pth')
    assert osp.isfile(out / 'test' / 'results.pkl')
    assert osp.isfile(out / 'confusion' / 'confusion_matrix.png')
    summary = (out / 'karyotype' / 'summary.csv').read_text()
    assert len(summary.strip().splitlines()) == 2  # header + one image
    records = list((out / 'karyotype').glob('*.json'))
    assert len(records) == 1
    assert 'karyotype' in json.loads(records[0].read_text())
    tail = log[log.index('deepacc demo finished') :]
    for key in ('mAP', 'mAP_max', 'Acc', 'AER', 'whole_cell_correct'):
        assert f'  {key} ' in tail
    assert 'karyogram.png' in tail and 'overlay.png' in tail


def _strip(node):
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k != '_scope_'}
    if isinstance(node, (list, tuple)):
        return [_strip(v) for v in node]
    return node


@pytest.mark.parametrize(
    'variant,twin',
    [
        ('a', 'faster_rcnn/faster-rcnn_r18_fpn_1x_chromosome-cpu.py'),
        ('f', 'deepacc/deepacc_r18_fpn_1x_chromosome-cpu.py'),
    ],
)
def test_ablation_cpu_variants_equal_the_shipped_cpu_twins(
    tmp_path, variant, twin
):
    """benchmarks/ablation.py shrinks each paper config to CPU size; for
    (a) and (f) that must give exactly the shipped CPU configs' models."""
    sys.path.insert(0, osp.join(REPO_ROOT, 'benchmarks'))
    try:
        import ablation
    finally:
        sys.path.pop(0)
    path = tmp_path / f'{variant}.py'
    path.write_text(ablation.variant_config(variant, str(tmp_path), 2, 0))
    derived = Config.fromfile(str(path))
    assert _strip(derived.model.to_dict()) == _strip(
        get_config(twin).model.to_dict()
    )
    assert derived.train_cfg.max_epochs == 2
    assert derived.test_dataloader.dataset.ann_file == 'annotations/test.json'
