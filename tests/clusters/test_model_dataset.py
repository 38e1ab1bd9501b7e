"""ClusterObjectDataset items and ClusterTypeClassifier modes."""

import itertools

import pytest
import torch
from mmdet.registry import DATASETS, MODELS
from mmengine.dataset import pseudo_collate

import deepacc  # noqa: F401
from deepacc.clusters import CLUSTER_TYPES, NUM_FEATURES

SYNTH = dict(width=256, height=192, batch_effect=1.0)


def _dataset(test_mode=True, num=2):
    return DATASETS.build(
        dict(
            type='ClusterObjectDataset',
            test_mode=test_mode,
            patch_size=32,
            metaphases=dict(
                type='SynthMetaphaseDataset',
                num_samples=num,
                seed=3,
                synth=SYNTH,
            ),
        )
    )


def _model():
    return MODELS.build(
        dict(
            type='ClusterTypeClassifier',
            backbone=dict(
                type='mmdet.ResNet',
                depth=18,
                in_channels=2,
                base_channels=4,
                out_indices=(3,),
                init_cfg=None,
            ),
            backbone_channels=32,
            hidden=16,
            class_weight=[1, 2, 3, 3, 1, 1],
        )
    )


def test_items_are_typed_objects_and_fixed_in_test_mode():
    dataset = _dataset()
    assert len(dataset) == 2
    assert dataset.metainfo['classes'] == CLUSTER_TYPES
    item = dataset[0]
    patches = item['inputs']['patches']
    n = len(patches)
    assert n > 10  # a 46-chromosome cell
    assert patches.shape == (n, 2, 32, 32)
    assert item['inputs']['features'].shape == (n, NUM_FEATURES)
    labels = item['data_samples'].gt_labels
    assert labels.shape == (n,) and labels.min() >= -1 and labels.max() < 6
    assert (labels == 0).sum() > 0  # single chromosomes
    assert item['data_samples'].num_objects == n
    again = dataset[0]
    assert torch.equal(again['inputs']['patches'], patches)
    assert torch.equal(again['data_samples'].gt_labels, labels)


def test_training_draws_differ():
    dataset = _dataset(test_mode=False)
    a, b = dataset[0], dataset[0]
    assert not (
        a['inputs']['patches'].shape == b['inputs']['patches'].shape
        and torch.equal(a['inputs']['patches'], b['inputs']['patches'])
    )


def test_model_loss_predict_tensor_modes():
    torch.manual_seed(0)
    model = _model()
    batch = pseudo_collate([_dataset()[i] for i in range(2)])
    data = model.data_preprocessor(batch, True)
    losses = model(**data, mode='loss')
    assert set(losses) == {'loss_cls', 'acc'}
    assert losses['loss_cls'].item() > 0
    losses['loss_cls'].backward()
    model.eval()
    with torch.no_grad():
        out = model(**model.data_preprocessor(batch, False), mode='predict')
    sizes = [len(p) for p in batch['inputs']['patches']]
    assert [len(s.pred_labels) for s in out] == sizes
    assert out[0].scores.shape == (sizes[0], 6)
    assert torch.allclose(out[0].scores.sum(1), torch.ones(sizes[0]))
    logits = model(data['inputs'], mode='tensor')
    assert logits.shape == (sum(sizes), 6)


def test_no_objects_and_only_fragments():
    model = _model()
    empty = dict(
        patches=torch.zeros((0, 2, 32, 32)),
        features=torch.zeros((0, NUM_FEATURES)),
    )
    sample = pseudo_collate([_dataset()[0]])['data_samples'][0]
    sample.gt_labels = torch.zeros(0, dtype=torch.long)
    sample.set_metainfo(dict(num_objects=0))
    losses = model(empty, [sample], mode='loss')
    assert losses['loss_cls'].item() == 0.0
    model.eval()
    out = model(empty, [sample], mode='predict')
    assert len(out[0].pred_labels) == 0
    frag = dict(
        patches=torch.rand((2, 2, 32, 32)),
        features=torch.rand((2, NUM_FEATURES)),
    )
    sample.gt_labels = torch.tensor([-1, -1])
    model.train()
    losses = model(frag, [sample], mode='loss')
    assert losses['loss_cls'].item() == 0.0
    losses['loss_cls'].backward()  # still a graph


def test_bad_class_weight_is_refused():
    with pytest.raises(ValueError, match='class_weight'):
        MODELS.build(
            dict(
                type='ClusterTypeClassifier',
                backbone=dict(
                    type='mmdet.ResNet', depth=18, in_channels=2, init_cfg=None
                ),
                backbone_channels=512,
                class_weight=[1.0, 2.0],
            )
        )


def test_augmentation_keeps_the_content():
    """Every patch comes out in one of its 8 flip / transpose poses (so
    its pixels are the same), and the poses vary: with 16 patches (all
    left as they are with chance 8**-16) several different ones are used.
    """
    model = _model()
    torch.manual_seed(0)
    patches = torch.rand((16, 2, 8, 8))
    out = model._augment(patches)
    assert out.shape == patches.shape
    candidates = list(itertools.product((False, True), repeat=3))
    poses = set()
    for a, b in zip(patches, out):
        assert torch.equal(a.flatten().sort()[0], b.flatten().sort()[0])
        matches = [
            pose for pose in candidates if torch.equal(_pose(a, *pose), b)
        ]
        assert len(matches) == 1
        poses.add(matches[0])
    assert len(poses) > 1
    assert not torch.equal(out, patches)


def _pose(patch, flip_x, flip_y, transpose):
    """``patch`` (C, H, W) flipped left-right, up-down, then transposed."""
    if flip_x:
        patch = patch.flip(-1)
    if flip_y:
        patch = patch.flip(-2)
    return patch.transpose(-1, -2) if transpose else patch


@pytest.mark.parametrize(
    'config',
    [
        'cluster_types/cluster-type_r18_600it_synth-cpu.py',
        'cluster_types/cluster-type_r18_600it_gband-crops-cpu.py',
    ],
)
def test_configs_parse_and_their_model_runs(config, tmp_path):
    """Each config builds its model (all three modes) and, with a tiny
    crop folder for the crops config, its test objects."""
    from mmengine.config import Config

    from deepacc.testing import all_configs, config_path, make_tiny_crops

    assert config in all_configs(classifiers=True)
    cfg = Config.fromfile(config_path(config))
    assert cfg.test_evaluator.type == 'ClusterTypeMetric'
    model = MODELS.build(cfg.model)
    size = cfg.test_dataloader.dataset.patch_size
    inputs = dict(
        patches=torch.rand((3, 2, size, size)),
        features=torch.rand((3, NUM_FEATURES)),
    )
    assert model(inputs, mode='tensor').shape == (3, len(CLUSTER_TYPES))
    dataset_cfg = cfg.test_dataloader.dataset
    if 'crops' in dataset_cfg.metaphases:
        dataset_cfg.metaphases.crops = make_tiny_crops(str(tmp_path))
        dataset_cfg.metaphases.split_ratios = (1, 1)
        dataset_cfg.metaphases.cell_split = 'val'
    else:
        dataset_cfg.metaphases.num_samples = 1
        dataset_cfg.metaphases.synth.update(width=256, height=192)
    item = DATASETS.build(dataset_cfg)[0]
    sample = item['data_samples']
    sample.gt_labels = sample.gt_labels.clamp(min=0)
    losses = model(
        {k: [v] for k, v in item['inputs'].items()}, [sample], mode='loss'
    )
    assert losses['loss_cls'].item() > 0
