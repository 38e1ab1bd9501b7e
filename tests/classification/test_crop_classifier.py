"""ChromosomeCropClassifier: loss and predict on tiny input, per-cell
local centres, and the shipped configs."""

import copy

import pytest
import torch
from mmdet.registry import MODELS
from mmengine.dataset import pseudo_collate

import deepacc  # noqa: F401
from deepacc.datasets import ChromosomeCropDataset
from deepacc.testing import TINY_CROP_CLASSIFIER as TINY
from deepacc.testing import all_configs, get_config

from .conftest import TINY_SIZE


def _model(**head):
    cfg = copy.deepcopy(TINY)
    cfg['head'].update(head)
    torch.manual_seed(0)
    model = MODELS.build(dict(type='ChromosomeCropClassifier', **cfg))
    model.init_weights()
    return model


def _batch(crops_root, test_mode=False, views=('global',), straighten=False):
    data = ChromosomeCropDataset(
        crops_root,
        cell_split='all',
        input_size=TINY_SIZE,
        test_mode=test_mode,
        views=views,
        straighten=straighten,
    )
    return pseudo_collate([data[0], data[1]])


def test_loss_and_backward(crops_root):
    model = _model()
    model.train()
    batch = model.data_preprocessor(_batch(crops_root), True)
    losses = model(**batch, mode='loss')
    for key in ('loss_cls', 'loss_aam', 'loss_gia', 'loss_polarity'):
        assert torch.isfinite(losses[key]), key
    assert 'loss_bbox' not in losses
    assert 0 <= float(losses['acc_polarity']) <= 100
    total, _ = model.parse_losses(losses)
    total.backward()
    assert model.backbone.conv1.weight.grad.abs().sum() > 0
    assert model.head.fc_polarity.weight.grad.abs().sum() > 0


def test_local_centres_are_chosen_per_cell(crops_root):
    """Two cells in the batch: one row of centres each, every centre a
    crop of its own cell."""
    model = _model(delta=0.0)  # every class gets a local centre
    model.eval()
    batch = model.data_preprocessor(_batch(crops_root, True), False)
    _, head_outs = model(**batch, mode='tensor')
    centres = head_outs['center_inds']
    assert centres.shape == (2, 25)
    sizes = [len(x) for x in batch['inputs']]
    first = centres[0, :24]
    second = centres[1, :24]
    assert ((first >= 0) & (first < sizes[0])).all()
    assert ((second >= sizes[0]) & (second < sum(sizes))).all()


def test_predict_gives_classes_scores_and_polarity(crops_root):
    model = _model()
    model.eval()
    batch = model.data_preprocessor(_batch(crops_root, True), False)
    with torch.no_grad():
        results = model(**batch, mode='predict')
    assert len(results) == 2
    for result, sample in zip(results, batch['data_samples']):
        n = len(sample.labels)
        assert result['pred_labels'].shape == (n,)
        assert int(result['pred_labels'].max()) < 24  # never background
        assert (
            (result['pred_scores'] > 0) & (result['pred_scores'] <= 1)
        ).all()
        assert result['polarity_probs'].shape == (n,)
        assert (result['gt_labels'] == sample.labels).all()
        assert result['cell_id'] == sample.cell_id


def test_polarity_targets_unknown_are_not_trained(crops_root):
    model = _model()
    model.train()
    batch = model.data_preprocessor(_batch(crops_root), True)
    for sample in batch['data_samples']:
        sample.polarity = torch.full_like(sample.labels, -1)
    losses = model(**batch, mode='loss')
    assert float(losses['loss_polarity']) == 0


def test_two_views_through_one_backbone(crops_root):
    """Varifocal-Net's global and zoomed views: one backbone, their
    features side by side for the head (twice its channels)."""
    cfg = copy.deepcopy(TINY)
    cfg['head'].update(in_channels=64)
    torch.manual_seed(0)
    model = MODELS.build(
        dict(type='ChromosomeCropClassifier', num_views=2, **cfg)
    )
    model.init_weights()
    views = ('global', 'zoom')
    batch = model.data_preprocessor(_batch(crops_root, views=views), True)
    assert batch['inputs'][0].shape[1] == 2
    model.eval()  # BN from its running statistics: views independent
    with torch.no_grad():
        feat = model.extract_feat(batch['inputs'][0])
        # Each half of the channels is the backbone on one view.
        zoom_only = model.backbone(batch['inputs'][0][:, 1:])[-1]
        zoom_only = torch.nn.functional.adaptive_avg_pool2d(zoom_only, 7)
    assert feat.shape == (len(batch['inputs'][0]), 64, 7, 7)
    torch.testing.assert_close(feat[:, 32:], zoom_only)
    model.train()
    total, _ = model.parse_losses(model(**batch, mode='loss'))
    assert torch.isfinite(total)
    with pytest.raises(ValueError, match='views'):
        model.extract_feat(batch['inputs'][0][:, :1])


def test_head_with_regression_is_refused():
    with pytest.raises(ValueError, match='with_reg=False'):
        _model(with_reg=True)


CONFIGS = [
    c
    for c in all_configs(classifiers=True)
    if c.startswith('crop_classification/')
]


def test_config_variants():
    names = [c.split('/')[-1] for c in CONFIGS]
    assert len(names) == 13
    # e.g. 'cos-cls_r18-c32_800it_gband-crops-cpu.py' -> ('cos-cls', '800it')
    cfgs = {
        tuple(n.split('_')[i] for i in (0, 2)): get_config(c)
        for n, c in zip(names, CONFIGS)
    }
    heads = {k[0]: c.model.head for k, c in cfgs.items() if k[1] == '800it'}
    full = heads['deepacc-cls']
    assert full.with_siamese and full.loss_margin.margin == 0.25
    assert full.loss_gia is not None and full.with_polarity
    assert not heads['deepacc-cls-aam'].with_siamese
    assert heads['deepacc-cls-siamese'].loss_margin.margin == 0
    plain = heads['cos-cls']
    assert not plain.with_siamese and plain.loss_gia is None
    assert plain.loss_margin.margin == 0
    # The long-schedule, strongly augmented recipe: the cosine classifier
    # and the DeepACC head differ only in the head.
    cos = cfgs['cos-cls', '1600it-aug']
    acc = cfgs['deepacc-cls', '1600it-aug']
    assert cos.train_cfg.max_iters == acc.train_cfg.max_iters == 1600
    assert cos.param_scheduler[1].end == 1600
    assert cos.default_hooks.checkpoint.interval == 1600
    assert cos.model.head == heads['cos-cls']
    assert acc.model.head == full
    # The condensed variant: the default with half the training cells
    # condensed as the real-look detector recipes condense them.
    cond = cfgs['cos-cls', '1600it-aug-condensed']
    assert cond.model == cos.model
    assert 'condense' not in cos.train_dataloader.dataset
    assert cond.train_dataloader.dataset.condense_rate == 0.5
    assert cond.train_dataloader.dataset.condense.length == (0.5, 0.7)
    assert 'condense' not in cond.test_dataloader.dataset
    # The two-view variant: the default with Varifocal-Net's zoomed view.
    zoom = cfgs['cos-cls', '1600it-aug-zoom']
    assert zoom.model.num_views == 2
    assert zoom.model.head.in_channels == 2 * cos.model.head.in_channels
    for split in ('train', 'val', 'test'):
        views = zoom[f'{split}_dataloader'].dataset.views
        assert tuple(views) == ('global', 'zoom')
    # The default: the same trained 3200 iterations, the cosine schedule
    # stretched to the end.
    default = cfgs['cos-cls', '3200it-aug-zoom']
    assert default.model == zoom.model
    assert default.train_dataloader == zoom.train_dataloader
    assert default.train_cfg.max_iters == 3200
    assert default.param_scheduler[0] == zoom.param_scheduler[0]
    assert default.param_scheduler[1].end == 3200
    assert default.default_hooks.checkpoint.interval == 3200
    # The pair: two of the default, the second reading the crops
    # straightened.
    pair = cfgs['cos-cls-pair', '3200it-aug-zoom-straight']
    assert pair.model.type == 'ChromosomeCropEnsemble'
    assert pair.model.members == [default.model, default.model]
    for split in ('train', 'val', 'test'):
        data = pair[f'{split}_dataloader'].dataset
        assert data.straighten == 'both'
        assert tuple(data.views) == ('global', 'zoom')
        # Every cell brought to one median chromosome length.
        assert data.cell_length == 60.0
        assert 'cell_length' not in default[f'{split}_dataloader'].dataset
    assert pair.train_cfg == default.train_cfg
    # The pair with half its training cells condensed, as above.
    pair_cond = cfgs['cos-cls-pair', '3200it-aug-zoom-straight-condensed']
    assert pair_cond.model == pair.model
    train = pair_cond.train_dataloader.dataset
    assert train.condense == cond.train_dataloader.dataset.condense
    assert train.condense_rate == 0.5 and train.straighten == 'both'
    assert pair_cond.test_dataloader == pair.test_dataloader
    # Fine-tuning the pair on a lab's karyograms: the same model and data,
    # with the lab's crops (given at train time) and a short, gentle
    # schedule from a trained pair.
    lab = cfgs['cos-cls-pair', '400it-lab-karyograms']
    assert lab.model == pair.model
    assert lab.test_dataloader == pair.test_dataloader
    tuned = lab.train_dataloader.dataset
    assert tuned.lab_crops is None and tuned.lab_repeat == 10
    assert {k: v for k, v in tuned.items() if 'lab' not in k} == dict(
        pair.train_dataloader.dataset
    )
    assert lab.load_from is None and lab.train_cfg.max_iters == 400
    assert lab.optim_wrapper.optimizer.lr == 3e-4
    assert lab.param_scheduler[1].end == 400
    assert cos.train_dataloader == acc.train_dataloader
    assert cos.train_dataloader.dataset.distort.stretch_range == (0.9, 1.1)
    assert 'distort' not in cos.test_dataloader.dataset
    assert cos.model.test_cfg == acc.model.test_cfg
    long = cfgs['cos-cls', '1600it']
    assert long.train_cfg.max_iters == 1600
    assert 'distort' not in long.train_dataloader.dataset


@pytest.mark.parametrize('config', CONFIGS)
def test_config_model_builds_and_runs(config, crops_root):
    cfg = get_config(config)
    assert 'deepacc' in cfg.custom_imports['imports']
    splits = [cfg[f'{s}_dataloader'].dataset for s in ('train', 'val', 'test')]
    assert [d.cell_split for d in splits] == ['train', 'val', 'test']
    assert [d.get('test_mode', False) for d in splits] == [False, True, True]
    views = splits[0].get('views', ('global',))
    assert all(tuple(d.get('views', ('global',))) == views for d in splits)
    straighten = splits[0].get('straighten', False)
    assert all(d.get('straighten', False) == straighten for d in splits)
    model_cfg = cfg.model.to_dict()
    members = model_cfg.get('members', [model_cfg])
    # One member a reading of each crop (as cut out and/or straightened).
    assert len(members) == (2 if straighten == 'both' else 1)
    for member in members:
        assert member.get('num_views', 1) == len(views)
        member['backbone'].update(TINY['backbone'])
        member['head'].update(in_channels=32 * len(views), fc_out_channels=32)
    model = MODELS.build(model_cfg)
    model.train()
    batch = model.data_preprocessor(
        _batch(crops_root, views=views, straighten=straighten), True
    )
    total, _ = model.parse_losses(model(**batch, mode='loss'))
    assert torch.isfinite(total)


def _ensemble():
    """A one-view member and a two-view member with test flips."""
    torch.manual_seed(0)
    one = dict(type='ChromosomeCropClassifier', **copy.deepcopy(TINY))
    two = copy.deepcopy(one)
    two['head']['in_channels'] *= 2
    two.update(num_views=2, test_cfg=dict(flips=['vertical']))
    model = MODELS.build(
        dict(type='ChromosomeCropEnsemble', members=[one, two])
    )
    model.init_weights()
    return model


def test_ensemble_sums_the_losses_and_averages_the_readings(crops_root):
    """Member 0 reads channel 0, member 1 channels 1-2 (a two-view
    member): the loss carries both members' terms, prediction is the
    mean of what each member predicts on its own channels."""
    model = _ensemble()
    assert model.channels == [1, 2]
    batch = _batch(crops_root, True, views=('global', 'zoom', 'global'))
    model.train()
    losses = model(**model.data_preprocessor(batch, True), mode='loss')
    for k in (0, 1):
        assert torch.isfinite(losses[f'm{k}.loss_cls'])
    total, _ = model.parse_losses(losses)
    assert float(total) == pytest.approx(
        sum(float(v) for k, v in losses.items() if 'loss' in k), rel=1e-5
    )
    total.backward()
    for member in model.members:
        assert member.backbone.conv1.weight.grad.abs().sum() > 0
    model.eval()
    data = model.data_preprocessor(batch, False)
    with torch.no_grad():
        results = model(**data, mode='predict')
        inputs = data['inputs']
        first = model.members[0].predict([x[:, :1] for x in inputs])
        second = model.members[1].predict([x[:, 1:] for x in inputs])
    for result, a, b in zip(results, first, second):
        mean = (a['scores'] + b['scores']) / 2
        torch.testing.assert_close(result['scores'], mean)
        torch.testing.assert_close(
            result['polarity_probs'],
            (a['polarity_probs'] + b['polarity_probs']) / 2,
        )
        assert (result['pred_labels'] == mean.argmax(1)).all()
        assert 'gt_labels' in result
    # The test flips go to every member.
    model.test_cfg = dict(flips=['horizontal'])
    assert [m.test_cfg for m in model.members] == [
        {'flips': ['horizontal']}
    ] * 2


def test_ensemble_refuses_inputs_of_another_width(crops_root):
    model = _ensemble()
    batch = model.data_preprocessor(_batch(crops_root, True), False)
    with pytest.raises(ValueError, match=r'1 channels, the members read 3'):
        model(**batch, mode='predict')
