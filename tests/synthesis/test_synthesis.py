import hashlib
import json
import os.path as osp

import cv2
import numpy as np
import pytest

from deepacc.chromosomes import (
    CENTROMERE_INDEX,
    CLASSES,
    RELATIVE_LENGTH,
    band_pattern,
)
from deepacc.synthesis import (
    SynthOptions,
    generate_dataset,
    karyotype_from_counts,
    render_chromosome,
    render_metaphase,
    sample_batch,
)

SMALL = dict(width=256, height=192)


def test_band_pattern_class_specific():
    for name in CLASSES:
        bands = band_pattern(name)
        assert bands[0, 0] == 0 and bands[-1, 1] == pytest.approx(1)
        np.testing.assert_allclose(bands[1:, 0], bands[:-1, 1])
        assert ((bands[:, 2] >= 0) & (bands[:, 2] <= 1)).all()
        # A band edge sits at the centromere.
        assert np.isclose(bands[:, 0], CENTROMERE_INDEX[name] / 100).any()
    np.testing.assert_array_equal(band_pattern('21'), band_pattern('G21'))
    assert len(band_pattern('1')) > len(band_pattern('21'))
    # Same-group classes differ.
    a, b = band_pattern('21'), band_pattern('22')
    assert a.shape != b.shape or not np.allclose(a, b)
    with pytest.raises(ValueError):
        band_pattern('nucleus')


def test_render_straight_chromosome_geometry():
    rng = np.random.default_rng(0)
    sprite = render_chromosome(CLASSES.index('1'), 100.0, 12.0, rng, angle=0.0)
    ys, xs = np.nonzero(sprite.mask)
    assert ys.max() - ys.min() + 1 == pytest.approx(100, abs=3)
    assert xs.max() - xs.min() + 1 == pytest.approx(12, abs=2)
    # Upright: p-ter on top, centromere at the centromere index.
    assert sprite.p_ter[1] < sprite.centromere[1] < sprite.q_ter[1]
    rel = (sprite.centromere[1] - sprite.p_ter[1]) / 100.0
    assert rel == pytest.approx(CENTROMERE_INDEX['1'] / 100, abs=0.03)
    turned = render_chromosome(0, 100.0, 12.0, rng, angle=90.0)
    ys, xs = np.nonzero(turned.mask)
    assert xs.max() - xs.min() + 1 == pytest.approx(100, abs=3)
    # Counter-clockwise by 90 degrees as displayed: p-arm to the left.
    assert turned.p_ter[0] < turned.q_ter[0]


def _md5(path):
    with open(path, 'rb') as f:
        return hashlib.md5(f.read()).hexdigest()


def test_generate_deterministic_and_prefix_stable(tmp_path):
    paths = [
        generate_dataset(
            str(tmp_path / name), n, seed=5, progress=False, **SMALL
        )
        for name, n in (('a', 2), ('b', 2), ('c', 3))
    ]
    cocos = [json.load(open(p)) for p in paths]
    assert cocos[0] == cocos[1]
    assert cocos[2]['images'][:2] == cocos[0]['images']
    n = len(cocos[0]['annotations'])
    assert cocos[2]['annotations'][:n] == cocos[0]['annotations']
    for name in ('synth_00000.png', 'synth_00001.png'):
        digests = {_md5(tmp_path / d / 'images' / name) for d in 'abc'}
        assert len(digests) == 1
    other = generate_dataset(
        str(tmp_path / 'd'), 1, seed=6, progress=False, **SMALL
    )
    assert (
        json.load(open(other))['annotations']
        != cocos[0]['annotations'][
            : len(json.load(open(other))['annotations'])
        ]
    )
    with pytest.raises(FileExistsError):
        generate_dataset(str(tmp_path / 'a'), 1, progress=False, **SMALL)


def test_counts_match_karyotype_and_boxes_hold_pixels():
    opts = SynthOptions(
        aneuploidy_rate=1.0,
        nucleus_rate=0.0,
        debris=0.0,
        noise=0.0,
        batch_effect=0.0,
        **SMALL,
    )
    seen = set()
    for seed in range(6):
        image, sprites, info = render_metaphase(
            np.random.default_rng(seed), opts
        )
        counts = np.bincount([s.label for s in sprites], minlength=24)
        assert karyotype_from_counts(counts) == info['karyotype']
        assert int(info['karyotype'].split(',')[0]) == len(sprites)
        seen.add(info['karyotype'])
        inside = np.zeros(image.shape, bool)
        for s in sprites:
            x, y, w, h = s.bbox()
            assert 0 <= x and 0 <= y and x + w <= 256 and y + h <= 192
            ys, xs = np.nonzero(s.mask)
            ox, oy = s.offset
            assert (xs + ox >= x).all() and (xs + ox < x + w).all()
            assert (ys + oy >= y).all() and (ys + oy < y + h).all()
            # Blur spreads a pixel or two beyond the mask.
            inside[max(y - 2, 0) : y + h + 2, max(x - 2, 0) : x + w + 2] = True
        background = info['batch']['background']
        dark = image < background - 40
        assert dark.any()
        assert not (dark & ~inside).any(), 'chromosome pixels outside boxes'
    assert all(k != '46,XX' and k != '46,XY' for k in seen)
    assert len(seen) >= 3


def test_batch_effect_changes_per_image_scale():
    def lengths(strength):
        opts = SynthOptions(batch_effect=strength, **SMALL)
        return [
            sample_batch(np.random.default_rng(s), opts)['chr1_length']
            for s in range(20)
        ]

    fixed, varied = lengths(0.0), lengths(1.0)
    assert len(set(fixed)) == 1
    assert max(varied) / min(varied) > 1.5
    assert max(varied) / min(varied) <= 1.4**2 + 1e-6


def test_batch_effect_in_annotations(tmp_path):
    path = generate_dataset(
        str(tmp_path), 3, seed=1, batch_effect=1.0, progress=False, **SMALL
    )
    coco = json.load(open(path))
    chr1 = {}
    for ann in coco['annotations']:
        if ann['category_id'] == 1:
            chr1.setdefault(ann['image_id'], []).append(ann['length'])
        for other in ann['touching'] + ann['overlapping']:
            peer = coco['annotations'][other - 1]
            assert peer['image_id'] == ann['image_id']
            assert ann['id'] in peer['touching'] + peer['overlapping']
    means = [np.mean(v) for v in chr1.values()]
    assert max(means) / min(means) > 1.05
    # Relative size within an image still orders the classes.
    for img in coco['images']:
        anns = [a for a in coco['annotations'] if a['image_id'] == img['id']]
        by = {a['category_id']: a['length'] for a in anns}
        assert by[1] > by[21]
        scale = img['batch']['chr1_length']
        for a in anns:
            expect = scale * RELATIVE_LENGTH[CLASSES[a['category_id'] - 1]]
            assert a['length'] == pytest.approx(expect / 8.44, rel=0.2)


def test_synth_cli_loads_in_chromosome_dataset(tmp_path):
    from deepacc.cli import main
    from deepacc.datasets import ChromosomeDataset

    out = tmp_path / 'data'
    assert (
        main(
            [
                'synth',
                '--out',
                str(out),
                '--num-images',
                '3',
                '--width',
                '256',
                '--height',
                '192',
                '--seed',
                '2',
                '--split',
                '2',
                '1',
            ]
        )
        == 0
    )
    assert main(['synth', '--out', str(out), '--num-images', '1']) == 1
    assert osp.exists(out / 'annotations' / 'train.json')
    ds = ChromosomeDataset(
        ann_file=str(out / 'annotations' / 'all.json'),
        data_prefix=dict(img=str(out / 'images') + '/'),
        pipeline=[],
        test_mode=True,
    )
    coco = json.load(open(out / 'annotations' / 'all.json'))
    assert len(ds) == 3
    labels = [i['bbox_label'] for i in ds[0]['instances']]
    expect = [
        a['category_id'] - 1 for a in coco['annotations'] if a['image_id'] == 1
    ]
    assert labels == expect
    img = cv2.imread(ds[0]['img_path'], cv2.IMREAD_UNCHANGED)
    assert img.shape == (192, 256)
