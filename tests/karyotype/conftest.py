"""A tiny checkpoint, trained once per test session for the CLI/API tests."""

import os
import os.path as osp
import subprocess
import sys

import pytest

from deepacc.testing import REPO_ROOT, config_path, make_tiny_coco

CONFIG = 'faster_rcnn/faster-rcnn_r18-c32_fpn_1x_chromosome-cpu.py'


@pytest.fixture(scope='session')
def tiny_checkpoint(tmp_path_factory):
    """(config, checkpoint, image folder) of a 1-epoch (2 iteration) model.

    The CPU config trains for one epoch of 4 tiny images (batch 2) with no
    validation; the model is useless, but it is a real Runner checkpoint.
    """
    root = tmp_path_factory.mktemp('karyotype_ckpt')
    data = root / 'data'
    make_tiny_coco(str(data), num_images=4)
    work = root / 'work'
    cmd = [
        sys.executable,
        osp.join(REPO_ROOT, 'tools', 'train.py'),
        config_path(CONFIG),
        '--work-dir',
        str(work),
        '--cfg-options',
        f'train_dataloader.dataset.data_root={data}/',
        'train_dataloader.dataset.ann_file=annotations.json',
        'train_dataloader.dataset.data_prefix.img=images/',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'train_cfg.max_epochs=1',
        'val_cfg=None',
        'val_dataloader=None',
        'val_evaluator=None',
        'randomness.seed=0',
    ]
    env = dict(os.environ, OMP_NUM_THREADS='2')
    proc = subprocess.run(
        cmd,
        cwd=str(root),
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    checkpoint = work / 'epoch_1.pth'
    assert checkpoint.is_file(), sorted(os.listdir(work))
    # The config as trained (with data paths), as a user would have it.
    config = work / osp.basename(CONFIG)
    return str(config), str(checkpoint), str(data / 'images')
