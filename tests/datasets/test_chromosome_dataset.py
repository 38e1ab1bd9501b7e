import json
import os.path as osp

import pytest

from deepacc.chromosomes import CLASSES
from deepacc.datasets import ChromosomeDataset
from deepacc.testing import make_tiny_coco


def _load(ann_file):
    dataset = ChromosomeDataset(
        data_root=osp.dirname(ann_file),
        ann_file=osp.basename(ann_file),
        data_prefix=dict(img='images/'),
        pipeline=[],
        test_mode=True,
    )
    dataset.full_init()
    return dataset


def _labels_by_box(dataset):
    out = {}
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        for inst in info['instances']:
            out[(info['img_id'], tuple(inst['bbox']))] = inst['bbox_label']
    return out


def _truth_by_box(ann_file):
    coco = json.load(open(ann_file))
    names = {c['id']: c['name'] for c in coco['categories']}
    truth = {}
    for ann in coco['annotations']:
        x, y, w, h = ann['bbox']
        truth[(ann['image_id'], (x, y, x + w, y + h))] = names[
            ann['category_id']
        ]
    return truth


def test_canonical_json_loads_with_canonical_labels(tmp_path):
    ann = make_tiny_coco(str(tmp_path), num_images=2, seed=1)
    dataset = _load(ann)
    assert dataset.metainfo['classes'] == CLASSES
    labels = _labels_by_box(dataset)
    truth = _truth_by_box(ann)
    assert labels and labels.keys() == truth.keys()
    for key, name in truth.items():
        assert CLASSES[labels[key]] == name


def test_shuffled_and_aliased_categories_map_by_name(tmp_path):
    # Categories listed in reverse order and spelled three different ways:
    # stock CocoDataset would number them by json order (chrY -> label 0).
    names = (
        [f'chr{c}' for c in reversed(CLASSES[12:22])]
        + ['23', '24']
        + [
            'C12',
            'C11',
            'C10',
            'C9',
            'C8',
            'C7',
            'C6',
            'B5',
            'B4',
            'A3',
            'A2',
            'A1',
        ]
    )
    assert sorted(names) != names
    ann = make_tiny_coco(
        str(tmp_path), num_images=3, seed=2, categories=names, per_image=8
    )
    dataset = _load(ann)
    labels = _labels_by_box(dataset)
    coco = json.load(open(ann))
    json_name = {c['id']: c['name'] for c in coco['categories']}
    expected_class = {
        'chr13': '13',
        '23': 'X',
        '24': 'Y',
        'C12': '12',
        'A1': '1',
        'B4': '4',
    }
    checked = 0
    for a in coco['annotations']:
        x, y, w, h = a['bbox']
        name = json_name[a['category_id']]
        if name in expected_class:
            label = labels[(a['image_id'], (x, y, x + w, y + h))]
            assert CLASSES[label] == expected_class[name]
            checked += 1
    assert checked > 0
    # Every annotation keeps a label in range and none is dropped.
    assert len(labels) == len(coco['annotations'])


def test_unknown_category_is_refused_with_file_and_name(tmp_path):
    ann = make_tiny_coco(str(tmp_path), num_images=1, seed=3)
    coco = json.load(open(ann))
    coco['categories'][5]['name'] = 'nucleus'
    json.dump(coco, open(ann, 'w'))
    with pytest.raises(ValueError) as err:
        _load(ann)
    message = str(err.value)
    assert 'annotations.json' in message and "'nucleus'" in message
    assert 'id=6' in message


def test_annotation_with_undefined_category_is_refused(tmp_path):
    ann = make_tiny_coco(str(tmp_path), num_images=1, seed=4)
    coco = json.load(open(ann))
    coco['annotations'][0]['category_id'] = 99
    json.dump(coco, open(ann, 'w'))
    with pytest.raises(ValueError, match='annotation id=1.*category_id=99'):
        _load(ann)
