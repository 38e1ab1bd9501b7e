"""Crop layouts, bad input, the cell split and the model inputs."""

import csv
import glob
import os
import os.path as osp
import shutil

import cv2
import numpy as np
import pytest

from deepacc.chromosomes import CLASSES
from deepacc.datasets import ChromosomeCropDataset
from deepacc.datasets.crop_sets import (
    index_crops,
    load_crops,
    read_crop_images,
)
from deepacc.datasets.crops import (
    crop_ink,
    crop_input,
    crop_views,
    read_crop,
)
from deepacc.datasets.straighten import straighten_crop
from deepacc.testing import bent_chromosome_crop, make_tiny_crops

from .conftest import CELLS, TINY_SIZE


def _names(cells, cell):
    return sorted(CLASSES[label] for _, label in cells[cell])


def test_cell_folder_layout(crops_root):
    cells = index_crops(crops_root)
    assert list(cells) == sorted(CELLS)
    for cell, names in CELLS.items():
        assert _names(cells, cell) == sorted(names)


def test_csv_layout(crops_root, tmp_path):
    index = tmp_path / 'index.csv'
    with open(index, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(['path', 'cell_id', 'label'])
        for cell, crops in index_crops(crops_root).items():
            for path, label in crops:
                writer.writerow([path, f'csv-{cell}', CLASSES[label]])
    cells = index_crops(str(index))
    assert list(cells) == [f'csv-{c}' for c in sorted(CELLS)]
    assert _names(cells, 'csv-case1.cell1') == sorted(CELLS['case1.cell1'])


def _class_folders(crops_root, out):
    """BioImLab style: <class>/<karyogram>_<n>.tiff."""
    for cell, crops in index_crops(crops_root).items():
        karyogram = cell.split('.')[1]  # 'cell3'
        for k, (path, label) in enumerate(crops):
            folder = out / CLASSES[label]
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, folder / f'{karyogram}_{k}.tiff')
    return str(out)


def test_class_folder_layout_default_and_custom_pattern(crops_root, tmp_path):
    root = _class_folders(crops_root, tmp_path / 'bioimlab')
    cells = index_crops(root)  # detected: every folder is a class name
    assert list(cells) == [f'cell{i}' for i in range(5)]
    assert _names(cells, 'cell2') == sorted(CELLS['case2.cell2'])
    # A pattern that cuts the id differently: 'cell' + digit only.
    cells = index_crops(root, cell_pattern=r'cell(\d)')
    assert list(cells) == [str(i) for i in range(5)]
    with pytest.raises(ValueError, match=r'no cell id in the name'):
        index_crops(root, cell_pattern=r'^karyo(?P<cell>\d+)')


def test_compose_still_ignores_other_files(crops_root, tmp_path):
    """load_crops without a callback behaves as before (deepacc compose)."""
    root = tmp_path / 'crops'
    shutil.copytree(crops_root, root)
    (root / 'cells' / 'case0.cell0' / 'clase1' / 'notes.txt').write_text('x')
    assert sum(map(len, load_crops(str(root)).values())) == 40


@pytest.fixture
def broken(crops_root, tmp_path):
    root = tmp_path / 'crops'
    shutil.copytree(crops_root, root)
    return root


def test_file_that_is_not_an_image(broken):
    bad = broken / 'cells' / 'case0.cell0' / 'clase1' / 'notes.txt'
    bad.write_text('not an image')
    with pytest.raises(ValueError, match=r'notes\.txt: not an image file'):
        index_crops(str(broken))
    lines = []
    cells = index_crops(str(broken), skip_invalid=True, report=lines.append)
    assert lines == [f'skipped {bad}: not an image file']
    assert len(cells['case0.cell0']) == 8


def test_image_name_with_unreadable_content(broken):
    bad = broken / 'cells' / 'case0.cell0' / 'clase1' / 'clase1_9_x.tiff'
    bad.write_bytes(b'garbage')
    cells = index_crops(str(broken))
    with pytest.raises(ValueError, match=r'clase1_9_x\.tiff: not a readable'):
        read_crop_images(cells)
    lines = []
    images = read_crop_images(cells, skip_invalid=True, report=lines.append)
    assert len(lines) == 1 and 'clase1_9_x.tiff' in lines[0]
    assert len(images['case0.cell0']) == 8
    with pytest.raises(ValueError, match=r'clase1_9_x\.tiff'):
        ChromosomeCropDataset(str(broken), cell_split='all')
    data = ChromosomeCropDataset(
        str(broken), cell_split='all', skip_invalid=True
    )
    assert data.num_crops == 40


def test_empty_class_folder(broken):
    empty = broken / 'cells' / 'case1.cell1' / 'clase5'
    empty.mkdir()
    with pytest.raises(ValueError, match=r'clase5: empty class folder'):
        index_crops(str(broken))
    assert len(index_crops(str(broken), skip_invalid=True, report=len)) == 5


def test_label_outside_the_classes(broken, tmp_path):
    os.rename(
        broken / 'cells' / 'case1.cell1' / 'clase2',
        broken / 'cells' / 'case1.cell1' / 'clase25',
    )
    with pytest.raises(ValueError, match=r'clase25.*not a chromosome class'):
        index_crops(str(broken))
    cells = index_crops(str(broken), skip_invalid=True, report=print)
    assert len(cells['case1.cell1']) == 7
    index = tmp_path / 'index.csv'
    index.write_text('path,cell_id,label\na.tiff,c1,1\nb.tiff,c1,Z\n')
    with pytest.raises(ValueError, match=r'line 3: label .Z. is not'):
        index_crops(str(index))


def test_split_is_by_cell(crops_root):
    parts = {
        split: ChromosomeCropDataset(
            crops_root, cell_split=split, test_mode=True
        )
        for split in ('train', 'val', 'test')
    }
    ids = [set(d.cell_ids) for d in parts.values()]
    assert [len(i) for i in ids] == [3, 1, 1]
    assert set.union(*ids) == set(CELLS)
    for item_set in parts.values():
        for k, cell in enumerate(item_set.cell_ids):
            paths = item_set[k]['data_samples'].paths
            assert all(cell in p for p in paths)


LAB_CELLS = {f'lab.cell{i}': ('1', '2', '21', 'X', 'Y') for i in range(2)}


def test_lab_crops_join_the_split_and_are_drawn_lab_repeat_times(
    crops_root, tmp_path
):
    lab = make_tiny_crops(str(tmp_path / 'lab'), LAB_CELLS)
    data = ChromosomeCropDataset(
        crops_root, cell_split='train', lab_crops=lab, lab_repeat=3
    )
    train = ChromosomeCropDataset(crops_root, cell_split='train')
    assert data.cell_ids == train.cell_ids  # the split is the split
    assert data.lab_cells == sorted(LAB_CELLS)
    drawn = [data.get_data_info(k)['cell_id'] for k in range(len(data))]
    assert len(drawn) == 3 + 2 * 3
    assert drawn.count('lab.cell0') == drawn.count('lab.cell1') == 3
    assert data.num_crops == train.num_crops + 10
    k = drawn.index('lab.cell1')
    sample = data[k]['data_samples']
    assert sorted(CLASSES[i] for i in sample.labels) == sorted(
        LAB_CELLS['lab.cell1']
    )
    assert all('lab.cell1' in p for p in sample.paths)
    # In test mode each lab cell is read once.
    once = ChromosomeCropDataset(
        crops_root,
        cell_split='train',
        lab_crops=lab,
        lab_repeat=3,
        test_mode=True,
    )
    assert len(once) == 3 + 2


def test_lab_cells_need_their_own_ids(crops_root, tmp_path):
    lab = make_tiny_crops(str(tmp_path / 'lab'), {'case1.cell1': ('1',)})
    with pytest.raises(ValueError, match=r'lab: cell ids also in .*case1'):
        ChromosomeCropDataset(crops_root, lab_crops=lab)


def test_scale_hook_pools_concatenated_crop_sets(crops_root, tmp_path):
    from deepacc.engine import ChromosomeScaleHook
    from deepacc.scale import crops_width

    lab = make_tiny_crops(str(tmp_path / 'lab'), LAB_CELLS)
    parts = [
        dict(type='ChromosomeCropDataset', crops=root, cell_split='all')
        for root in (crops_root, lab)
    ]
    hook = ChromosomeScaleHook()
    width = hook.measure(dict(type='ConcatDataset', datasets=parts))
    crops = [
        c[0]
        for root in (crops_root, lab)
        for cell in ChromosomeCropDataset(
            root, cell_split='all'
        ).cells.values()
        for c in cell
    ]
    assert width == pytest.approx(crops_width(crops))
    assert hook.reference is None


def test_item_is_a_whole_cell_and_test_turns_half(crops_root):
    data = ChromosomeCropDataset(
        crops_root, cell_split='all', test_mode=True, input_size=TINY_SIZE
    )
    item = data[0]
    sample = item['data_samples']
    assert item['inputs'].shape == (8, 1, *TINY_SIZE)
    assert sorted(CLASSES[i] for i in sample.labels) == sorted(
        CELLS['case0.cell0']
    )
    assert sorted(sample.polarity.tolist()) == [0] * 4 + [1] * 4
    # Fixed in test mode.
    assert (data[0]['inputs'] == item['inputs']).all()


def test_training_draws_change_and_turn(crops_root):
    data = ChromosomeCropDataset(
        crops_root, cell_split='all', input_size=TINY_SIZE, seed=1
    )
    first, second = data[0], data[0]
    assert not (first['inputs'] == second['inputs']).all()
    polarity = np.concatenate(
        [data[k]['data_samples'].polarity.numpy() for k in range(5)]
    )
    assert set(polarity) == {0, 1}
    unknown = ChromosomeCropDataset(
        crops_root, cell_split='all', input_size=TINY_SIZE, upright=False
    )
    assert (unknown[0]['data_samples'].polarity == -1).all()


# Every cell as read (no rotation, zoom, contrast or turn), on a canvas
# that fits it at half size; and a condensation that halves and widens.
STILL_CELLS = dict(
    cell_split='all',
    input_size=(200, 64),
    scale=0.5,
    turn_prob=0.0,
    augment=dict(max_angle=0.0, zoom_range=(1.0, 1.0), contrast_range=(1, 1)),
)
SQUAT = dict(length=(0.5, 0.5), width=(1.3, 1.3), jitter=0.0, separated=0.0)


def extents(data):
    """Rows and columns of ink of each crop of the first item."""
    ink = data[0]['inputs'][:, 0].numpy() > 0.1
    return ink.any(2).sum(1).astype(float), ink.any(1).sum(1).astype(float)


def test_condensed_training_cells(crops_root):
    """``condense`` halves every crop of a training cell (length 0.5) and
    widens it (1.3); rate 0 leaves the cell as it was; never in test
    mode; refused for crops of unknown polarity."""
    common, squat = STILL_CELLS, SQUAT

    rows, cols = extents(ChromosomeCropDataset(crops_root, **common))
    c_rows, c_cols = extents(
        ChromosomeCropDataset(crops_root, condense=squat, **common)
    )
    ratio = c_rows / rows
    assert np.median(ratio) == pytest.approx(0.5, abs=0.08), ratio
    assert np.median(c_cols / cols) > 1.15
    never = ChromosomeCropDataset(
        crops_root, condense=squat, condense_rate=0.0, **common
    )
    np.testing.assert_array_equal(extents(never)[0], rows)
    tested = ChromosomeCropDataset(
        crops_root, condense=squat, test_mode=True, **common
    )
    plain = ChromosomeCropDataset(crops_root, test_mode=True, **common)
    assert (tested[0]['inputs'] == plain[0]['inputs']).all()
    with pytest.raises(ValueError, match='upright'):
        ChromosomeCropDataset(crops_root, condense=squat, upright=False)


def test_cell_length_brings_every_cell_to_one_median_length(crops_root):
    """``cell_length`` resizes each cell so its median chromosome length
    (``crops_length``) is that many pixels before ``scale``: at the
    cell's own length nothing changes, at 1.5 times it the crops are 1.5
    times as tall; a condensed cell (length 0.5, width 1.3) comes out as
    tall as the plain one, where at a fixed scale it is half as tall."""
    from deepacc.scale import crops_length

    common, squat = STILL_CELLS, SQUAT

    def rows(data):
        return extents(data)[0]

    plain = ChromosomeCropDataset(crops_root, **common)
    cell = plain.cell_ids[0]
    own = crops_length([gray for gray, _, _ in plain.cells[cell]])
    same = ChromosomeCropDataset(crops_root, cell_length=own, **common)
    assert same.lengths[cell] == pytest.approx(own)
    assert (same[0]['inputs'] == plain[0]['inputs']).all()
    taller = ChromosomeCropDataset(crops_root, cell_length=1.5 * own, **common)
    assert np.median(rows(taller) / rows(plain)) == pytest.approx(1.5, abs=0.1)
    squat_plain = ChromosomeCropDataset(crops_root, condense=squat, **common)
    assert np.median(rows(squat_plain) / rows(plain)) < 0.6
    squat_length = ChromosomeCropDataset(
        crops_root, condense=squat, cell_length=own, **common
    )
    ratio = rows(squat_length) / rows(same)
    assert np.median(ratio) == pytest.approx(1.0, abs=0.1), ratio
    tested = ChromosomeCropDataset(
        crops_root, cell_length=1.5 * own, test_mode=True, **common
    )
    assert np.median(rows(tested) / rows(plain)) == pytest.approx(1.5, abs=0.1)


def test_cell_length_names_a_cell_without_chromosomes(crops_root, tmp_path):
    """A cell whose crops are all blank has no length to bring: the
    error names the crops folder and the cell."""
    root = tmp_path / 'crops'
    shutil.copytree(crops_root, root)
    for path in glob.glob(str(root / 'cells' / 'case0.cell0' / '*' / '*')):
        cv2.imwrite(path, np.full((30, 12), 255, np.uint8))
    with pytest.raises(ValueError, match=r'crops: cell case0\.cell0: none'):
        ChromosomeCropDataset(str(root), cell_split='all', cell_length=60)


def test_crop_views_global_and_zoomed(crops_root):
    path = sorted(index_crops(crops_root)['case0.cell0'])[0][0]
    gray = read_crop(path)
    size = (64, 24)
    views = crop_views(gray, size, 0.3, ('global', 'zoom'), turn=True)
    assert views.shape == (2, *size)
    np.testing.assert_array_equal(
        views[0], crop_input(gray, size, 0.3, turn=True)
    )
    ink = views > 0.05
    extent = [(m.any(1).sum(), m.any(0).sum()) for m in ink]
    # The zoomed view fills the canvas along one side (the crop's own
    # margin aside); the global one is the crop at 0.3 (smaller).
    assert max(e / s for e, s in zip(extent[1], size)) > 0.8, extent
    assert extent[0][0] < extent[1][0] and extent[0][1] < extent[1][1]
    data = ChromosomeCropDataset(
        crops_root,
        cell_split='all',
        input_size=size,
        test_mode=True,
        views=('global', 'zoom'),
    )
    one = ChromosomeCropDataset(
        crops_root, cell_split='all', input_size=size, test_mode=True
    )
    two = data[0]['inputs']
    assert two.shape[1] == 2
    assert (two[:, :1] == one[0]['inputs']).all()
    with pytest.raises(ValueError, match='views'):
        crop_views(gray, size, 0.3, ('global', 'closeup'))


def test_crop_input_keeps_aspect_and_turns_by_180(crops_root):
    path = sorted(index_crops(crops_root)['case0.cell0'])[0][0]
    gray = read_crop(path)
    up = crop_input(gray, (96, 32))
    down = crop_input(gray, (96, 32), turn=True)
    # A turn, not a mirror: the same picture rotated by 180 degrees.
    np.testing.assert_allclose(down, up[::-1, ::-1], atol=1e-5)
    assert not np.allclose(down, up[::-1])
    # White background -> ink 0 around the chromosome; aspect kept.
    assert up[0].max() == 0 and up[:, 0].max() == 0

    def aspect(ink):
        rows, cols = np.nonzero(ink > 0.3)
        return (np.ptp(rows) + 1) / (np.ptp(cols) + 1)

    want = aspect(crop_ink(gray))
    assert abs(aspect(up) - want) / want < 0.15
    # Too tall for the canvas: shrunk to fit, not cut.
    small = crop_input(gray, (24, 24), scale=4.0)
    assert small[0].max() == 0 and small[-1].max() == 0


def test_an_enlarged_crop_keeps_its_band_edges_sharp():
    """A crop enlarged 3x is interpolated bicubically: a band edge (a
    step of ink) rises more steeply than the bilinear ramp, which spreads
    it evenly over the 3 new pixels, and overshoots the band's ink (a
    bilinear value is a mean of its neighbours and never does). A crop
    made smaller stays bilinear."""
    gray = np.full((12, 6), 255, np.uint8)
    gray[:6] = 55  # a dark band on white: ink (255 - 55) / 255
    ink = 200 / 255
    out = crop_input(gray, (40, 20), scale=3.0, turn=False)[:, 10]
    assert np.abs(np.diff(out)).max() > 1.05 * ink / 3
    assert out.max() > ink + 0.05
    small = crop_input(gray, (40, 20), scale=0.5, turn=False)
    assert small.max() <= ink + 1e-6


@pytest.fixture
def bent_cell(tmp_path):
    """A two-crop cell whose chromosome 1 is the L-shaped
    :func:`bent_chromosome_crop`: (crops root, bent crop, its path)."""
    root = make_tiny_crops(str(tmp_path), {'case1.cell1': ('1', '2')})
    bent, _ = bent_chromosome_crop()
    (bent_path,) = glob.glob(osp.join(root, 'cells', '*', 'clase1', '*'))
    cv2.imwrite(bent_path, bent)
    return root, bent, bent_path


def test_straighten_lays_bent_crops_out_before_the_turn(bent_cell):
    """``straighten=True``: a bent crop is read straightened (upright,
    then turned as every test crop may be), a straight crop as it is."""
    root, bent, bent_path = bent_cell
    kwargs = dict(cell_split='all', test_mode=True, input_size=(96, 32))
    plain = ChromosomeCropDataset(root, **kwargs)
    straight = ChromosomeCropDataset(root, straighten=True, **kwargs)
    paths = [path for _, _, path in straight.cells['case1.cell1']]
    (reading,) = straight.readings['case1.cell1'][paths.index(bent_path)]
    assert reading.shape == straighten_crop(bent).shape
    item, before = straight[0], plain[0]
    paths = item['data_samples'].paths
    k = paths.index(bent_path)
    turn = item['data_samples'].polarity[k] == 0
    expected = crop_views(
        straighten_crop(bent), (96, 32), straight.scale, turn=bool(turn)
    )
    np.testing.assert_array_equal(item['inputs'][k].numpy(), expected)
    assert not np.array_equal(before['inputs'][k].numpy(), expected)
    # The straight crop reads the same either way.
    np.testing.assert_array_equal(
        item['inputs'][1 - k], before['inputs'][1 - k]
    )


def test_straighten_both_reads_each_crop_twice(bent_cell):
    """``straighten='both'``: the views of the crop as cut out, then of
    the crop straightened (the same turn and augmentation)."""
    root, bent, bent_path = bent_cell
    kwargs = dict(cell_split='all', input_size=(96, 32), seed=3)
    views = ('global', 'zoom')
    plain = ChromosomeCropDataset(root, views=views, **kwargs)
    both = ChromosomeCropDataset(
        root, views=views, straighten='both', **kwargs
    )
    straight = ChromosomeCropDataset(
        root, views=views, straighten=True, **kwargs
    )
    item = both[0]['inputs']
    assert item.shape[1] == 4
    np.testing.assert_array_equal(item[:, :2], plain[0]['inputs'])
    np.testing.assert_array_equal(item[:, 2:], straight[0]['inputs'])
    k = both[0]['data_samples'].paths.index(bent_path)
    assert not np.array_equal(item[k, :2], item[k, 2:])
    with pytest.raises(ValueError, match="False, True or 'both'"):
        ChromosomeCropDataset(root, straighten='yes', **kwargs)


def test_a_condensed_cell_is_straightened_as_drawn(bent_cell):
    """Condensing and straightening combine: the straightened reading of
    a condensed draw is of the condensed crop, not of the crop as read
    from disk (a straight crop's two readings stay alike)."""
    root, _, bent_path = bent_cell
    kwargs = dict(cell_split='all', input_size=(96, 32), seed=3)
    cond = ChromosomeCropDataset(
        root,
        straighten='both',
        condense=dict(length=(0.5, 0.5), width=(1.4, 1.4)),
        condense_rate=1.0,
        **kwargs,
    )
    plain = ChromosomeCropDataset(root, straighten='both', **kwargs)
    item = cond[0]
    straight = 1 - item['data_samples'].paths.index(bent_path)
    inputs = item['inputs'][straight].numpy()
    np.testing.assert_array_equal(inputs[:1], inputs[1:])
    # Condensed: half as long, so less ink than the crop as read.
    assert inputs[0].sum() < 0.8 * plain[0]['inputs'][straight][0].sum()
