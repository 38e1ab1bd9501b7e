"""Karyogram pages cut into labelled crops (``deepacc convert
karyograms``)."""

import os.path as osp
from collections import Counter

import cv2
import numpy as np
import pytest

from deepacc.chromosomes import CLASSES
from deepacc.cli import main as cli_main
from deepacc.converters import ConversionError, convert_karyograms
from deepacc.converters.karyogram import cut_karyogram
from deepacc.datasets.crop_sets import index_crops, read_crop_images

# The slots row by row, as karyotyping software lays them out; some put
# X after 12 (X_AFTER_12).
ROWS = [CLASSES[0:5], CLASSES[5:12], CLASSES[12:18], CLASSES[18:24]]
X_AFTER_12 = [
    CLASSES[0:5],
    CLASSES[5:12] + ('X',),
    CLASSES[12:18],
    CLASSES[18:22] + ('Y',),
]
LINE, STEP = 70, 80  # underline length and slot pitch, pixels
ROD = 10  # rod width


def rod_height(label: int) -> int:
    """Longer for lower class numbers, as chromosomes are."""
    return 30 + 2 * (len(CLASSES) - label)


def draw_page(touching='7', trisomy='21', drop=None, rows=ROWS):
    """A white page of 24 underlined slots holding dark rods standing on
    their lines (two per autosome, one X, one Y), a name under each
    line; slot ``touching`` holds its two rods joined by a thin bridge
    (one object), slot ``trisomy`` three rods; slot ``drop`` has no
    line."""
    page = np.full((620, 680), 255, np.uint8)
    for r, row in enumerate(rows):
        y = 130 + 145 * r
        for s, name in enumerate(row):
            x = 10 + STEP * s
            label = CLASSES.index(name)
            if name != drop:
                page[y : y + 2, x : x + LINE] = 0
            cv2.putText(
                page, name, (x + 20, y + 24), cv2.FONT_HERSHEY_PLAIN, 1.5, 0
            )
            count = 1 if name in ('X', 'Y') else 3 if name == trisomy else 2
            top = y - 3 - rod_height(label)
            lefts = [x + 8 + 20 * k for k in range(count)]
            if name == touching:
                lefts = [x + 20, x + 34]  # a 4-px gap ...
                page[y - 30 : y - 26, x + 30 : x + 34] = 60  # ... bridged
            for left in lefts:
                page[top : y - 3, left : left + ROD] = 60
    return page


def test_cut_karyogram_names_every_chromosome():
    from deepacc.converters import ConversionReport

    report = ConversionReport('karyogram', unit='crop')
    cut = cut_karyogram(draw_page(), 'page.png', report)
    counts = Counter(CLASSES[label] for _, label in cut)
    expected = {name: 2 for name in CLASSES[:22]}
    expected.update({'21': 3, 'X': 1, 'Y': 1})
    assert counts == expected
    # Each crop is its rod alone, upright, on white with the margin: a rod
    # of the slot's height (the bridge's stub aside) and width.
    for crop, label in cut:
        ys, xs = np.nonzero(crop < 200)
        assert ys.max() - ys.min() + 1 == rod_height(label)
        bridge = 4 if CLASSES[label] == '7' else 0
        assert ROD <= xs.max() - xs.min() + 1 <= ROD + bridge
        assert crop[:4].min() == 255 and crop[:, :4].min() == 255
    # The touching pair was split and said so; the trisomy kept and said.
    assert (
        'page.png',
        'slot 7',
        'one object pinched in the middle: split in two',
    ) in report.notes
    assert ('page.png', 'slot 21', '3 chromosomes (kept)') in report.notes
    assert len(report.notes) == 2 and not report.problems


def test_a_page_drawn_three_times_as_large_reads_the_same():
    # The band of names under each line and the smallest chromosome scale
    # with the page's line length, so a page scanned at three times the
    # resolution gives the same chromosomes at three times the size (at
    # fixed sizes its names, larger than the smallest chromosome and
    # reaching below the band, were read as the next row's chromosomes).
    page = draw_page()
    large = cv2.resize(page, None, fx=3, fy=3, interpolation=cv2.INTER_NEAREST)
    small = cut_karyogram(page)
    big = cut_karyogram(large)
    assert [label for _, label in big] == [label for _, label in small]
    for (b, _), (s, _) in zip(big, small):
        inked = [np.argwhere(c < 200) for c in (b, s)]
        extent = [np.ptp(i, axis=0) + 1 for i in inked]
        assert np.array_equal(extent[0], 3 * extent[1])


def test_a_page_with_x_after_12_is_read_by_its_order():
    page = draw_page(rows=X_AFTER_12)
    order = [name for row in X_AFTER_12 for name in row]
    right = Counter(
        CLASSES[label] for _, label in cut_karyogram(page, order=order)
    )
    assert right['X'] == 1 and right['13'] == 2 and right['Y'] == 1
    # Read in the default order, X's slot would be taken for 13.
    wrong = Counter(CLASSES[label] for _, label in cut_karyogram(page))
    assert wrong['13'] == 1 and wrong['X'] == 2
    with pytest.raises(ValueError, match='each once'):
        cut_karyogram(page, order=order[:-1] + ['X'])


def test_a_page_without_24_slots_is_refused_by_name():
    with pytest.raises(ConversionError, match=r'p\.png: 23 underlined slots'):
        cut_karyogram(draw_page(drop='Y'), 'p.png')


def test_convert_writes_the_crops_layout(tmp_path):
    src = tmp_path / 'karyograms'
    src.mkdir()
    cv2.imwrite(str(src / 'cellA.png'), draw_page())
    cv2.imwrite(str(src / 'cellB.png'), draw_page(touching=None, trisomy=None))
    out = str(tmp_path / 'crops')
    report = convert_karyograms(str(src), out)
    assert report.images == 2 and sum(report.boxes.values()) == 47 + 46
    cells = index_crops(out)
    assert sorted(cells) == ['cellA', 'cellB']
    counts = Counter(CLASSES[label] for _, label in cells['cellB'])
    assert counts == {**{n: 2 for n in CLASSES[:22]}, 'X': 1, 'Y': 1}
    # What was written is what the cutter cut, pixel for pixel.
    images = read_crop_images(cells)
    first = cut_karyogram(draw_page(touching=None, trisomy=None), 'cellB')
    written = {osp.basename(p): g for g, _, p in images['cellB']}
    assert np.array_equal(written['clase1_0_cellB.tiff'], first[0][0])
    assert 'crops per class: 1:4' in report.summary()
    # Nothing is overwritten without being asked.
    with pytest.raises(FileExistsError, match='index.csv exists'):
        convert_karyograms(str(src), out)
    convert_karyograms(str(src), out, force=True)


def test_bad_pages_stop_the_run_or_are_listed(tmp_path, capsys):
    src = tmp_path / 'karyograms'
    src.mkdir()
    cv2.imwrite(str(src / 'good.png'), draw_page())
    cv2.imwrite(str(src / 'photo.png'), np.full((50, 50), 255, np.uint8))
    (src / 'broken.png').write_bytes(b'not an image')
    out = str(tmp_path / 'crops')
    with pytest.raises(ConversionError) as error:
        convert_karyograms(str(src), out)
    assert 'photo.png: 0 underlined slots found' in str(error.value)
    assert 'broken.png' in str(error.value)
    assert not osp.exists(osp.join(out, 'index.csv'))
    argv = ['convert', 'karyograms', str(src), '--out', out, '--skip-invalid']
    assert cli_main(argv) == 0
    printed = capsys.readouterr().out
    assert 'skipped 2 invalid record(s)' in printed
    assert 'photo.png: 0 underlined slots found' in printed
    assert list(index_crops(out)) == ['good']
