"""Fixtures shared across test folders."""

import os
import os.path as osp
import subprocess
import sys

import pytest

from deepacc.testing import REPO_ROOT, config_path

CLUSTER_CONFIG = 'cluster_types/cluster-type_r18_600it_synth-cpu.py'


def write_tiny_cluster_config(path: str) -> str:
    """The synthetic cluster-type config at test size: 256x192 cells,
    4 training iterations of 2 cells, 2 val / 2 test cells, no workers."""
    synth = dict(width=256, height=192, batch_effect=1.0)
    loader = 'num_workers=0, persistent_workers=False'
    lines = [
        f'_base_ = {config_path(CLUSTER_CONFIG)!r}',
        'train_cfg = dict(max_iters=4, val_interval=4)',
        'default_hooks = dict(logger=dict(interval=1), '
        'checkpoint=dict(interval=4))',
        f'train_dataloader = dict(batch_size=2, {loader}, dataset=dict('
        f'metaphases=dict(num_samples=4, synth={synth!r})))',
        f'val_dataloader = dict({loader}, dataset=dict('
        f'metaphases=dict(num_samples=2, synth={synth!r})))',
        f'test_dataloader = dict({loader}, dataset=dict('
        f'metaphases=dict(num_samples=2, synth={synth!r})))',
        'randomness = dict(seed=0)',
    ]
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return path


@pytest.fixture(scope='session')
def tiny_cluster_checkpoint(tmp_path_factory):
    """(config, checkpoint, train log) of a 4-iteration cluster-type
    model trained with tools/train.py: useless, but a real Runner
    checkpoint (with its config inside)."""
    root = tmp_path_factory.mktemp('cluster_ckpt')
    config = write_tiny_cluster_config(str(root / 'tiny_clusters.py'))
    work = root / 'work'
    env = dict(os.environ, OMP_NUM_THREADS='2', PYTHONUNBUFFERED='1')
    proc = subprocess.run(
        [
            sys.executable,
            osp.join(REPO_ROOT, 'tools', 'train.py'),
            config,
            '--work-dir',
            str(work),
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    checkpoint = work / 'iter_4.pth'
    assert checkpoint.is_file(), sorted(os.listdir(work))
    return config, str(checkpoint), log
