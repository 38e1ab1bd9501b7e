"""On-the-fly metaphase datasets: fresh in training, fixed in test mode,
cells never shared between splits."""

import numpy as np
import pytest
import torch
from mmdet.registry import DATASETS
from mmdet.utils import register_all_modules

import deepacc  # noqa: F401
from deepacc.chromosomes import CLASSES
from deepacc.datasets import load_crops, split_cells
from deepacc.testing import TINY_CELLS, get_config, make_tiny_crops

register_all_modules()
SYNTH = dict(width=256, height=192, batch_effect=1.0)


def _boxes(gt):
    """(N, 4) tensor of a sample's ground-truth boxes."""
    return getattr(gt.bboxes, 'tensor', gt.bboxes)


def _pipeline(config, test, size):
    """The config's pipeline, its Resize set to the test's image size."""
    cfg = get_config(config)
    loader = cfg.test_dataloader if test else cfg.train_dataloader
    pipeline = loader.dataset.pipeline
    for transform in pipeline:
        if transform.type == 'Resize':
            transform.scale = size
    return pipeline


def _synth(test_mode, **kwargs):
    pipeline = _pipeline(
        'deepacc/deepacc_r18-c32_fpn_2100it_synth-cpu.py',
        test_mode,
        (SYNTH['width'], SYNTH['height']),
    )
    return DATASETS.build(
        dict(
            type='SynthMetaphaseDataset',
            num_samples=4,
            synth=SYNTH,
            test_mode=test_mode,
            pipeline=pipeline,
            **kwargs,
        )
    )


def test_synth_training_draws_are_new_and_test_mode_is_fixed():
    train = _synth(False)
    a, b = train[1], train[1]
    assert a['inputs'].shape == (3, 192, 256)
    assert not torch.equal(a['inputs'], b['inputs'])
    test = _synth(True, seed=7)
    c, d = test[1], test[1]
    assert torch.equal(c['inputs'], d['inputs'])
    # Same seed and index, a new dataset object: the same test image.
    assert torch.equal(_synth(True, seed=7)[1]['inputs'], c['inputs'])
    assert not torch.equal(_synth(True, seed=8)[1]['inputs'], c['inputs'])


def test_synth_items_carry_boxes_of_the_drawn_karyotype():
    item = _synth(True)[0]
    sample = item['data_samples']
    gt = sample.gt_instances
    labels = gt.labels.tolist()
    assert 44 <= len(labels) <= 48  # 46 +- one aneuploidy
    assert all(0 <= lab < len(CLASSES) for lab in labels)
    boxes = _boxes(gt)
    assert (boxes[:, 2] > boxes[:, 0]).all()
    assert (boxes[:, 3] > boxes[:, 1]).all()
    assert boxes[:, [0, 1]].min() >= 0
    assert boxes[:, 2].max() <= 256 and boxes[:, 3].max() <= 192
    # Every box holds ink: the chromosome is drawn where it is annotated.
    img = item['inputs'][0].numpy().astype(int)
    for x0, y0, x1, y1 in boxes.round().int().tolist():
        assert img[y0:y1, x0:x1].min() < img.max() - 40


def test_sampler_metadata_does_not_render():
    dataset = _synth(False)
    info = dataset.get_data_info(2)
    assert (info['width'], info['height'], info['img_id']) == (256, 192, 2)
    assert 'img' not in info and 'instances' not in info
    assert dataset._draws == 0


def test_split_cells_is_disjoint_complete_and_proportional():
    ids = [f'cell{i:02d}' for i in range(10)]
    parts = split_cells(ids, (3, 1, 1), seed=0)
    assert [len(parts[k]) for k in ('train', 'val', 'test')] == [6, 2, 2]
    assert sorted(sum(parts.values(), [])) == ids
    assert parts == split_cells(list(reversed(ids)), (3, 1, 1), seed=0)
    assert parts != split_cells(ids, (3, 1, 1), seed=1)
    # 7 cells at 3:1:1 = 4.2 / 1.4 / 1.4: floors 4 / 1 / 1 leave one cell,
    # which goes to a largest remainder (0.4, val or test): 4 / 2 / 1.
    sizes = sorted(len(v) for v in split_cells(ids[:7], (3, 1, 1)).values())
    assert sizes == [1, 2, 4]
    with pytest.raises(ValueError, match='two or three positive'):
        split_cells(ids, (1, 0, 1))


def _composed(root, cell_split, test_mode=True, batch_effect=1.0, **kwargs):
    pipeline = _pipeline(
        'deepacc/deepacc_r18-c32_fpn_3500it_gband-crops-cpu.py',
        test_mode,
        (320, 240),
    )
    # The crops recipe's contact rates and density at a smaller size.
    compose = dict(
        width=320,
        height=240,
        batch_effect=batch_effect,
        overlap_rate=0.03,
        density=0.2,
    )
    return DATASETS.build(
        dict(
            type='ComposedMetaphaseDataset',
            crops=str(root),
            cell_split=cell_split,
            split_ratios=(1, 1),
            compose=compose,
            test_mode=test_mode,
            pipeline=pipeline,
            **kwargs,
        )
    )


def test_composed_cells_stay_in_their_split(tmp_path):
    make_tiny_crops(str(tmp_path))
    train = _composed(tmp_path, 'train')
    val = _composed(tmp_path, 'val')
    assert len(train.cell_ids) == len(val.cell_ids) == 1
    assert set(train.cell_ids) | set(val.cell_ids) == set(TINY_CELLS)
    assert not set(train.cell_ids) & set(val.cell_ids)
    for dataset in (train, val):
        names = TINY_CELLS[dataset.cell_ids[0]]
        labels = dataset[0]['data_samples'].gt_instances.labels.tolist()
        assert sorted(CLASSES[i] for i in labels) == sorted(names)


def test_composed_layouts_per_cell_and_fresh_training_draws(tmp_path):
    make_tiny_crops(str(tmp_path))
    test = _composed(tmp_path, 'all', layouts_per_cell=3)
    assert len(test) == 3 * len(TINY_CELLS)
    # Item i is cell i mod n: items 0 and 2 are one cell, two layouts.
    a, b = test[0], test[2]
    assert not torch.equal(a['inputs'], b['inputs'])
    assert sorted(a['data_samples'].gt_instances.labels.tolist()) == sorted(
        b['data_samples'].gt_instances.labels.tolist()
    )
    train = _composed(tmp_path, 'all', test_mode=False)
    assert not torch.equal(train[0]['inputs'], train[0]['inputs'])


def test_composed_batch_effect_changes_the_cells_scale(tmp_path):
    """At strength 1 the chromosomes of one cell change size from image to
    image (length x/÷ up to 1.3, so area up to x/÷1.69); at 0 every layout
    has the same chromosome area (turns change it by interpolation only)."""
    make_tiny_crops(str(tmp_path))

    def cell_area(strength):
        dataset = _composed(tmp_path, 'all', batch_effect=strength)
        areas = []
        for draw in range(6):
            rng = np.random.default_rng(draw)
            _, sprites, _ = dataset.render(0, rng)
            areas.append(sum(int(s.mask.sum()) for s in sprites))
        return np.array(areas, float)

    flat, varied = cell_area(0.0), cell_area(1.0)
    assert flat.max() / flat.min() < 1.05
    assert varied.max() / varied.min() > 1.2


def test_composed_bad_input_names_the_problem(tmp_path):
    make_tiny_crops(str(tmp_path))
    with pytest.raises(ValueError, match="cell split 'nope' does not exist"):
        _composed(tmp_path, 'nope')
    bad = next((tmp_path / 'cells').rglob('*.tiff'))
    bad.write_bytes(b'not an image')
    with pytest.raises(ValueError, match=f'{bad}: not a readable image'):
        _composed(tmp_path, 'all')
    assert load_crops(str(tmp_path))  # the folder itself is still read
