"""ChromosomeMetric as mmengine runs it: process() then evaluate()."""

import logging

import numpy as np
import pytest
import torch
from mmdet.registry import METRICS
from mmdet.structures import DetDataSample
from mmdet.structures.bbox import HorizontalBoxes
from mmengine.logging import MMLogger
from mmengine.structures import InstanceData

from deepacc.chromosomes import NUM_CLASSES
from deepacc.evaluation.functional import eval_class_ap, karyotype_errors

KEYS = (
    'mAP',
    'mAP_max',
    'Acc',
    'AER',
    'whole_cell_correct',
    'err_within_group',
    'err_across_group',
    'missed',
    'spurious',
)


def _sample(img_id, rng, with_top1=True, n=8):
    xy = rng.uniform(0, 300, (n, 2))
    gt_boxes = np.hstack([xy, xy + rng.uniform(10, 40, (n, 2))])
    gt_labels = rng.integers(0, NUM_CLASSES, n)
    sample = DetDataSample(metainfo=dict(img_id=img_id, ori_shape=(400, 400)))
    sample.gt_instances = InstanceData(
        bboxes=HorizontalBoxes(torch.tensor(gt_boxes, dtype=torch.float32)),
        labels=torch.tensor(gt_labels),
    )
    sample.ignored_instances = InstanceData(
        bboxes=HorizontalBoxes(torch.zeros((0, 4))),
        labels=torch.zeros(0, dtype=torch.long),
    )
    # Class-agnostic boxes, two classes each: a one-stage-like output.
    boxes = gt_boxes + rng.normal(0, 2, gt_boxes.shape)
    second = (gt_labels + 1) % NUM_CLASSES
    first = np.where(rng.random(n) < 0.75, gt_labels, second)
    sample.pred_instances = InstanceData(
        bboxes=torch.tensor(np.vstack([boxes, boxes]), dtype=torch.float32),
        scores=torch.tensor(
            np.concatenate([rng.uniform(0.5, 1, n), rng.uniform(0, 0.5, n)]),
            dtype=torch.float32,
        ),
        # The second class is the true one where the first is wrong: it
        # helps mAP, not mAP_max.
        labels=torch.tensor(
            np.concatenate(
                [first, np.where(first == gt_labels, second, gt_labels)]
            )
        ),
    )
    if with_top1:
        sample.pred_top1_instances = InstanceData(
            bboxes=torch.tensor(boxes, dtype=torch.float32),
            scores=sample.pred_instances.scores[:n].clone(),
            labels=torch.tensor(first),
        )
    return sample.to_dict()


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__()
        self.text = []

    def emit(self, record):
        self.text.append(record.getMessage())


@pytest.fixture
def log_text():
    logger = MMLogger.get_instance('test_chromosome_metric')
    handler = _Capture()
    logger.addHandler(handler)
    yield handler.text
    logger.removeHandler(handler)


@pytest.mark.parametrize('with_top1', [True, False])
def test_metric_keys_values_and_table(with_top1, log_text):
    rng = np.random.default_rng(3)
    samples = [_sample(i, rng, with_top1) for i in range(1, 5)]
    metric = METRICS.build(dict(type='ChromosomeMetric', classwise=True))
    metric.process({}, samples[:2])
    metric.process({}, samples[2:])
    out = metric.evaluate(size=len(samples))
    for key in KEYS:
        assert f'chromosome/{key}' in out
        assert 0 <= out[f'chromosome/{key}'] <= 1
    # The same numbers from the pure functions on the same data.
    gts = [
        dict(
            img_id=s['img_id'],
            bboxes=s['gt_instances']['bboxes'].tensor.numpy(),
            labels=s['gt_instances']['labels'].numpy(),
        )
        for s in samples
    ]
    preds = [
        dict(
            img_id=s['img_id'],
            **{
                k: s['pred_instances'][k].numpy()
                for k in ('bboxes', 'scores', 'labels')
            },
        )
        for s in samples
    ]
    # Top-1: the first 8 rows of each image (given or derived alike).
    top1 = [
        {k: (v[:8] if k != 'img_id' else v) for k, v in p.items()}
        for p in preds
    ]
    assert out['chromosome/mAP'] == pytest.approx(
        eval_class_ap(preds, gts, NUM_CLASSES)['mAP']
    )
    assert out['chromosome/mAP_max'] == pytest.approx(
        eval_class_ap(top1, gts, NUM_CLASSES)['mAP']
    )
    errors = karyotype_errors(top1, gts, NUM_CLASSES)
    for key in KEYS[2:]:
        assert out[f'chromosome/{key}'] == pytest.approx(errors[key])
    assert 0 < out['chromosome/Acc'] < 1
    assert out['chromosome/mAP'] > out['chromosome/mAP_max']
    assert any(k.startswith('chromosome/AP_') for k in out)
    text = '\n'.join(log_text)
    assert 'mAP_max' in text and 'whole_cell_correct' in text
    assert ('derived from pred_instances' in text) == (not with_top1)
    assert f'{100 * out["chromosome/AER"]:.2f}' in text  # percent


def test_metric_options():
    rng = np.random.default_rng(4)
    samples = [_sample(i, rng) for i in range(1, 4)]
    values = {}
    for strict in (False, True):
        metric = METRICS.build(
            dict(
                type='ChromosomeMetric',
                strict=strict,
                score_thr=0.6,
                nms_iou=0.5,
                iou_thr=0.4,
                ap_style='coco',
                prefix='x',
            )
        )
        metric.process({}, samples)
        values[strict] = metric.evaluate(size=3)
    assert values[True]['x/AER'] > values[False]['x/AER']
    assert values[True]['x/Acc'] == values[False]['x/Acc']
    with pytest.raises(ValueError, match='ap_style'):
        METRICS.build(dict(type='ChromosomeMetric', ap_style='area'))


def test_bad_labels_name_the_image():
    rng = np.random.default_rng(5)
    sample = _sample(17, rng)
    sample['pred_top1_instances']['labels'][0] = 30
    metric = METRICS.build(dict(type='ChromosomeMetric'))
    metric.process({}, [sample])
    with pytest.raises(ValueError, match=r'image id 17.*\[30\]'):
        metric.evaluate(size=1)


def test_ignored_instances_are_read():
    rng = np.random.default_rng(6)
    sample = _sample(3, rng)
    # Move chromosome 0 from the ground truth to the ignored regions: its
    # call is then neither right nor spurious, and nothing is missed.
    gt = sample['gt_instances']
    sample['ignored_instances'] = dict(
        bboxes=gt['bboxes'][:1], labels=gt['labels'][:1]
    )
    sample['gt_instances'] = dict(
        bboxes=gt['bboxes'][1:], labels=gt['labels'][1:]
    )
    metric = METRICS.build(dict(type='ChromosomeMetric'))
    metric.process({}, [sample])
    assert len(metric.results[0][0]['bboxes_ignore']) == 1
    out = metric.evaluate(size=1)
    assert out['chromosome/spurious'] == 0 and out['chromosome/missed'] == 0
