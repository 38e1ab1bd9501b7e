"""Every config parses, and a shrunk copy builds and runs on CPU."""

import copy
import filecmp
import importlib.util
import os
import os.path as osp
import subprocess
import sys

import mmdet
import pytest
import torch
from mmdet.registry import MODELS
from mmdet.testing import demo_mm_inputs
from mmdet.utils import register_all_modules
from mmengine.config import Config

import deepacc  # noqa: F401
from deepacc.chromosomes import CLASSES
from deepacc.testing import (
    REPO_ROOT,
    all_configs,
    get_config,
    shrink_model_cfg,
)
from deepacc.utils import get_config_path, get_tool_path

register_all_modules()
CONFIGS = all_configs()


def test_config_tree_is_not_empty():
    assert 'faster_rcnn/faster-rcnn_r101_fpn_2x_chromosome.py' in CONFIGS
    assert (
        'faster_rcnn/faster-rcnn_r18-c32_fpn_1x_chromosome-cpu.py' in CONFIGS
    )


@pytest.mark.parametrize('config', CONFIGS)
def test_config_parses_and_targets_chromosomes(config):
    cfg = get_config(config)
    assert 'deepacc' in cfg.custom_imports['imports']
    # Files (COCO), or cells rendered on the fly; one kind per config.
    kinds = {
        cfg[f'{split}_dataloader'].dataset.type
        for split in ('train', 'val', 'test')
    }
    assert len(kinds) == 1
    assert kinds <= {
        'ChromosomeDataset',
        'SynthMetaphaseDataset',
        'ComposedMetaphaseDataset',
    }
    text = cfg.pretty_text
    assert 'num_classes=80' not in text.replace(' ', '')
    assert 'num_classes=24' in text.replace(' ', '')


@pytest.mark.parametrize(
    'config', [c for c in CONFIGS if c.endswith('-cpu.py')]
)
def test_cpu_recipe_trains_every_layer_from_scratch(config):
    """From random weights nothing may stay frozen and BN must learn its
    statistics (mmdet's default freezes the stem and BN, which only suits
    ImageNet weights)."""
    backbone = get_config(config).model.backbone
    assert backbone.init_cfg is None
    assert backbone.frozen_stages == -1 and backbone.norm_eval is False


def test_online_configs_keep_test_cells_out_of_training():
    for name in ('deepacc', 'faster-rcnn'):
        folder = 'deepacc' if name == 'deepacc' else 'faster_rcnn'
        crops = get_config(
            f'{folder}/{name}_r18-c32_fpn_3500it_gband-crops-cpu.py'
        )
        splits = [
            crops[f'{s}_dataloader'].dataset for s in ('train', 'val', 'test')
        ]
        assert [d.cell_split for d in splits] == ['train', 'val', 'test']
        assert len({(d.split_ratios, d.split_seed) for d in splits}) == 1
        assert [d.get('test_mode', False) for d in splits] == [
            False,
            True,
            True,
        ]
        synth = get_config(f'{folder}/{name}_r18-c32_fpn_2100it_synth-cpu.py')
        seeds = [
            synth[f'{s}_dataloader'].dataset.seed
            for s in ('train', 'val', 'test')
        ]
        assert len(set(seeds)) == 3


def _batch(num_classes=len(CLASSES)):
    torch.manual_seed(0)
    return demo_mm_inputs(
        batch_size=2,
        image_shapes=[(3, 64, 96), (3, 64, 96)],
        num_items=[5, 0],  # the second image has no ground truth
        num_classes=num_classes,
        with_mask=False,
    )


# Configs that differ only in their data or schedule shrink to the same
# model: each shrunk model is run once, for the first of its configs.
_RAN = {}


@pytest.mark.parametrize('config', CONFIGS)
def test_shrunk_model_runs_loss_predict_tensor(config):
    model_cfg = shrink_model_cfg(get_config(config).model)
    key = repr(model_cfg.to_dict())
    if key in _RAN:
        return  # the same model passed this test for _RAN[key]
    model = MODELS.build(model_cfg)
    model.init_weights()
    data = model.data_preprocessor(_batch(), training=True)

    model.train()
    losses = model(**data, mode='loss')
    total, _ = model.parse_losses(losses)
    assert torch.isfinite(total)
    total.backward()

    model.eval()
    with torch.no_grad():
        data = model.data_preprocessor(_batch(), training=False)
        results = model(**copy.deepcopy(data), mode='predict')
        assert len(results) == 2
        for result in results:
            pred = result.pred_instances
            assert len(pred.bboxes) == len(pred.scores) == len(pred.labels)
            if len(pred.labels):
                assert int(pred.labels.max()) < len(CLASSES)
        outputs = model(**data, mode='tensor')
        assert outputs is not None
    _RAN[key] = config


def _strip_scope(node):
    # Inheriting by 'mmdet::' scope tags each dict with '_scope_'.
    if isinstance(node, dict):
        return {k: _strip_scope(v) for k, v in node.items() if k != '_scope_'}
    if isinstance(node, (list, tuple)):
        return [_strip_scope(v) for v in node]
    return node


def _model_and_schedule(cfg):
    cfg = _strip_scope(cfg.to_dict())
    return dict(
        model=cfg['model'],
        train_cfg=cfg['train_cfg'],
        param_scheduler=cfg['param_scheduler'],
        optim_wrapper=cfg['optim_wrapper'],
    )


def test_paper_baseline_equals_stock_faster_rcnn_r101_2x():
    """Our R101 baseline is mmdet's faster-rcnn_r101_fpn_2x_coco.py with the
    dataset swapped: model and schedule agree except for the class count
    and the RoI head type (DeepAccRoIHead adds the top-1 outputs)."""
    ours = _model_and_schedule(
        get_config('faster_rcnn/faster-rcnn_r101_fpn_2x_chromosome.py')
    )
    stock = _model_and_schedule(
        Config.fromfile(
            osp.join(
                osp.dirname(mmdet.__file__),
                '.mim',
                'configs',
                'faster_rcnn',
                'faster-rcnn_r101_fpn_2x_coco.py',
            )
        )
    )
    assert ours['model']['roi_head']['bbox_head']['num_classes'] == 24
    assert ours['model']['roi_head']['type'] in (
        'StandardRoIHead',
        'DeepAccRoIHead',
    )
    for side in (ours, stock):
        side['model']['roi_head']['bbox_head'].pop('num_classes')
        side['model']['roi_head'].pop('type')
    assert ours == stock


def _files(root):
    """Every file under ``root``, relative to it."""
    return sorted(
        osp.relpath(osp.join(folder, name), root)
        for folder, _, names in os.walk(root)
        if '__pycache__' not in folder
        for name in names
    )


def test_get_config_path_finds_every_shipped_config():
    shipped = _files(osp.join(REPO_ROOT, 'configs'))
    assert len([f for f in shipped if f.endswith('.py')]) > 20
    for relative in shipped:
        assert osp.isfile(get_config_path(relative)), relative
    assert osp.isfile(get_tool_path('train.py'))
    assert not osp.exists(get_config_path('deepacc/no_such_config.py'))


def test_wheel_build_ships_configs_and_tools(tmp_path):
    """``pip install .`` installs what setup.py's build_py writes: a copy
    of configs/ and tools/ in deepacc/.mim, where the path lookup of the
    installed package finds them and ``_base_`` inheritance (relative
    paths and ``mmdet::`` scope) still resolves."""
    build = tmp_path / 'build'
    proc = subprocess.run(
        [
            sys.executable,
            'setup.py',
            '-q',
            'build_py',
            '--build-lib',
            str(build),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    mim = build / 'deepacc' / '.mim'
    for folder in ('configs', 'tools'):
        ours = osp.join(REPO_ROOT, folder)
        assert _files(mim / folder) == _files(ours)
        match, mismatch, errors = filecmp.cmpfiles(
            ours, mim / folder, _files(ours), shallow=False
        )
        assert not mismatch and not errors
    # The lookup as the installed package runs it (only this module is
    # loaded from the build; it depends on nothing but its own place).
    spec = importlib.util.spec_from_file_location(
        'installed_path', build / 'deepacc' / 'utils' / 'path.py'
    )
    installed = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(installed)
    assert installed.get_config_path() == str(mim / 'configs')
    assert installed.get_tool_path('train.py') == str(
        mim / 'tools' / 'train.py'
    )
    relative = 'deepacc/deepacc_r18-c32_fpn_2100it_synth-cpu.py'
    path = installed.get_config_path(relative)
    assert path == str(mim / 'configs' / relative)
    assert Config.fromfile(path).to_dict() == get_config(relative).to_dict()
