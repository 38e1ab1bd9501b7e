"""configs/deepacc reproduces paper Table 1 by inheritance, and every
two-stage config emits the top-1 detections mAP_max, Acc and AER need."""

import pytest
import torch
from mmdet.registry import MODELS
from mmdet.testing import demo_mm_inputs
from mmdet.utils import register_all_modules

import deepacc  # noqa: F401
from deepacc.testing import all_configs, get_config, shrink_model_cfg

register_all_modules()

TABLE1 = {
    # row: (config, bbox head type, siamese, margin, GIA)
    'a': (
        'faster_rcnn/faster-rcnn_r101_fpn_2x_chromosome.py',
        'Shared2FCBBoxHead',
        None,
        None,
        None,
    ),
    'b': (
        'deepacc/faster-rcnn-sep_r101_fpn_2x_chromosome.py',
        'ConvFCBBoxHead',
        None,
        None,
        None,
    ),
    'c': (
        'deepacc/deepacc-aam_r101_fpn_2x_chromosome.py',
        'DeepAccBBoxHead',
        False,
        0.25,
        False,
    ),
    'd': (
        'deepacc/deepacc-siamese_r101_fpn_2x_chromosome.py',
        'DeepAccBBoxHead',
        True,
        0.0,
        False,
    ),
    'e': (
        'deepacc/deepacc-aam-siamese_r101_fpn_2x_chromosome.py',
        'DeepAccBBoxHead',
        True,
        0.25,
        False,
    ),
    'f': (
        'deepacc/deepacc_r101_fpn_2x_chromosome.py',
        'DeepAccBBoxHead',
        True,
        0.25,
        True,
    ),
}
# The stock head, the DeepACC head and the CPU twin (the other rows only
# change loss settings; tests/test_configs.py runs every config).
CPU_TWINS = [
    'deepacc/deepacc_r18-c32_fpn_1x_chromosome-cpu.py',
    'deepacc/deepacc_r18-c32_fpn_2100it_synth-cpu.py',
    'deepacc/deepacc_r18-c32_fpn_3500it_gband-crops-cpu.py',
]
# Row (b) at the CPU widths on the crops recipe (the head (c)-(f) are
# built on; tests/test_demo.py checks it is what benchmarks/ablation.py
# trains as (b)).
SEP_TWINS = ['deepacc/faster-rcnn-sep_r18-c32_fpn_3500it_gband-crops-cpu.py']
# The crops recipe with real-looking training cells (synthesis.appearance)
# -> the recipe it changes.
# Real-look configs and the recipe each changes (training cells only).
REAL_LOOK = {
    'deepacc/deepacc_r18-c32_fpn_3500it_gband-crops-real-look-cpu.py': (
        CPU_TWINS[2]
    ),
    'deepacc/deepacc_r18-c32_fpn_3500it_gband-crops-mixed-look-cpu.py': (
        CPU_TWINS[2]
    ),
    'deepacc/deepacc_r18-c32_fpn_2100it_synth-real-look-wide-cpu.py': (
        CPU_TWINS[1]
    ),
    # The shipped detector (deepacc/pretrained/).
    'deepacc/deepacc_r18-c32_fpn_2100it_synth-real-look-wide-gaps-cpu.py': (
        CPU_TWINS[1]
    ),
}
# Real-look configs that also draw every chromosome larger, in every
# split (the generator's chromosome_scale).
DRAWN_LARGER = {
    'deepacc/deepacc_r18-c32_fpn_2100it_synth-real-look-wide-cpu.py': 1.8,
    'deepacc/deepacc_r18-c32_fpn_2100it_synth-real-look-wide-gaps-cpu.py': 1.8,
}
TOP1_CONFIGS = [TABLE1['a'][0], TABLE1['f'][0], CPU_TWINS[0]]
# Scale jitter -> the recipe it changes (the training resize only).
SCALE_JITTER = {
    'deepacc/deepacc_r18-c32_fpn_3500it_gband-crops-mixed-look-scale-jitter-'
    'cpu.py': 'deepacc/deepacc_r18-c32_fpn_3500it_gband-crops-mixed-look-'
    'cpu.py'
}


@pytest.mark.parametrize('row', sorted(TABLE1))
def test_table1_rows(row):
    config, head_type, siamese, margin, gia = TABLE1[row]
    model = get_config(config).model
    head = model.roi_head.bbox_head
    assert model.roi_head.type == 'DeepAccRoIHead'
    assert head.type == head_type
    assert model.backbone.depth == 101 and head.num_classes == 24
    if head_type == 'ConvFCBBoxHead':
        assert (head.num_shared_fcs, head.num_cls_fcs, head.num_reg_fcs) == (
            0,
            2,
            2,
        )
    if head_type == 'DeepAccBBoxHead':
        assert head.with_siamese is siamese
        assert head.loss_margin.margin == margin
        assert head.loss_margin.scale == 64.0
        assert head.loss_margin.loss_weight == 0.1
        assert head.loss_cls.loss_weight == 1.0
        assert (head.loss_gia is not None) is gia
        if gia:
            assert head.loss_gia.loss_weight == 0.1
        assert head.fc_out_channels == 1024


@pytest.mark.parametrize('twin', CPU_TWINS)
def test_cpu_twin_is_row_f_on_the_cpu_baseline(twin):
    full = get_config('deepacc/deepacc_r101_fpn_2x_chromosome.py').model
    cpu_cfg = get_config(twin)
    base = get_config(
        twin.replace('deepacc/deepacc_', 'faster_rcnn/faster-rcnn_')
    )
    cpu = cpu_cfg.model
    head, full_head = cpu.roi_head.bbox_head, full.roi_head.bbox_head
    for key in set(full_head) - {'in_channels', 'fc_out_channels'}:
        assert head[key] == full_head[key], key
    assert cpu.backbone == base.model.backbone
    assert cpu.rpn_head == base.model.rpn_head
    assert cpu_cfg.train_dataloader == base.train_dataloader
    assert cpu_cfg.train_cfg == base.train_cfg
    assert cpu_cfg.param_scheduler == base.param_scheduler


def test_retinanet_is_the_stock_one_stage_detector():
    model = get_config('retinanet/retinanet_r101_fpn_2x_chromosome.py').model
    assert model.type == 'RetinaNet' and model.backbone.depth == 101
    assert model.bbox_head.num_classes == 24


def test_every_config_is_covered():
    ours = [c for c in all_configs() if c.startswith('deepacc/')]
    listed = {v[0] for v in TABLE1.values()}
    assert set(ours) - listed == set(CPU_TWINS) | set(SEP_TWINS) | set(
        REAL_LOOK
    ) | set(SCALE_JITTER)


@pytest.mark.parametrize('config', sorted(SCALE_JITTER))
def test_scale_jitter_changes_the_training_resize_only(config):
    cfg, base = get_config(config), get_config(SCALE_JITTER[config])
    pipeline = cfg.train_dataloader.dataset.pop('pipeline')
    base_pipeline = base.train_dataloader.dataset.pop('pipeline')
    resize = [k for k, s in enumerate(base_pipeline) if s.type == 'Resize']
    assert len(resize) == 1
    jitter = pipeline[resize[0]]
    assert jitter.type == 'RandomResize' and jitter.ratio_range == (0.5, 2.0)
    assert jitter.scale == base_pipeline[resize[0]].scale
    assert [s for k, s in enumerate(pipeline) if k != resize[0]] == [
        s for k, s in enumerate(base_pipeline) if k != resize[0]
    ]
    assert cfg.train_dataloader == base.train_dataloader
    # The training width is measured without the jitter.
    (hook,) = cfg.custom_hooks
    assert hook.type == 'ChromosomeScaleHook'
    assert hook.pipeline == base_pipeline
    for key in ('model', 'val_dataloader', 'test_dataloader', 'train_cfg'):
        assert cfg[key] == base[key], key


@pytest.mark.parametrize('config', sorted(REAL_LOOK))
def test_real_look_changes_the_training_cells_only(config):
    cfg, base = get_config(config), get_config(REAL_LOOK[config])
    if config in DRAWN_LARGER:
        for split in ('train', 'val', 'test'):
            synth = cfg[f'{split}_dataloader'].dataset.synth
            assert synth.pop('chromosome_scale') == DRAWN_LARGER[config]
    train, base_train = cfg.train_dataloader, base.train_dataloader
    maker = 'compose' if 'compose' in train.dataset else 'synth'
    options = train.dataset.pop(maker)
    # Condensed and degraded always; the composer's clutter and the
    # mixing rate where set.
    assert {'condense', 'degrade'} <= set(options)
    for key in ('condense', 'degrade', 'clutter', 'real_look_rate'):
        options.pop(key, None)
    assert options == base_train.dataset.pop(maker)
    assert train == base_train
    for key in ('model', 'val_dataloader', 'test_dataloader', 'train_cfg'):
        assert cfg[key] == base[key], key


@pytest.mark.parametrize('config', TOP1_CONFIGS)
def test_predict_emits_top1_instances(config):
    """Each top-1 detection is its proposal's best foreground class, with
    that class's score. The untrained model's scores sit near 1/25, so
    the score threshold is 0: every proposal makes a detection."""
    model_cfg = shrink_model_cfg(get_config(config).model)
    model_cfg.test_cfg.rcnn.score_thr = 0.0
    torch.manual_seed(0)
    model = MODELS.build(model_cfg)
    model.eval()
    packed = demo_mm_inputs(
        2, [(3, 64, 96)] * 2, num_items=[3, 0], num_classes=24
    )
    with torch.no_grad():
        results = model.test_step(packed)
    for result in results:
        top1 = result.to_dict()['pred_top1_instances']
        n = len(top1['labels'])
        assert n > 0
        assert top1['bboxes'].shape == (n, 4) and top1['scores'].shape == (n,)
        assert top1['class_scores'].shape == (n, 25)
        assert (top1['labels'] < 24).all()
        foreground = top1['class_scores'][:, :-1]
        assert torch.equal(top1['labels'], foreground.argmax(1))
        assert torch.equal(
            top1['scores'], foreground.gather(1, top1['labels'][:, None])[:, 0]
        )
