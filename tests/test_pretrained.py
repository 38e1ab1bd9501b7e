"""The detector deepacc ships (deepacc/pretrained/) and how it is made
(``deepacc publish``): a new user karyotypes an image without training."""

import json
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config

from deepacc.cli.karyotype import split_model_arguments
from deepacc.karyotype import Karyotyper
from deepacc.pretrained import (
    PRETRAINED_WEIGHTS,
    pretrained_detector,
)
from deepacc.synthesis import SynthOptions, render_metaphase

# The shipped detector's config, read once.
SHIPPED = Config.fromfile(pretrained_detector()[0])


def test_the_shipped_detector_is_small_half_precision_and_measured():
    _, weights = pretrained_detector()
    assert osp.getsize(weights) <= 20 * 2**20  # the limit
    state = torch.load(weights, map_location='cpu')
    assert set(state) == {'meta', 'state_dict'}  # nothing for resuming
    floats = [v for v in state['state_dict'].values() if v.is_floating_point()]
    assert floats and all(v.dtype == torch.float16 for v in floats)
    # --scale auto needs the width the model was trained at.
    assert 10 < state['meta']['chromosome_width'] < 25
    assert len(state['meta']['dataset_meta']['classes']) == 24
    # Trained on generated cells only: no crops anywhere in its data.
    train = SHIPPED.train_dataloader.dataset
    assert train.type == 'SynthMetaphaseDataset'
    assert 'crops' not in train


def _cell(seed, **options):
    """A generated cell drawn as the shipped model's test cells are, and
    its number of chromosomes."""
    synth = SHIPPED.test_dataloader.dataset.synth.to_dict()
    synth.update(options)
    image, sprites, _ = render_metaphase(
        np.random.default_rng(seed), SynthOptions(**synth)
    )
    return image, len(sprites)


@pytest.fixture(scope='module')
def karyotyper():
    return Karyotyper(*pretrained_detector(), device='cpu')


def test_the_shipped_detector_counts_generated_cells(karyotyper):
    """Its own kind of cell, and one drawn with the real look (condensed,
    degraded) captured at 0.6 times the size: ``--scale auto`` brings it
    back to the model's width."""
    image, truth = _cell(7)
    record = karyotyper(cv2.cvtColor(image, cv2.COLOR_GRAY2BGR))
    assert abs(len(record['detections']) - truth) <= 3
    synth = SHIPPED.train_dataloader.dataset.synth
    image, truth = _cell(8, condense=synth.condense, degrade=synth.degrade)
    small = cv2.resize(
        image, None, fx=0.6, fy=0.6, interpolation=cv2.INTER_AREA
    )
    record = karyotyper(cv2.cvtColor(small, cv2.COLOR_GRAY2BGR))
    assert record['scale']['factor'] == pytest.approx(1 / 0.6, rel=0.2)
    assert abs(len(record['detections']) - truth) <= 3


def test_karyotype_without_a_model_uses_the_shipped_one(tmp_path):
    image, _ = _cell(3)
    cv2.imwrite(str(tmp_path / 'cell.png'), image)
    out = tmp_path / 'out'
    proc = subprocess.run(
        [
            sys.executable,
            '-m',
            'deepacc.cli',
            'karyotype',
            str(tmp_path / 'cell.png'),
            '--out',
            str(out),
            '--no-pictures',
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    record = json.loads((out / 'cell.json').read_text())
    assert record['model']['checkpoint'] == PRETRAINED_WEIGHTS
    assert record['total'] > 30


def test_model_arguments_are_split_from_the_images():
    assert split_model_arguments(['a.py', 'a.pth', 'x.png', 'dir']) == (
        'a.py',
        'a.pth',
        ['x.png', 'dir'],
    )
    assert split_model_arguments(['x.png']) == (
        *pretrained_detector(),
        ['x.png'],
    )
    with pytest.raises(ValueError, match='a.py: a config needs its checkp'):
        split_model_arguments(['a.py', 'a.pth'])
