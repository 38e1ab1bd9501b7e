"""Fixtures shared across test folders."""

import os
import os.path as osp
import subprocess
import sys

import pytest
import torch

from deepacc.testing import (
    REPO_ROOT,
    get_config,
    make_tiny_coco,
    write_tiny_config,
)

CLUSTER_CONFIG = 'cluster_types/cluster-type_r18_600it_synth-cpu.py'
DETECTOR_CONFIG = 'faster_rcnn/faster-rcnn_r18-c32_fpn_1x_chromosome-cpu.py'


def pytest_configure(config):
    """One OpenMP thread for torch, here and in the tools the tests start
    (unless OMP_NUM_THREADS says otherwise): the tests' models are tiny,
    and on a busy 2-core machine a second thread mostly waits for the
    first (the shrunk-model tests of test_configs.py ran 3 times faster
    with one)."""
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    torch.set_num_threads(int(os.environ['OMP_NUM_THREADS']))


def train_with_tool(config: str, work_dir: str) -> str:
    """Run ``tools/train.py CONFIG --work-dir WORK_DIR`` in a subprocess.

    Args:
        config (str): Config file.
        work_dir (str): The Runner's work directory.

    Returns:
        str: The run's stdout and stderr (the training log).
    """
    env = dict(os.environ, PYTHONUNBUFFERED='1')
    env.pop('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', None)
    proc = subprocess.run(
        [
            sys.executable,
            osp.join(REPO_ROOT, 'tools', 'train.py'),
            config,
            '--work-dir',
            work_dir,
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    return log


def write_tiny_cluster_config(path: str) -> str:
    """The synthetic cluster-type config at test size: 256x192 cells,
    4 training iterations of 2 cells, 2 val / 2 test cells, no workers."""
    cfg = get_config(CLUSTER_CONFIG)
    synth = dict(width=256, height=192, batch_effect=1.0)
    loader = dict(num_workers=0, persistent_workers=False)

    def cells(num):
        return dict(metaphases=dict(num_samples=num, synth=synth))

    cfg.merge_from_dict(
        dict(
            train_cfg=dict(max_iters=4, val_interval=4),
            default_hooks=dict(
                logger=dict(interval=1), checkpoint=dict(interval=4)
            ),
            train_dataloader=dict(batch_size=2, **loader, dataset=cells(4)),
            val_dataloader=dict(**loader, dataset=cells(2)),
            test_dataloader=dict(**loader, dataset=cells(2)),
            randomness=dict(seed=0),
        )
    )
    cfg.dump(path)
    return path


@pytest.fixture(scope='session')
def tiny_detector(tmp_path_factory):
    """A Faster R-CNN (the CPU config, shrunk) trained with tools/train.py
    for one epoch of 4 tiny images (2 iterations of 2), then validated on
    the same images: useless, but a real Runner checkpoint.

    Returns:
        dict: ``root`` (the fixture's folder), ``config`` (the config
        written for it), ``work_dir``, ``checkpoint``, ``dumped_config``
        (the config as the Runner saved it beside the checkpoint, data
        paths included, as a user would have it), ``images`` (the image
        folder) and ``log`` (the training log).
    """
    root = tmp_path_factory.mktemp('tiny_detector')
    data = root / 'data'
    make_tiny_coco(str(data), num_images=4, seed=0)
    config = write_tiny_config(
        str(root / 'tiny.py'),
        DETECTOR_CONFIG,
        str(data),
        max_epochs=1,
        options=dict(randomness=dict(seed=0)),
    )
    work_dir = root / 'work'
    log = train_with_tool(config, str(work_dir))
    checkpoint = work_dir / 'epoch_1.pth'
    assert checkpoint.is_file(), sorted(os.listdir(work_dir))
    return dict(
        root=root,
        config=config,
        work_dir=str(work_dir),
        checkpoint=str(checkpoint),
        dumped_config=str(work_dir / 'tiny.py'),
        images=str(data / 'images'),
        log=log,
    )


@pytest.fixture(scope='session')
def tiny_cluster_checkpoint(tmp_path_factory):
    """(config, checkpoint, train log) of a 4-iteration cluster-type
    model trained with tools/train.py: useless, but a real Runner
    checkpoint (with its config inside)."""
    root = tmp_path_factory.mktemp('cluster_ckpt')
    config = write_tiny_cluster_config(str(root / 'tiny_clusters.py'))
    work = root / 'work'
    log = train_with_tool(config, str(work))
    checkpoint = work / 'iter_4.pth'
    assert checkpoint.is_file(), sorted(os.listdir(work))
    return config, str(checkpoint), log
