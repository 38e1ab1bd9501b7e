import random

import cv2
import numpy as np
import pytest

from deepacc.scale import (
    REFERENCE_WIDTH,
    ScaleEstimateError,
    estimate_chromosome_width,
    model_width_reference,
    parse_scale,
    rescale_pipeline,
    scale_factor,
)
from deepacc.synthesis.metaphase import render_metaphase
from deepacc.synthesis.options import SynthOptions
from deepacc.testing import get_config, metaphase_like, rods_of_width


@pytest.mark.parametrize('factor', [0.5, 2.0])
def test_width_follows_a_known_rescale(factor):
    image = metaphase_like(width=14)
    base = estimate_chromosome_width(image)
    # The rods were drawn 14 px wide (15 with OpenCV's line caps); the
    # object finder's low threshold also takes in the blurred rim.
    assert 14 <= base <= 19
    resized = cv2.resize(
        image,
        None,
        fx=factor,
        fy=factor,
        interpolation=cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR,
    )
    assert estimate_chromosome_width(resized) / base == pytest.approx(
        factor, rel=0.10
    )


def test_width_follows_a_subpixel_change():
    """Rods 8, 8.5, ..., 10 px wide (8.1-10.1 with the line caps). Read
    in one pass, twice a median of distance-transform values takes only
    a few values at this size (9.99 for both 8.5 and 9): the reading at
    the reference size grows with every half pixel. It reads the rods
    wide by the rim the noise threshold takes in (about a pixel, 10-12%
    here), within 15%."""
    drawn = np.arange(8.0, 10.01, 0.5)
    read = np.array(
        [estimate_chromosome_width(rods_of_width(w)) for w in drawn]
    )
    assert (np.diff(read) > 0).all()
    np.testing.assert_allclose(read, drawn * 81 / 80, rtol=0.15)
    one_pass = [
        estimate_chromosome_width(rods_of_width(w), reference=None)
        for w in (8.5, 9.0)
    ]
    assert one_pass[0] == one_pass[1]


@pytest.mark.parametrize('width', [16.0, 20.0])
def test_a_half_size_capture_reads_half_the_width(width):
    """The rim (about a capture pixel) is what a half-size capture adds
    at the reference: 5-7% on these sharp rods, within 8%."""
    full = estimate_chromosome_width(rods_of_width(width))
    half = estimate_chromosome_width(rods_of_width(width / 2))
    assert half / full == pytest.approx(0.5, rel=0.08)


def test_to_reference_resizes_within_bounds():
    from deepacc.scale import to_reference

    image = metaphase_like(width=12, seed=3)
    up, factor = to_reference(image, 12.0, 24.0)
    assert factor == 2.0 and up.shape == (960, 1280)
    np.testing.assert_array_equal(
        up, cv2.resize(image, (1280, 960), interpolation=cv2.INTER_CUBIC)
    )
    down, factor = to_reference(image, 48.0, 24.0)
    assert factor == 0.5
    np.testing.assert_array_equal(
        down, cv2.resize(image, (320, 240), interpolation=cv2.INTER_AREA)
    )
    # A 2 px reading would enlarge twelvefold: at most 4 times.
    assert to_reference(image, 2.0, 24.0)[1] == 4.0
    assert to_reference(image, 200.0, 24.0)[1] == 0.25


def test_model_width_reference_comes_with_the_width():
    """A checkpoint's width was read at the reference it records; one
    without a reference (trained before it) was read in one pass; the
    config's keys count only where the checkpoint has no width."""
    from mmengine.config import Config

    new = dict(chromosome_width=14.4, chromosome_width_reference=24.0)
    old = dict(chromosome_width=14.5)
    cfg = Config(dict(chromosome_width=9.0, chromosome_width_reference=30))
    assert model_width_reference(None, new) == 24.0
    assert model_width_reference(None, old) is None
    assert model_width_reference(cfg, old) is None
    assert model_width_reference(cfg, {}) == 30.0
    assert (
        model_width_reference(Config(dict(chromosome_width=9.0)), {}) is None
    )


def test_a_cell_on_an_uneven_noisy_field_is_read_by_its_chromosomes():
    # A generated cell with the real look (condensed, a strong
    # illumination gradient and noise): most foreground objects are
    # blotches of the field (100 objects, median area 37 px), which as
    # the yardstick for specks read the width as 2.8 px. The chromosomes
    # were drawn 8.3 px wide (the cell's ``batch['width']``), and
    # condensed wider.
    real_look = get_config('_base_/datasets/real_look.py').real_look
    image, _, info = render_metaphase(
        np.random.default_rng(0),
        SynthOptions(
            width=640,
            height=480,
            batch_effect=1.0,
            chromosome_scale=1.4,
            condense=real_look['condense'],
            degrade=dict(real_look['degrade'], gamma=(1.35, 1.75)),
        ),
    )
    assert info['batch']['width'] == pytest.approx(8.26)
    assert 8.26 <= estimate_chromosome_width(image) <= 8.26 * 1.45 + 1


def test_auto_factor_brings_the_image_to_the_model_width():
    image = metaphase_like(width=12, seed=1)
    factor, width = scale_factor(image, 'auto', model_width=6.0)
    assert factor == pytest.approx(6.0 / width)
    assert 12 <= width <= 17
    assert scale_factor(image, 'none', 6.0) == (None, None)
    assert scale_factor(image, 1.7, None) == (1.7, None)
    with pytest.raises(ValueError, match='chromosome width the model'):
        scale_factor(image, 'auto', None)


def test_an_image_without_chromosomes_is_refused_by_name():
    image = np.full((100, 100), 230, np.uint8)
    cv2.circle(image, (50, 50), 20, 60, -1)
    with pytest.raises(ScaleEstimateError, match='single chromosomes'):
        estimate_chromosome_width(image)


def test_parse_scale():
    assert parse_scale('auto') == 'auto'
    assert parse_scale(' None ') == 'none'
    assert parse_scale('1.5') == 1.5
    assert parse_scale(2) == 2.0
    for bad in ('big', '0', '-1', 'nan'):
        with pytest.raises(ValueError, match='scale'):
            parse_scale(bad)


def test_rescale_pipeline_replaces_the_fixed_resize_only():
    steps = [
        dict(type='LoadImageFromNDArray'),
        dict(type='Resize', scale=(640, 480), keep_ratio=True),
        dict(type='PackChromosomeInputs'),
    ]
    out = rescale_pipeline(steps, 0.5)
    assert out[1] == dict(
        type='mmdet.Resize',
        scale_factor=0.5,
        keep_ratio=True,
        interpolation='bilinear',
    )
    assert rescale_pipeline(steps, 2.0)[1]['interpolation'] == 'bicubic'
    assert out[0] == steps[0] and out[2] == steps[2]
    assert steps[1]['scale'] == (640, 480)  # the input is not changed
    assert rescale_pipeline(steps, None) == steps
    with pytest.raises(ValueError, match='no Resize'):
        rescale_pipeline(steps[:1], 2.0)


def test_rescaled_pipeline_maps_boxes_back(tmp_path):
    """The factor's Resize records its scale_factor, which mmdet uses to
    bring predictions back to the image's own pixels."""
    from mmcv.transforms import Compose
    from mmengine.registry import init_default_scope

    import deepacc  # noqa: F401

    init_default_scope('mmdet')

    steps = [
        dict(type='mmdet.LoadImageFromNDArray'),
        dict(type='Resize', scale=(640, 480), keep_ratio=True),
        dict(type='PackChromosomeInputs'),
    ]
    image = np.random.default_rng(0).integers(0, 256, (200, 300, 3))
    image = image.astype(np.uint8)
    data = Compose(rescale_pipeline(steps, 2.0))(dict(img=image, img_id=0))
    assert tuple(data['inputs'].shape[1:]) == (400, 600)
    # Enlarged bicubically, as OpenCV does it.
    bicubic = cv2.resize(image, (600, 400), interpolation=cv2.INTER_CUBIC)
    assert np.array_equal(data['inputs'].permute(1, 2, 0).numpy(), bicubic)
    assert data['data_samples'].scale_factor == (2.0, 2.0)
    assert data['data_samples'].ori_shape == (200, 300)


def generated_training_cells(num_samples: int = 2, **synth) -> dict:
    """A data set config of generated training cells, read as they are."""
    return dict(
        type='SynthMetaphaseDataset',
        num_samples=num_samples,
        seed=3,
        pipeline=[
            dict(type='mmdet.LoadImageFromNDArray'),
            dict(type='PackChromosomeInputs'),
        ],
        **(dict(synth=synth) if synth else {}),
    )


def test_scale_hook_records_width_and_keeps_random_state():
    import torch
    from mmengine.config import ConfigDict
    from mmengine.registry import init_default_scope

    from deepacc.engine import ChromosomeScaleHook

    init_default_scope('mmdet')

    class Runner:
        class logger:
            messages = []

            @classmethod
            def info(cls, msg):
                cls.messages.append(msg)

            warning = info

        cfg = ConfigDict(
            train_dataloader=dict(dataset=generated_training_cells())
        )

    random.seed(1)
    np.random.seed(1)
    torch.manual_seed(1)
    before = (random.random(), np.random.rand(), torch.rand(1).item())
    random.seed(1)
    np.random.seed(1)
    torch.manual_seed(1)
    hook = ChromosomeScaleHook(num_images=2)
    hook.before_train(Runner)
    after = (random.random(), np.random.rand(), torch.rand(1).item())
    assert after == before
    assert hook.width is not None and 2 < hook.width < 40
    assert 'training chromosome width' in Runner.logger.messages[-1]
    checkpoint = {'meta': {'cfg': 'x'}}
    hook.before_save_checkpoint(Runner, checkpoint)
    assert checkpoint['meta'] == {
        'cfg': 'x',
        'chromosome_width': hook.width,
        'chromosome_width_reference': REFERENCE_WIDTH,
    }


def test_scale_hook_reads_the_same_training_images_in_every_run():
    """Training draws of generated cells follow torch's seed, which
    differs between runs; the hook's width must not."""
    import torch
    from mmengine.registry import init_default_scope

    from deepacc.engine import ChromosomeScaleHook

    init_default_scope('mmdet')
    data = generated_training_cells(3, width=320, height=240)
    widths = []
    for run_seed in (1, 2):
        torch.manual_seed(run_seed)
        widths.append(ChromosomeScaleHook(3).measure(data))
        assert torch.initial_seed() == run_seed
    assert widths[0] == widths[1]
    other = ChromosomeScaleHook(3).measure(data, seed=5)
    assert other != widths[0]


def test_scale_hook_measures_through_the_given_pipeline():
    """A training pipeline that resizes (a scale jitter, here a fixed
    doubling) changes the width read; ``pipeline=`` measures through
    another one (the un-jittered pipeline) instead."""
    from mmengine.registry import init_default_scope

    from deepacc.engine import ChromosomeScaleHook

    init_default_scope('mmdet')
    load = dict(type='mmdet.LoadImageFromNDArray')
    pack = dict(type='PackChromosomeInputs')
    plain = [load, pack]
    doubled = [load, dict(type='mmdet.Resize', scale_factor=2.0), pack]
    data = dict(type='SynthMetaphaseDataset', num_samples=2, seed=3)
    width = ChromosomeScaleHook(2).measure(dict(data, pipeline=plain))
    twice = ChromosomeScaleHook(2).measure(dict(data, pipeline=doubled))
    assert twice / width == pytest.approx(2.0, rel=0.15)
    fixed = ChromosomeScaleHook(2, pipeline=plain)
    assert fixed.measure(dict(data, pipeline=doubled)) == width


def test_an_unmeasurable_image_is_read_as_it_is_with_a_flag():
    from deepacc.scale import robust_scale_factor

    image = np.full((100, 100), 230, np.uint8)
    cv2.circle(image, (50, 50), 20, 60, -1)
    factor, width, flag = robust_scale_factor(image, 'auto', 6.0)
    assert (factor, width) == (None, None)
    assert flag.startswith('scale auto: not rescaled') and 'single' in flag
    rod = metaphase_like(width=12, seed=2)
    factor, width, flag = robust_scale_factor(rod, 'auto', 6.0)
    assert flag is None and factor == pytest.approx(6.0 / width)


def test_scale_command_stores_the_training_width(tmp_path, capsys):
    """``deepacc scale``: a checkpoint without a training width gets the
    one the hook measures on its config's training images; nothing is
    written without --out or --in-place, and an existing --out only with
    --force."""
    import torch
    from mmengine.registry import init_default_scope

    from deepacc.cli import main
    from deepacc.engine import ChromosomeScaleHook

    data = generated_training_cells()
    config = tmp_path / 'config.py'
    config.write_text(
        "custom_imports = dict(imports=['deepacc'])\n"
        "default_scope = 'mmdet'\n"
        f'train_dataloader = dict(dataset={data!r})\n'
        "custom_hooks = [dict(type='ChromosomeScaleHook', num_images=2)]\n"
    )
    checkpoint = tmp_path / 'old.pth'
    torch.save(dict(meta=dict(epoch=1), state_dict={}), checkpoint)
    init_default_scope('mmdet')
    expected = ChromosomeScaleHook(2).measure(data)

    assert main(['scale', str(config), str(checkpoint)]) == 0
    assert 'stored: none' in capsys.readouterr().out
    assert 'chromosome_width' not in torch.load(checkpoint)['meta']

    new = tmp_path / 'new.pth'
    assert (
        main(['scale', str(config), str(checkpoint), '--out', str(new)]) == 0
    )
    assert torch.load(new)['meta'] == dict(
        epoch=1,
        chromosome_width=expected,
        chromosome_width_reference=REFERENCE_WIDTH,
    )
    with pytest.raises(SystemExit, match='--force'):
        main(['scale', str(config), str(checkpoint), '--out', str(new)])

    assert main(['scale', str(config), str(checkpoint), '--in-place']) == 0
    assert torch.load(checkpoint)['meta']['chromosome_width'] == expected


def _rod_crop(length: int, width: int, angle: float) -> np.ndarray:
    """A dark rod ``length`` x ``width`` px (by hand: a filled rotated
    rectangle), turned by ``angle`` degrees, on a white crop."""
    crop = np.full((length + 2 * width + 10,) * 2, 255, np.uint8)
    centre = (crop.shape[1] / 2, crop.shape[0] / 2)
    corners = cv2.boxPoints((centre, (width, length), angle))
    cv2.fillPoly(crop, [np.int32(np.round(corners))], 60)
    return crop


def test_crops_length_reads_the_median_rod_length_at_any_angle():
    """Rods of 30, 40 and 50 px at 0-60 degrees: the median reads 40
    within 2 px whatever the angles; at half size, half of it within 5%;
    crops without a chromosome are refused by name."""
    from deepacc.scale import crops_length

    crops = [
        _rod_crop(length, 10, angle)
        for length, angle in ((30, 0), (40, 35), (50, 60))
    ]
    full = crops_length(crops)
    assert full == pytest.approx(40, abs=2)
    half = crops_length(
        [
            cv2.resize(c, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
            for c in crops
        ]
    )
    assert half / full == pytest.approx(0.5, rel=0.05)
    blank = np.full((20, 20), 255, np.uint8)
    with pytest.raises(ScaleEstimateError, match='none of 2 crops'):
        crops_length([blank, blank])
