"""CropClassifier: a checkpoint and one cell's crops (paths or arrays) in,
the cell's record out, its classes read together by default."""

import warnings

import cv2
import numpy as np
import pytest

from deepacc.chromosomes import CLASSES
from deepacc.classification import CropClassifier, cell_karyotype
from deepacc.datasets import load_crops
from deepacc.datasets.crops import crop_views
from deepacc.datasets.straighten import straighten_crop
from deepacc.testing import (
    bent_chromosome_crop,
    write_untrained_crop_classifier,
)

from .conftest import JOINT_INDEPENDENT, JOINT_TRUTH, TINY_SIZE


@pytest.fixture(scope='module')
def cell_paths(joint_root):
    ((cell, crops),) = load_crops(joint_root).items()
    assert [label for _, label in crops] == JOINT_TRUTH
    return [path for path, _ in crops]


def _classes(record):
    return [CLASSES.index(c['class']) for c in record['crops']]


def test_joint_reading_through_the_api(untrained, cell_paths, hand_made):
    joint = CropClassifier(untrained['config'], untrained['checkpoint'])
    record = joint(cell_paths)
    assert _classes(record) == JOINT_TRUTH
    assert record['reading'] == 'joint' and record['relabelled'] == 1
    assert record['karyotype'] == cell_karyotype(JOINT_TRUTH)
    assert record['counts']['1'] == record['counts']['2'] == 2
    third = record['crops'][2]
    assert third['file'] == cell_paths[2] and third['score'] == 0.35
    assert third['polarity'] in ('p-arm up', 'p-arm down')

    independent = CropClassifier(
        untrained['config'], untrained['checkpoint'], penalties=None
    )(cell_paths)
    assert _classes(independent) == JOINT_INDEPENDENT
    assert independent['reading'] == 'independent'
    assert independent['relabelled'] == 0
    assert independent['karyotype'].startswith('4,?,+1,-2,')
    assert independent['crops'][2]['score'] == 0.6


def test_arrays_and_paths_give_the_same_record(untrained, cell_paths):
    classifier = CropClassifier(untrained['config'], untrained['checkpoint'])
    assert classifier.input_size == TINY_SIZE
    grays = [cv2.imread(p, cv2.IMREAD_GRAYSCALE) for p in cell_paths]
    from_paths = classifier(cell_paths)
    from_arrays = classifier(grays, names=cell_paths)
    assert from_arrays == from_paths
    out = classifier.classify(grays)
    assert out['scores'].shape == (4, 24)
    assert np.allclose(out['scores'].sum(1), 1, atol=0.05)
    assert out['polarity_probs'].shape == (4,)
    # Colour arrays are read as grey; unnamed arrays get their index.
    bgr = [cv2.cvtColor(g, cv2.COLOR_GRAY2BGR) for g in grays]
    record = classifier(bgr)
    assert [c['file'] for c in record['crops']] == [
        'crop0',
        'crop1',
        'crop2',
        'crop3',
    ]
    assert _classes(record) == _classes(from_paths)


def test_bad_input_names_the_problem(untrained, cell_paths, tmp_path):
    classifier = CropClassifier(untrained['config'], untrained['checkpoint'])
    broken = tmp_path / 'broken.png'
    broken.write_bytes(b'no image')
    with pytest.raises(ValueError, match='broken.png: not a readable image'):
        classifier([str(broken)])
    with pytest.raises(ValueError, match='uint8'):
        classifier([np.zeros((5, 5), np.float32)])
    with pytest.raises(ValueError, match='2 names for 4 crops'):
        classifier(cell_paths, names=['a', 'b'])
    with pytest.raises(FileNotFoundError, match='no such file'):
        CropClassifier(untrained['config'], str(tmp_path / 'none.pth'))


# The default config without its cell length: brought to a width.
WIDTH = {'test_dataloader.dataset.cell_length': None}


def test_auto_scale_brings_the_cell_to_the_model_width(
    untrained, cell_paths, tmp_path
):
    """A config without ``cell_length`` and a checkpoint that says its
    crops were a quarter as wide as this cell's: ``scale='auto'`` shrinks
    the crops by 4 on top of the config's crop scale; ``'none'`` and a
    checkpoint without a width leave them."""
    import torch

    from deepacc.scale import crops_width

    grays = [cv2.imread(p, cv2.IMREAD_GRAYSCALE) for p in cell_paths]
    width = crops_width(grays)
    checkpoint = str(tmp_path / 'wide.pth')
    state = torch.load(untrained['checkpoint'], map_location='cpu')
    state['meta'] = dict(chromosome_width=0.25 * width)
    torch.save(state, checkpoint)

    auto = CropClassifier(untrained['config'], checkpoint, cfg_options=WIDTH)
    assert auto.model_width == pytest.approx(0.25 * width)
    assert auto.scale_factor(grays) == pytest.approx(0.25)
    assert auto(cell_paths)['scale_factor'] == pytest.approx(0.25)
    # The view at the fixed scale (a zoomed view fills the canvas at any
    # scale).
    view = auto.views.index('global')
    ink_auto = auto.inputs(grays, auto.scale_factor(grays))[:, view]
    ink_plain = auto.inputs(grays)[:, view]
    assert 0 < (ink_auto > 0).sum() < 0.5 * (ink_plain > 0).sum()

    none = CropClassifier(
        untrained['config'], checkpoint, scale='none', cfg_options=WIDTH
    )
    assert none(cell_paths)['scale_factor'] is None
    # No width in the checkpoint: nothing to match, the crops stay.
    plain = CropClassifier(
        untrained['config'], untrained['checkpoint'], cfg_options=WIDTH
    )
    assert plain.scale_mode == 'none'
    assert plain(cell_paths)['scale_factor'] is None
    with pytest.raises(ValueError, match='scale'):
        CropClassifier(
            untrained['config'], checkpoint, scale='big', cfg_options=WIDTH
        )


def test_a_cell_length_config_brings_the_cell_to_its_median_length(
    untrained, cell_paths
):
    """A config whose test data set has ``cell_length``: ``scale='auto'``
    resizes a cell by that length over the cell's median chromosome
    length, with or without a training width, as the data set does; a
    cell captured at half the size gets twice the factor."""
    from deepacc.scale import crops_length

    grays = [cv2.imread(p, cv2.IMREAD_GRAYSCALE) for p in cell_paths]
    length = crops_length(grays)
    options = {'test_dataloader.dataset.cell_length': 2.0 * length}
    with warnings.catch_warnings():
        warnings.simplefilter('error')  # no "no training width" warning
        classifier = CropClassifier(
            untrained['config'], untrained['checkpoint'], cfg_options=options
        )
    # The untrained checkpoint has no width: the length still applies.
    assert classifier.scale_mode == 'auto'
    assert classifier.scale_factor(grays) == pytest.approx(2.0)
    assert classifier(cell_paths)['scale_factor'] == pytest.approx(2.0)
    halves = [
        cv2.resize(g, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
        for g in grays
    ]
    assert classifier.scale_factor(halves) == pytest.approx(4.0, rel=0.05)


SINGLE = (
    'crop_classification/cos-cls_r18-c32_3200it-aug-zoom_gband-crops-cpu.py'
)
PAIR = (
    'crop_classification/'
    'cos-cls-pair_r18-c32_3200it-aug-zoom-straight_gband-crops-cpu.py'
)


def test_a_straightening_config_straightens_bent_crops(tmp_path):
    """``straighten=True`` in the config's test dataset: the classifier
    reads a bent crop laid out straight (as the dataset trained it)."""
    single = write_untrained_crop_classifier(str(tmp_path), config=SINGLE)
    bent, _ = bent_chromosome_crop()
    plain = CropClassifier(single['config'], single['checkpoint'])
    straight = CropClassifier(
        single['config'],
        single['checkpoint'],
        cfg_options={'test_dataloader.dataset.straighten': True},
    )
    assert not plain.straighten and straight.straighten
    expected = crop_views(
        straighten_crop(bent),
        straight.input_size,
        straight.scale,
        straight.views,
    )
    np.testing.assert_array_equal(straight.inputs([bent])[0], expected)
    assert not np.array_equal(plain.inputs([bent])[0], expected)
    record = straight([bent, bent])
    assert len(record['crops']) == 2


def test_the_straightening_pair_reads_each_crop_both_ways(tmp_path):
    """The pair config (an ensemble of two, ``straighten='both'``): the
    inputs carry the crop's views as cut out, then straightened, and the
    cell's record comes out of the two members."""
    pair = write_untrained_crop_classifier(str(tmp_path), config=PAIR)
    bent, _ = bent_chromosome_crop()
    classifier = CropClassifier(pair['config'], pair['checkpoint'])
    assert classifier.straighten == 'both'
    inputs = classifier.inputs([bent])
    size, scale = classifier.input_size, classifier.scale
    np.testing.assert_array_equal(
        inputs[0, :2], crop_views(bent, size, scale, ('global', 'zoom'))
    )
    np.testing.assert_array_equal(
        inputs[0, 2:],
        crop_views(straighten_crop(bent), size, scale, ('global', 'zoom')),
    )
    assert classifier.inputs([]).shape == (0, 4, *size)
    record = classifier([bent, bent])
    assert len(record['crops']) == 2
    assert record['karyotype']
