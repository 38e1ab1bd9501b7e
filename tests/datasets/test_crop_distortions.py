"""Training distortions of crop inputs (stretch, blur, gamma, noise) and
the training-cell subset of ChromosomeCropDataset."""

import numpy as np
import pytest

from deepacc.datasets import ChromosomeCropDataset
from deepacc.datasets.crop_distortions import (
    distort_crop,
    sample_crop_distortion,
)
from deepacc.testing import make_tiny_crops

CELLS = {
    f'case{i}.cell{i}': ('1', '2', '7', '13', '18', '21', 'X', 'Y')
    for i in range(10)
}


@pytest.fixture(scope='module')
def crops_root(tmp_path_factory):
    return make_tiny_crops(str(tmp_path_factory.mktemp('crops')), CELLS)


def _bar(height=21, width=9, top=6, bottom=14):
    """A 3-px wide vertical bar over rows top..bottom of a canvas whose
    centre row is 10; its top half (rows 6-9) is darker, like a stained
    p-arm end."""
    ink = np.zeros((height, width), np.float32)
    ink[top : bottom + 1, 3:6] = 0.5
    ink[top:10, 3:6] = 1.0
    return ink


def _rows(ink):
    return np.flatnonzero(ink.sum(1) > 0.25)


def test_stretch_about_the_centre_scales_the_length():
    # Rows 6..14 (9 rows, centred on row 10) stretched by 4/3 about row
    # 10: 10 + (6 - 10) * 4/3 = 4.67, 10 + 4 * 4/3 = 15.33, so about
    # rows 5..15; shrunk by 2/3: 7.33..12.67, rows 8..12.
    long = distort_crop(_bar(), stretch=4 / 3)
    short = distort_crop(_bar(), stretch=2 / 3)
    assert abs(_rows(long)[0] - 5) <= 1 and abs(_rows(long)[-1] - 15) <= 1
    assert abs(_rows(short)[0] - 8) <= 1 and abs(_rows(short)[-1] - 12) <= 1
    # Width is untouched.
    assert (np.flatnonzero(long.sum(0) > 0) == [3, 4, 5]).all()


@pytest.mark.parametrize(
    'kwargs',
    [
        dict(stretch=0.9),
        dict(stretch=1.1),
        dict(sigma=1.0),
        dict(gamma=0.7),
        dict(gamma=1.4),
        dict(noise_std=0.05, noise_seed=3),
    ],
)
def test_distortions_keep_the_p_arm_end(kwargs):
    """No distortion moves the dark end to the other end (the polarity
    label stays true), and the output stays in [0, 1] with an empty
    background (a blur leaks a trace) away from the chromosome."""
    out = distort_crop(_bar(), **kwargs)
    assert out.dtype == np.float32 and out.shape == (21, 9)
    assert out.min() >= 0 and out.max() <= 1
    assert out[:10].sum() > out[11:].sum()
    assert out[:, 0].max() < 0.02 and out[0].max() < 0.02


def test_gamma_and_noise_leave_the_background_at_zero():
    ink = _bar()
    out = distort_crop(ink, gamma=0.5, noise_std=0.2, noise_seed=0)
    assert (out[ink == 0] == 0).all()
    assert np.allclose(out[ink == 1], np.clip(out[ink == 1], 0, 1))
    assert not np.allclose(out[ink > 0], ink[ink > 0] ** 0.5)  # noised


def test_sampling_respects_ranges():
    rng = np.random.default_rng(0)
    draws = [
        sample_crop_distortion(
            rng,
            stretch_range=(0.9, 1.1),
            blur_prob=0.5,
            blur_sigma=(0.5, 1.0),
            gamma_range=(0.7, 1.4),
        )
        for _ in range(200)
    ]
    stretch = np.array([d['stretch'] for d in draws])
    sigma = np.array([d['sigma'] for d in draws])
    assert stretch.min() >= 0.9 and stretch.max() <= 1.1
    assert 0.3 < (sigma == 0).mean() < 0.7
    assert sigma[sigma > 0].min() >= 0.5 and sigma.max() <= 1.0
    none = sample_crop_distortion(np.random.default_rng(0))
    assert none['stretch'] == 1 and none['sigma'] == 0
    assert none['gamma'] == 1 and none['noise_std'] == 0


def test_dataset_distortion_keeps_labels_and_turns(crops_root):
    """The same draw with and without distortions: the same labels and
    polarity targets (turns), other pixels; test mode is never
    distorted."""
    kwargs = dict(cell_split='all', input_size=(64, 24), seed=5)
    distort = dict(stretch_range=(0.8, 1.2), blur_prob=1.0, noise_std=0.1)
    plain = ChromosomeCropDataset(crops_root, **kwargs)[0]
    bent = ChromosomeCropDataset(crops_root, distort=distort, **kwargs)[0]
    assert (plain['data_samples'].labels == bent['data_samples'].labels).all()
    assert (
        plain['data_samples'].polarity == bent['data_samples'].polarity
    ).all()
    assert not np.allclose(plain['inputs'], bent['inputs'])
    test = dict(kwargs, test_mode=True)
    a = ChromosomeCropDataset(crops_root, **test)[0]
    b = ChromosomeCropDataset(crops_root, distort=distort, **test)[0]
    assert np.array_equal(a['inputs'], b['inputs'])


def test_max_cells_keeps_nested_subsets(crops_root):
    def cells(n):
        return ChromosomeCropDataset(
            crops_root,
            cell_split='train',
            split_ratios=(8, 1, 1),
            max_cells=n,
        ).cell_ids

    every = cells(None)
    assert len(every) == 8
    three, five = cells(3), cells(5)
    assert len(three) == 3 and len(five) == 5
    assert set(three) <= set(five) <= set(every)
    assert cells(50) == every
