"""The p-arm direction (``p_arm_up``) read from VOC and LabelMe
annotations."""

import json

import cv2
import numpy as np
import pytest

from deepacc.converters import ConversionError, convert_labelme, convert_voc


def _write_image(path, width=64, height=48):
    cv2.imwrite(str(path), np.full((height, width, 3), 230, np.uint8))


def _voc(objects):
    body = ''.join(
        f'<object><name>{name}</name>{extra}<bndbox><xmin>{x0}</xmin>'
        f'<ymin>1</ymin><xmax>{x0 + 8}</xmax><ymax>30</ymax></bndbox>'
        '</object>'
        for name, x0, extra in objects
    )
    return (
        '<annotation><filename>cell.png</filename><size><width>64</width>'
        f'<height>48</height></size>{body}</annotation>'
    )


def test_voc_keeps_p_arm_up_when_the_source_has_it(tmp_path):
    _write_image(tmp_path / 'cell.png')
    (tmp_path / 'cell.xml').write_text(
        _voc(
            [
                ('1', 1, '<p_arm_up>true</p_arm_up>'),
                ('2', 12, '<p_arm_up>down</p_arm_up>'),
                ('3', 24, ''),
            ]
        )
    )
    coco, _ = convert_voc(str(tmp_path), str(tmp_path))
    assert [a.get('p_arm_up') for a in coco['annotations']] == [
        True,
        False,
        None,
    ]
    assert 'p_arm_up' not in coco['annotations'][2]  # unknown: absent


def test_voc_bad_p_arm_up_is_named_or_skipped(tmp_path):
    _write_image(tmp_path / 'cell.png')
    (tmp_path / 'cell.xml').write_text(
        _voc([('1', 1, ''), ('2', 12, '<p_arm_up>maybe</p_arm_up>')])
    )
    with pytest.raises(ConversionError) as err:
        convert_voc(str(tmp_path), str(tmp_path))
    assert 'cell.xml' in str(err.value) and "object 2 ('2')" in str(err.value)
    assert "'maybe'" in str(err.value)
    coco, report = convert_voc(str(tmp_path), str(tmp_path), True)
    assert len(coco['annotations']) == 1 and len(report.problems) == 1


def test_labelme_shape_flag_becomes_p_arm_up(tmp_path):
    _write_image(tmp_path / 'cell.png')
    shapes = [
        dict(
            label=name,
            points=[[x0, 2], [x0 + 6, 30]],
            shape_type='rectangle',
            flags=flags,
        )
        for name, x0, flags in (
            ('1', 1, {'p_arm_up': False}),
            ('2', 12, {}),
        )
    ]
    (tmp_path / 'cell.json').write_text(
        json.dumps(dict(shapes=shapes, imagePath='cell.png'))
    )
    coco, _ = convert_labelme(str(tmp_path), str(tmp_path))
    assert [a.get('p_arm_up') for a in coco['annotations']] == [False, None]
