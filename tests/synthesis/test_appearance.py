import numpy as np
import pytest

from deepacc.chromosomes import CENTROMERE_INDEX, CLASSES, RELATIVE_LENGTH
from deepacc.synthesis import (
    ComposeOptions,
    SynthOptions,
    compose,
    compose_metaphase,
    metaphase,
    render_chromosome,
    render_metaphase,
)
from deepacc.synthesis.appearance import (
    ClutterOptions,
    CondenseOptions,
    DegradeOptions,
    centromere_position,
    condense,
    degrade,
    place_clutter,
)
from deepacc.synthesis.sprite import Sprite


def _crop(name='1', length=80.0, width=14.0, black=False):
    """An upright chromosome crop (p-arm up) as the composer reads one."""
    sprite = render_chromosome(
        CLASSES.index(name),
        length,
        width,
        np.random.default_rng(0),
        angle=0.0,
    )
    opacity = np.pad(sprite.opacity, 3)
    grey = 255 * opacity if black else 240 * (1 - opacity)
    return np.clip(np.rint(grey), 0, 255).astype(np.uint8)


def _opacity(crop, black=False):
    g = crop.astype(np.float32)
    level = np.median(np.concatenate([g[0], g[-1]]))
    if black:
        return np.clip((g - level) / (255 - level), 0, 1)
    return np.clip((level - g) / level, 0, 1)


def _extent(mask):
    rows = np.flatnonzero(mask.any(axis=1))
    return rows[0], rows[-1] + 1


def _span(row):
    """Pixels from a row's first to its last chromosome pixel."""
    xs = np.flatnonzero(row)
    return int(xs[-1] - xs[0] + 1)


def _dip(row):
    """How deep the lightest point of a row's middle half lies under
    the lower of the maxima either side (0: no gap)."""
    xs = np.flatnonzero(row > 0.1)
    profile = row[xs[0] : xs[-1] + 1]
    n = len(profile)
    mid = n // 4 + int(np.argmin(profile[n // 4 : n - n // 4]))
    side = min(profile[: mid + 1].max(), profile[mid:].max())
    return 1.0 - profile[mid] / side


def _mean_dip(opacity, y):
    """:func:`_dip` over rows ``y - 1 .. y + 1`` (bands and grain make
    single rows noisy)."""
    return float(np.mean([_dip(opacity[y + k]) for k in (-1, 0, 1)]))


def test_centromere_position():
    crop = _crop('1')
    cen = centromere_position(_opacity(crop) > 0.1)
    assert cen == pytest.approx(CENTROMERE_INDEX['1'] / 100, abs=0.06)
    # No constriction in the middle: the fallback.
    assert centromere_position(np.ones((40, 10), bool)) == 0.4
    assert centromere_position(np.ones((3, 10), bool)) == 0.4


@pytest.mark.parametrize('black', [False, True])
def test_condense_shorter_and_wider(black):
    crop = _crop('1', black=black)
    out = condense(
        crop, length=0.6, width=1.4, background='black' if black else 'white'
    )
    before, after = _opacity(crop, black) > 0.1, _opacity(out, black) > 0.1
    top, bottom = _extent(before)
    top2, bottom2 = _extent(after)
    assert (bottom2 - top2) / (bottom - top) == pytest.approx(0.6, rel=0.1)
    widths = np.median(before[top:bottom].sum(axis=1))
    widths2 = np.median(after[top2:bottom2].sum(axis=1))
    assert widths2 > 1.25 * widths
    # Still on its own background, stain on the same side.
    assert out[0, 0] == crop[0, 0]
    if black:
        assert out.max() > 150
    else:
        assert out.min() < 100


def test_condense_gap_away_from_centromere_not_at_it():
    crop = _crop('1')
    plain = _opacity(condense(crop, length=0.7, width=1.3))
    apart = _opacity(condense(crop, length=0.7, width=1.3, splay=0.1, gap=0.8))
    top, bottom = _extent(apart > 0.1)
    cen = top + CENTROMERE_INDEX['1'] / 100 * (bottom - top)
    at = int(round(cen))
    away = int(round(cen + 0.7 * (bottom - cen)))  # down the q-arm
    assert _mean_dip(apart, at) < 0.15
    assert _mean_dip(apart, away) > 0.5
    assert _mean_dip(plain, away) < 0.2
    # Apart, the arm is wider than condensed alone; at the centromere not.
    assert _span(apart[away] > 0.1) > _span(plain[away] > 0.1)
    assert abs(_span(apart[at] > 0.1) - _span(plain[at] > 0.1)) <= 2


def test_condense_options_sample():
    options = CondenseOptions.coerce(
        dict(length=(0.6, 0.6), width=1.2, jitter=0.0, separated=0.0)
    )
    rng = np.random.default_rng(0)
    cell = options.sample_cell(rng)
    assert cell == (0.6, 1.2)
    drawn = options.sample_chromosome(rng, cell)
    assert drawn == dict(length=0.6, width=1.2, splay=0.0, gap=0.0)
    with pytest.raises(TypeError, match='lenght'):
        CondenseOptions.coerce(dict(lenght=0.5))


def _scene(height=96, width=128):
    """A light field with a few dark rods, as uint8."""
    image = np.full((height, width), 220, np.uint8)
    image[20:70, 30:40] = 60
    image[40:50, 60:110] = 90
    return image


def test_degrade_jpeg_changes_image_and_is_seeded():
    image = _scene()
    options = DegradeOptions(jpeg=(30, 60))
    a = degrade(image, np.random.default_rng(1), options)
    b = degrade(image, np.random.default_rng(1), options)
    assert a.shape == image.shape and a.dtype == np.uint8
    assert np.array_equal(a, b)
    assert not np.array_equal(a, image)
    # Off at the defaults: the image comes back as it was.
    assert np.array_equal(
        degrade(image, np.random.default_rng(1), DegradeOptions()), image
    )


def test_degrade_gradient_between_sides():
    image = np.full((60, 101), 200, np.uint8)
    options = DegradeOptions(gradient=(0.2, 0.2), angle=0.0)
    out = degrade(image, np.random.default_rng(0), options).astype(float)
    left, right = out[:, :5].mean(), out[:, -5:].mean()
    # The ramp runs 0 .. 1 over the columns: the outer five columns lie
    # 2 columns in, i.e. 0.2 * (1 - 4 / 100) apart.
    assert (left - right) / 200 == pytest.approx(0.2 * 0.96, rel=0.05)
    radial = DegradeOptions(gradient=(0.3, 0.3), radial=1.0)
    out = degrade(image, np.random.default_rng(0), radial).astype(float)
    assert out.max() == 200 and out.min() == pytest.approx(140, abs=1)


def test_degrade_blur_resolution_noise_white():
    image = _scene()

    def sharpness(img):
        return np.abs(np.diff(img.astype(float), axis=1)).max()

    rng = np.random.default_rng
    blurred = degrade(image, rng(0), DegradeOptions(blur=(1.5, 1.5)))
    coarse = degrade(image, rng(0), DegradeOptions(resolution=(3, 3)))
    assert sharpness(blurred) < 0.6 * sharpness(image)
    assert sharpness(coarse) < 0.8 * sharpness(image)
    noisy = degrade(image, rng(0), DegradeOptions(noise=(4, 4)))
    assert (noisy.astype(float) - image)[:15].std() == pytest.approx(4, 0.15)
    white = degrade(image, rng(0), DegradeOptions(white=(260, 260)))
    assert (white[:15] == 255).all()
    assert white[30, 35] == round(60 * 260 / 220)
    curved = degrade(image, rng(0), DegradeOptions(gamma=(2, 2)))
    assert curved[30, 35] == round(255 * (60 / 255) ** 2)
    assert curved[0, 0] == round(255 * (220 / 255) ** 2)


def _placed_rods(size=(160, 120)):
    rods = []
    for x, y in ((20, 20), (80, 60)):
        mask = np.ones((40, 10), bool)
        rod = Sprite(opacity=mask * 0.8, mask=mask, label=0, offset=(x, y))
        rods.append(rod)
    return rods


def test_place_clutter_not_chromosomes():
    rods = _placed_rods()
    options = ClutterOptions(nuclei=2, debris=5, fibres=2, under=0.0)
    pieces = place_clutter(
        rods, (160, 120), np.random.default_rng(0), options, 40
    )
    assert pieces and all(p.label == -1 for p in pieces)
    occupied = np.zeros((120, 160), bool)
    for rod in rods:
        x, y = rod.offset
        occupied[y : y + 40, x : x + 10] = True
    for piece in pieces:
        x, y = piece.offset
        h, w = piece.shape
        assert 0 <= x and x + w <= 160 and 0 <= y and y + h <= 120
        assert not (occupied[y : y + h, x : x + w] & piece.mask).any()


def test_generator_chromatids_apart():
    def render(**kwargs):
        return render_chromosome(
            CLASSES.index('1'),
            60.0,
            20.0,
            np.random.default_rng(0),
            angle=0.0,
            **kwargs,
        )

    plain, off = render(), render(splay=0.0, gap=0.0)
    assert np.array_equal(plain.opacity, off.opacity)
    apart = render(splay=0.2, gap=0.6)
    top, bottom = _extent(apart.mask)
    cen = int(round(apart.centromere[1]))
    away = int(round(cen + 0.7 * (bottom - cen)))
    # At the centromere the chromatids stay together: no deeper a dip
    # than the plain chromosome's (bands and grain make a little).
    at = _mean_dip(apart.opacity, cen) - _mean_dip(plain.opacity, cen)
    assert abs(at) < 0.05
    assert _mean_dip(apart.opacity, away) > 0.5
    assert _mean_dip(plain.opacity, away) < 0.2
    # X shape: the arm widens, the centromere does not.
    assert _span(apart.mask[away]) > _span(plain.mask[away]) + 3
    assert abs(_span(apart.mask[cen]) - _span(plain.mask[cen])) <= 1


def _cell():
    names = ('1', '1', '5', '9', '13', '18', '21', 'X')
    return [
        (_crop(name, 70.0 * RELATIVE_LENGTH[name] / 8.44 + 15, 12.0), k)
        for k, name in zip((0, 0, 4, 8, 12, 17, 20, 22), names)
    ]


def _compose(seed=0, **options):
    opts = ComposeOptions.from_kwargs(
        width=256, height=192, batch_effect=1.0, **options
    )
    return compose_metaphase(_cell(), np.random.default_rng(seed), opts)


def _boxes(sprites):
    return [(s.label, s.bbox()) for s in sprites]


def test_compose_appearance_off_takes_no_new_path(monkeypatch):
    image, sprites, info = _compose()

    def refuse(*args, **kwargs):
        raise AssertionError('appearance step called while off')

    for name in ('condense', 'degrade', 'place_clutter', 'bend'):
        monkeypatch.setattr(compose, name, refuse)
    monkeypatch.setattr(metaphase, 'degrade', refuse)
    off = dict(condense=None, degrade=None, clutter=None, bend=None)
    image2, sprites2, info2 = _compose(**off)
    assert np.array_equal(image, image2)
    assert _boxes(sprites) == _boxes(sprites2) and info == info2
    assert 'condensed' not in info
    synth = dict(width=256, height=192, batch_effect=1.0)
    a = render_metaphase(np.random.default_rng(0), SynthOptions(**synth))
    b = render_metaphase(
        np.random.default_rng(0),
        SynthOptions.from_kwargs(condense=None, degrade=None, **synth),
    )
    assert np.array_equal(a[0], b[0]) and a[2] == b[2]
    assert 'condense' not in SynthOptions(**synth).to_dict()


def test_compose_clutter_and_degrade_add_no_boxes():
    image, sprites, _ = _compose()
    cluttered, sprites2, _ = _compose(
        clutter=dict(nuclei=2, debris=6, fibres=2)
    )
    # Clutter is drawn after the layout: the same chromosomes, the same
    # boxes, no box for any piece; only pixels change.
    assert _boxes(sprites2) == _boxes(sprites)
    assert (cluttered.astype(int) - image).min() < -40
    degraded, sprites3, _ = _compose(degrade=dict(jpeg=(40, 40), blur=1.0))
    assert _boxes(sprites3) == _boxes(sprites)
    assert not np.array_equal(degraded, image)


def test_compose_condensed():
    _, plain, _ = _compose()
    _, short, info = _compose(
        condense=dict(length=0.6, width=1.3, jitter=0.0, separated=1.0)
    )
    assert info['condensed'] == [0.6, 1.3]
    assert [s.label for s in short] == [s.label for s in plain]
    area = sum(int(s.mask.sum()) for s in plain)
    area2 = sum(int(s.mask.sum()) for s in short)
    assert 0.6 < area2 / area < 1.0


def test_generator_condensed():
    synth = dict(width=320, height=240, batch_effect=0.0)
    _, plain, info = render_metaphase(
        np.random.default_rng(0), SynthOptions(**synth)
    )
    condense = dict(length=0.6, width=1.3, jitter=0.0, separated=1.0)
    _, short, info2 = render_metaphase(
        np.random.default_rng(0), SynthOptions(condense=condense, **synth)
    )
    assert info2['karyotype'] == info['karyotype']
    assert info2['condensed'] == [0.6, 1.3]
    lengths = sum(s.extra['length'] for s in plain)
    lengths2 = sum(s.extra['length'] for s in short)
    assert lengths2 / lengths == pytest.approx(0.6, rel=0.05)
    widths = np.median([s.extra['width'] for s in plain])
    widths2 = np.median([s.extra['width'] for s in short])
    assert widths2 / widths == pytest.approx(1.3, rel=0.1)


def test_real_look_rate_mixes_looks():
    look = dict(
        condense=dict(length=0.6, width=1.3, jitter=0.0, separated=1.0),
        degrade=dict(blur=1.0),
        clutter=dict(nuclei=2, debris=6, fibres=0),
    )
    looks = [
        _compose(seed, real_look_rate=0.5, **look)[2] for seed in range(12)
    ]
    drawn = [info['real_look'] for info in looks]
    # Both looks come up, and only the real-look cells are condensed.
    assert 0 < sum(drawn) < len(drawn)
    assert all(
        ('condensed' in info) == real for info, real in zip(looks, drawn)
    )
    # A plain-look cell is the cell made with the steps off after the
    # same draw; a real-look one the cell made with them on.
    plain_seed = drawn.index(False)
    image, sprites, _ = _compose(plain_seed, real_look_rate=0.5, **look)
    rng = np.random.default_rng(plain_seed)
    rng.random()
    plain = compose_metaphase(
        _cell(), rng, ComposeOptions(width=256, height=192, batch_effect=1.0)
    )
    assert np.array_equal(image, plain[0])
    assert _boxes(sprites) == _boxes(plain[1])
    # Rate 0 never draws the real look; rate 1 is the options as before.
    assert not _compose(0, real_look_rate=0.0, **look)[2]['real_look']
    full = _compose(3, real_look_rate=1.0, **look)
    assert 'real_look' not in full[2]
    assert np.array_equal(full[0], _compose(3, **look)[0])
    with pytest.raises(ValueError, match='real_look_rate'):
        ComposeOptions(real_look_rate=1.5)
    synth = SynthOptions(
        width=256,
        height=192,
        real_look_rate=0.0,
        condense=look['condense'],
        degrade=look['degrade'],
    )
    assert 'real_look_rate' in synth.to_dict()
    assert 'real_look_rate' not in SynthOptions().to_dict()
    *_, info = render_metaphase(np.random.default_rng(0), synth)
    assert info['real_look'] is False and 'condensed' not in info
