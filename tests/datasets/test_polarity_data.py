"""Polarity from annotations to ``gt_instances``, by hand."""

import json
import os.path as osp

import numpy as np
import pytest
from mmcv.transforms import Compose
from mmengine.registry import init_default_scope

import deepacc  # noqa: F401  (registers the transforms)
from deepacc.datasets import (
    ChromosomeDataset,
    SynthMetaphaseDataset,
    polarity_code,
)
from deepacc.testing import make_tiny_coco


def _with_polarity(ann_file, values):
    """Set ``p_arm_up`` of the annotations in file order (None: absent)."""
    coco = json.load(open(ann_file))
    for ann, value in zip(coco['annotations'], values):
        if value is not None:
            ann['p_arm_up'] = value
    json.dump(coco, open(ann_file, 'w'))
    return coco


def _dataset(ann_file, pipeline=()):
    init_default_scope('mmdet')
    dataset = ChromosomeDataset(
        data_root=osp.dirname(ann_file),
        ann_file=osp.basename(ann_file),
        data_prefix=dict(img='images/'),
        pipeline=list(pipeline),
        test_mode=True,
    )
    dataset.full_init()
    return dataset


def test_polarity_code():
    assert [polarity_code(v) for v in (True, False, None, 1, 0)] == [
        1,
        0,
        -1,
        1,
        0,
    ]
    with pytest.raises(ValueError, match="'up'"):
        polarity_code('up')


def test_coco_p_arm_up_becomes_instance_polarity(tmp_path):
    ann_file = make_tiny_coco(str(tmp_path), num_images=1, per_image=4)
    coco = _with_polarity(ann_file, [True, False, None, True])
    # A zero-area annotation that mmdet drops must not shift the pairing.
    bad = dict(coco['annotations'][0], id=99, area=0, p_arm_up=False)
    coco['annotations'].insert(1, bad)
    json.dump(coco, open(ann_file, 'w'))
    info = _dataset(ann_file).get_data_info(0)
    assert [i['polarity'] for i in info['instances']] == [1, 0, -1, 1]


def test_bad_p_arm_up_names_file_and_annotation(tmp_path):
    ann_file = make_tiny_coco(str(tmp_path), num_images=1, per_image=2)
    coco = _with_polarity(ann_file, [None, 'sideways'])
    ann_id = coco['annotations'][1]['id']
    with pytest.raises(ValueError) as err:
        _dataset(ann_file)
    msg = str(err.value)
    assert ann_file.split('/')[-1] in msg and f'id={ann_id}' in msg
    assert 'sideways' in msg


@pytest.mark.parametrize(
    'direction,want',
    [
        (None, [1, 0, -1]),
        ('horizontal', [1, 0, -1]),  # left-right: upper end stays up
        ('vertical', [0, 1, -1]),  # upside down: the ends swap
        ('diagonal', [0, 1, -1]),
    ],
)
def test_pipeline_packs_polarity_and_flips_it_upside_down(
    tmp_path, direction, want
):
    ann_file = make_tiny_coco(str(tmp_path), num_images=1, per_image=3)
    _with_polarity(ann_file, [True, False, None])
    flip = (
        []
        if direction is None
        else [dict(type='RandomFlip', prob=1.0, direction=direction)]
    )
    pipeline = [
        dict(type='LoadImageFromFile'),
        dict(type='LoadChromosomeAnnotations', with_bbox=True),
        *flip,
        dict(type='PackChromosomeInputs'),
    ]
    sample = _dataset(ann_file, pipeline)[0]['data_samples']
    assert sample.gt_instances.polarity.tolist() == want


def test_pipeline_refuses_boxes_dropped_without_polarity():
    init_default_scope('mmdet')
    pack = Compose([dict(type='PackChromosomeInputs')])
    results = dict(
        img=np.zeros((8, 8, 3), np.uint8),
        img_path='cell.png',
        gt_bboxes=np.zeros((1, 4), np.float32),
        gt_bboxes_labels=np.zeros(1, np.int64),
        gt_polarity=np.array([1, 0]),
    )
    with pytest.raises(ValueError, match='cell.png: 2 polarities for 1'):
        pack(results)


def test_synthetic_instances_carry_the_p_arm_direction():
    dataset = SynthMetaphaseDataset(
        num_samples=1, seed=3, test_mode=True, pipeline=[]
    )
    item = dataset[0]
    _, sprites, _ = dataset.render(0, dataset.image_rng(0))
    got = [inst['polarity'] for inst in item['instances']]
    want = [int(s.p_ter[1] < s.q_ter[1]) for s in sprites]
    assert got == want and set(got) == {0, 1}


@pytest.mark.parametrize('seed', [0, 1, 2, 3])
def test_composed_crop_p_ter_follows_the_turn(seed):
    """Crops are stored p-arm up: after the random turn, the sprite's p_ter
    must sit at the end where the crop's top went (marked dark here)."""
    from deepacc.synthesis.compose import crop_sprite

    crop = np.full((60, 14), 255, np.uint8)
    crop[4:56, 3:11] = 150
    crop[4:12, 3:11] = 0  # the p-arm tip, darkest
    sprite = crop_sprite(
        crop, 0, 'white', np.random.default_rng(seed), source='knob'
    )
    ys, xs = np.nonzero(sprite.opacity > 0.9)
    knob = np.array([xs.mean(), ys.mean()])
    d_p = np.hypot(*(knob - np.array(sprite.p_ter)))
    d_q = np.hypot(*(knob - np.array(sprite.q_ter)))
    assert d_p < 10 < d_q
