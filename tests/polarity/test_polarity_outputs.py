"""Polarity in converters, the metric, the record and the karyogram."""

import json

import cv2
import numpy as np
import pytest

from deepacc.chromosomes import CLASSES
from deepacc.converters import ConversionError, convert_labelme, convert_voc
from deepacc.evaluation import ChromosomeMetric
from deepacc.evaluation.functional import karyotype_errors
from deepacc.karyotype import build_record, draw_karyogram, upright_chromosome

L = {name: i for i, name in enumerate(CLASSES)}


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


# Three chromosomes in a row; calls: two right (one of unknown polarity),
# one misclassified. Polarity accuracy counts right calls of known
# polarity only: call 0 (truth up, said up 0.8: right) and call 3 (truth
# down, said up 0.6: wrong) -> 1 / 2. Call 1 is misclassified and call 2
# hits a chromosome of unknown polarity: neither counts.
GT = dict(
    img_id=1,
    bboxes=np.array(
        [[0, 0, 10, 40], [20, 0, 30, 40], [40, 0, 50, 40], [60, 0, 70, 40]],
        float,
    ),
    labels=np.array([L['1'], L['2'], L['3'], L['4']]),
    polarity=np.array([1, 0, -1, 0]),
)
PRED = dict(
    img_id=1,
    bboxes=GT['bboxes'].copy(),
    scores=np.array([0.9, 0.9, 0.9, 0.9]),
    labels=np.array([L['1'], L['5'], L['3'], L['4']]),
    polarity=np.array([0.8, 0.1, 0.2, 0.6]),
)


def test_polarity_accuracy_by_hand():
    errors = karyotype_errors([PRED], [GT], len(CLASSES))
    assert errors['tp'] == 3
    assert errors['polarity_known'] == 2
    assert errors['polarity_acc'] == pytest.approx(0.5)
    no_pol = {k: v for k, v in PRED.items() if k != 'polarity'}
    assert np.isnan(karyotype_errors([no_pol], [GT], 24)['polarity_acc'])


def test_metric_reports_polarity_only_for_models_that_predict_it():
    import torch

    def sample(pred):
        tensors = {
            k: torch.as_tensor(v) for k, v in pred.items() if k != 'img_id'
        }
        return dict(
            img_id=1,
            gt_instances={
                k: torch.as_tensor(v) for k, v in GT.items() if k != 'img_id'
            },
            pred_instances=tensors,
            pred_top1_instances=tensors,
        )

    metric = ChromosomeMetric()
    metric.process({}, [sample(PRED)])
    assert metric.compute_metrics(metric.results)[
        'polarity_acc'
    ] == pytest.approx(0.5)
    stock = {k: v for k, v in PRED.items() if k != 'polarity'}
    metric = ChromosomeMetric()
    metric.process({}, [sample(stock)])
    assert 'polarity_acc' not in metric.compute_metrics(metric.results)


def test_record_gives_polarity_and_confidence_per_call():
    record = build_record(
        PRED['bboxes'],
        PRED['scores'],
        PRED['labels'],
        (48, 80),
        polarity=PRED['polarity'],
    )
    got = [(d['p_arm'], d['p_arm_confidence']) for d in record['detections']]
    assert got == [('up', 0.8), ('down', 0.9), ('down', 0.8), ('up', 0.6)]
    plain = build_record(
        PRED['bboxes'], PRED['scores'], PRED['labels'], (48, 80)
    )
    assert 'p_arm' not in plain['detections'][0]
    with pytest.raises(ValueError, match='3 polarities for 4'):
        build_record(
            PRED['bboxes'],
            PRED['scores'],
            PRED['labels'],
            (48, 80),
            polarity=[0.5] * 3,
        )


def _marked_bar(angle):
    """A tilted bar with a dark knob at its upper end (smaller y)."""
    img = np.full((200, 200), 235, np.uint8)
    t = np.radians(angle)
    axis = np.array([np.cos(t), np.sin(t)])
    if axis[1] > 0:
        axis = -axis  # axis points to the upper end
    top = np.array([100, 100]) + 45 * axis
    bottom = np.array([100, 100]) - 45 * axis
    cv2.line(img, tuple(top.astype(int)), tuple(bottom.astype(int)), 120, 9)
    cv2.circle(img, tuple(top.astype(int)), 7, 10, -1)
    ys, xs = np.nonzero(img < 200)
    return img, [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]


def _knob_on_top(crop):
    h = crop.image.shape[0]
    return crop.image[: h // 3].min() < crop.image[-h // 3 :].min()


@pytest.mark.parametrize('angle', [60, 100, 150, 20])
def test_upright_crop_follows_the_calls_polarity(angle):
    img, box = _marked_bar(angle)
    up = upright_chromosome(img, box, p_arm_up=True)
    down = upright_chromosome(img, box, p_arm_up=False)
    # The image's upper end stays on top unless the p-arm is the lower.
    assert _knob_on_top(up) and not up.flipped
    assert not _knob_on_top(down) and down.flipped
    assert up.oriented_by == down.oriented_by == 'polarity'
    # orient_p_arm=False: as found, whatever the call says.
    assert _knob_on_top(
        upright_chromosome(img, box, orient_p_arm=False, p_arm_up=False)
    )


def test_karyogram_uses_each_calls_polarity():
    img, box = _marked_bar(70)
    record = build_record([box], [0.9], [L['1']], img.shape, polarity=[0.1])
    picture, layout = draw_karyogram(img, record)
    slot = layout.slots[0]
    cell = picture[slot.y : slot.y + slot.h, slot.x : slot.x + slot.w]
    cell = cell.min(axis=2)
    third = max(1, slot.h // 3)
    # p-arm at the lower end: the knob (darkest) is drawn at the bottom.
    assert cell[-third:].min() < cell[:third].min()
