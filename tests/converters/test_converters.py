import json

import pytest

from deepacc.chromosomes import CLASSES
from deepacc.cli import main
from deepacc.converters import (
    ConversionError,
    convert_labelme,
    convert_voc,
    convert_yolo,
    write_coco,
)
from deepacc.datasets import ChromosomeDataset

from .conftest import voc_xml, write_image


def _labels(coco):
    names = {c['id']: c['name'] for c in coco['categories']}
    return [
        (a['image_id'], names[a['category_id']], a['bbox'])
        for a in coco['annotations']
    ]


def _load(ann_file, img_dir):
    ds = ChromosomeDataset(
        ann_file=str(ann_file),
        data_prefix=dict(img=str(img_dir) + '/'),
        pipeline=[],
        test_mode=True,
    )
    return [
        [(CLASSES[i['bbox_label']], i['bbox']) for i in ds[k]['instances']]
        for k in range(len(ds))
    ]


def test_voc_published_layout(voc_set, tmp_path):
    coco, report = convert_voc(
        str(voc_set / 'annotations'), str(voc_set / 'JEPG')
    )
    assert [
        (i['file_name'], i['width'], i['height']) for i in coco['images']
    ] == [('97001.jpg', 64, 48), ('97002.jpg', 80, 60)]
    assert _labels(coco) == [
        (1, '1', [1, 2, 10, 20]),
        (1, 'X', [20, 5, 10, 35]),
        (1, '21', [40, 10, 6, 8]),
        (2, '7', [0, 0, 10, 10]),
        (2, 'Y', [70, 50, 10, 10]),
    ]
    assert report.images == 2 and sum(report.boxes.values()) == 5
    out = tmp_path / 'voc.json'
    assert (
        main(
            [
                'convert',
                'voc',
                str(voc_set / 'annotations'),
                '--images',
                str(voc_set / 'JEPG'),
                '--out',
                str(out),
            ]
        )
        == 0
    )
    loaded = _load(out, voc_set / 'JEPG')
    assert loaded[0] == [
        ('1', [1, 2, 11, 22]),
        ('X', [20, 5, 30, 40]),
        ('21', [40, 10, 46, 18]),
    ]
    assert loaded[1] == [('7', [0, 0, 10, 10]), ('Y', [70, 50, 80, 60])]
    # Never overwrites without --force.
    assert (
        main(
            [
                'convert',
                'voc',
                str(voc_set / 'annotations'),
                '--images',
                str(voc_set / 'JEPG'),
                '--out',
                str(out),
            ]
        )
        == 1
    )
    assert (
        main(
            [
                'convert',
                'voc',
                str(voc_set / 'annotations'),
                '--images',
                str(voc_set / 'JEPG'),
                '--out',
                str(out),
                '--force',
            ]
        )
        == 0
    )


@pytest.mark.parametrize(
    'content, record, reason',
    [
        (
            voc_xml('97001.jpg', [('A1', (1, 1, 5, 5)), ('D7', (1, 1, 5, 5))]),
            'object 2',
            'unknown class name',
        ),
        (
            voc_xml(
                '97001.jpg', [('B5', (1, 1, 5, 5)), ('nucleus', (1, 1, 5, 5))]
            ),
            "object 2 ('nucleus')",
            'unknown class name',
        ),
        (
            voc_xml('97001.jpg', [('A1', (10, 10, 70, 20))]),
            'object 1',
            'outside the 64x48 image',
        ),
        (
            voc_xml('97001.jpg', [('A1', (10, 10, 5, 20))]),
            'object 1',
            'empty box',
        ),
        ('', None, 'empty file'),
        ('<annotation><filename>97001.jpg', None, 'unreadable XML'),
        (voc_xml('97001.jpg', []), None, 'no <object>'),
        (
            voc_xml('missing.jpg', [('A1', (1, 1, 5, 5))]).replace(
                '97001', 'x'
            ),
            None,
            'not found',
        ),
    ],
)
def test_voc_errors_name_file_and_record(voc_set, content, record, reason):
    bad = voc_set / 'annotations' / 'zz_bad.xml'
    if 'missing' in content:
        bad = voc_set / 'annotations' / 'nothing.xml'
    bad.write_text(content)
    with pytest.raises(ConversionError) as err:
        convert_voc(str(voc_set / 'annotations'), str(voc_set / 'JEPG'))
    message = str(err.value)
    assert bad.name in message and reason in message
    if record:
        assert record in message
    coco, report = convert_voc(
        str(voc_set / 'annotations'), str(voc_set / 'JEPG'), skip_invalid=True
    )
    assert len(report.problems) == 1
    assert report.problems[0][0].endswith(bad.name)
    assert 'skipped 1 invalid' in report.summary()
    # The good records are all still there.
    good = content.count('<object>') - 1 if record else 0
    assert sum(report.boxes.values()) == 5 + good


def test_yolo(tmp_path):
    labels, images = tmp_path / 'labels', tmp_path / 'images'
    labels.mkdir()
    images.mkdir()
    write_image(images / 'a.png', 100, 50)
    write_image(images / 'b.jpg', 40, 40)
    (labels / 'a.txt').write_text(
        '0 0.5 0.5 0.2 0.4\n22 0.1 0.2 0.2 0.4\n\n23 0.95 0.9 0.1 0.2\n'
    )
    (labels / 'b.txt').write_text('20 0.5 0.5 0.5 0.5\n')
    coco, report = convert_yolo(str(labels), str(images))
    assert _labels(coco) == [
        (1, '1', [40, 15, 20, 20]),
        (1, 'X', [0, 0, 20, 20]),
        (1, 'Y', [90, 40, 10, 10]),
        (2, '21', [10, 10, 20, 20]),
    ]
    assert coco['images'][0]['width'] == 100
    out = tmp_path / 'y.json'
    write_coco(coco, str(out))
    assert _load(out, images)[1] == [('21', [10, 10, 30, 30])]
    # A names file reorders the ids.
    (labels / 'classes.txt').write_text('\n'.join(reversed(CLASSES)))
    coco, _ = convert_yolo(str(labels), str(images))
    assert [n for _, n, _ in _labels(coco)] == ['Y', '2', '1', '4']


@pytest.mark.parametrize(
    'line, reason',
    [
        ('24 0.5 0.5 0.1 0.1', 'unknown class id 24'),
        ('0 0.5 0.5 0.1', 'expected 5 fields'),
        ('0 0.5 0.5 0.1 zero', 'non-numeric'),
        ('3 0.95 0.5 0.3 0.1', 'outside the 100x50 image'),
        ('3 0.5 0.5 0 0.1', 'empty box'),
    ],
)
def test_yolo_errors(tmp_path, line, reason):
    labels, images = tmp_path / 'labels', tmp_path / 'images'
    labels.mkdir()
    images.mkdir()
    write_image(images / 'a.png', 100, 50)
    (labels / 'a.txt').write_text('0 0.5 0.5 0.2 0.4\n' + line + '\n')
    with pytest.raises(ConversionError, match=f'a.txt: line 2: .*{reason}'):
        convert_yolo(str(labels), str(images))
    coco, report = convert_yolo(str(labels), str(images), skip_invalid=True)
    assert len(coco['annotations']) == 1
    assert report.problems[0][1] == 'line 2'


def test_yolo_empty_unreadable_and_missing_image(tmp_path):
    labels, images = tmp_path / 'labels', tmp_path / 'images'
    labels.mkdir()
    images.mkdir()
    write_image(images / 'a.png')
    (images / 'b.png').write_bytes(b'not an image')
    (labels / 'a.txt').write_text('\n')
    (labels / 'b.txt').write_text('0 0.5 0.5 0.2 0.4\n')
    (labels / 'c.txt').write_text('0 0.5 0.5 0.2 0.4\n')
    with pytest.raises(ConversionError) as err:
        convert_yolo(str(labels), str(images))
    message = str(err.value)
    assert 'a.txt: empty file' in message
    assert 'b.txt: ' in message and 'unreadable image' in message
    assert 'c.txt: no image named c' in message
    coco, report = convert_yolo(str(labels), str(images), skip_invalid=True)
    assert coco['images'] == [] and len(report.problems) == 3


def _labelme(shapes, image='cell.png', size=(64, 48)):
    data = dict(
        version='5.2.1',
        flags={},
        shapes=shapes,
        imagePath=image,
        imageData=None,
    )
    if size:
        data.update(imageWidth=size[0], imageHeight=size[1])
    return json.dumps(data)


def _shape(label, points, kind):
    return dict(
        label=label, points=points, group_id=None, shape_type=kind, flags={}
    )


def test_labelme(tmp_path):
    write_image(tmp_path / 'cell.png', 64, 48)
    write_image(tmp_path / 'two.png', 30, 20)
    (tmp_path / 'cell.json').write_text(
        _labelme(
            [
                _shape('chr1', [[10, 30], [2, 4]], 'rectangle'),
                _shape(
                    'X', [[20, 5], [30, 10], [25, 40], [21, 20]], 'polygon'
                ),
            ]
        )
    )
    (tmp_path / 'two.json').write_text(
        _labelme(
            [_shape('22', [[1, 1], [5, 2], [3, 9]], 'polygon')],
            'two.png',
            size=None,
        )
    )
    coco, report = convert_labelme(str(tmp_path), str(tmp_path))
    assert _labels(coco) == [
        (1, '1', [2, 4, 8, 26]),
        (1, 'X', [20, 5, 10, 35]),
        (2, '22', [1, 1, 4, 8]),
    ]
    assert coco['images'][1]['width'] == 30
    assert coco['annotations'][1]['segmentation'] == [
        [20, 5, 30, 10, 25, 40, 21, 20]
    ]
    out = tmp_path / 'out' / 'lm.json'
    assert (
        main(
            [
                'convert',
                'labelme',
                str(tmp_path),
                '--images',
                str(tmp_path),
                '--out',
                str(out),
            ]
        )
        == 0
    )
    assert _load(out, tmp_path)[0][1] == ('X', [20, 5, 30, 40])


@pytest.mark.parametrize(
    'shape, reason',
    [
        (_shape('nucleus', [[1, 1], [5, 5]], 'rectangle'), 'unknown class'),
        (_shape('3', [[1, 1], [5, 5]], 'circle'), 'unsupported shape_type'),
        (_shape('3', [[1, 1], [5, 5]], 'polygon'), 'needs 3 points'),
        (_shape('3', [[1, 1], [70, 5]], 'rectangle'), 'outside the 64x48'),
    ],
)
def test_labelme_errors(tmp_path, shape, reason):
    write_image(tmp_path / 'cell.png', 64, 48)
    (tmp_path / 'cell.json').write_text(
        _labelme([_shape('1', [[1, 1], [5, 5]], 'rectangle'), shape])
    )
    with pytest.raises(
        ConversionError, match=f'cell.json: shape 2 .*{reason}'
    ):
        convert_labelme(str(tmp_path), str(tmp_path))
    coco, report = convert_labelme(
        str(tmp_path), str(tmp_path), skip_invalid=True
    )
    assert len(coco['annotations']) == 1 and len(report.problems) == 1


def test_labelme_bad_files(tmp_path):
    write_image(tmp_path / 'cell.png')
    (tmp_path / 'a.json').write_text('')
    (tmp_path / 'b.json').write_text('{"shapes": [')
    (tmp_path / 'c.json').write_text(_labelme([]))
    (tmp_path / 'd.json').write_text('[1, 2]')
    with pytest.raises(ConversionError) as err:
        convert_labelme(str(tmp_path), str(tmp_path))
    message = str(err.value)
    for expect in (
        'a.json: empty file',
        'b.json: unreadable json',
        'c.json: no shapes',
        'd.json: not a LabelMe file',
    ):
        assert expect in message
    # The CLI reports errors and writes nothing.
    out = tmp_path / 'o.json'
    assert (
        main(
            [
                'convert',
                'labelme',
                str(tmp_path),
                '--images',
                str(tmp_path),
                '--out',
                str(out),
            ]
        )
        == 1
    )
    assert not out.exists()
