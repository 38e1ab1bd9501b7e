import pytest
import torch
from mmdet.models.task_modules import BboxOverlaps2D, MaxIoUAssigner
from mmdet.models.task_modules.prior_generators import AnchorGenerator
from mmdet.registry import TASK_UTILS
from mmdet.structures.bbox import HorizontalBoxes
from mmengine.structures import InstanceData

from deepacc.models.task_modules import SparseBboxOverlaps2D


def _chromosome_boxes(n, seed=0):
    g = torch.Generator().manual_seed(seed)
    centres = torch.rand(n, 2, generator=g) * torch.tensor([600.0, 440.0])
    sizes = torch.rand(n, 2, generator=g) * 90 + 8
    return torch.cat([centres - sizes / 2, centres + sizes / 2], dim=1) + 20


def _anchors():
    generator = AnchorGenerator(
        strides=[4, 8, 16, 32, 64],
        ratios=[0.25, 0.5, 1.0, 2.0, 4.0],
        scales=[4],
    )
    return torch.cat(
        generator.grid_priors(
            [(30, 40), (15, 20), (8, 10), (4, 5), (2, 3)], device='cpu'
        )
    )


def test_same_matrix_as_mmdet_on_anchors():
    boxes, anchors = _chromosome_boxes(46), _anchors()
    dense = BboxOverlaps2D()(boxes, anchors)
    sparse = SparseBboxOverlaps2D()(boxes, anchors)
    assert sparse.shape == dense.shape
    assert torch.equal(sparse, dense)
    # The case it is for: most pairs do not intersect.
    assert 0 < (dense > 0).float().mean() < 0.2


def test_edge_cases_match_mmdet():
    boxes = torch.tensor(
        [
            [0.0, 0.0, 10.0, 10.0],
            [10.0, 0.0, 20.0, 10.0],  # touches box 0's right edge: IoU 0
            [5.0, 5.0, 5.0, 15.0],  # zero width
            [30.0, 30.0, 25.0, 40.0],  # x2 < x1
        ]
    )
    others = torch.tensor(
        [
            [0.0, 0.0, 10.0, 10.0],
            [5.0, 0.0, 15.0, 10.0],
            [10.0, 10.0, 30.0, 30.0],  # corner contact with box 0
            [26.0, 31.0, 29.0, 39.0],
        ]
    )
    dense = BboxOverlaps2D()(boxes, others)
    assert torch.equal(SparseBboxOverlaps2D()(boxes, others), dense)
    # By hand: boxes 0 and 1 share half of others[1] (50 of 150).
    assert dense[0, 1].item() == pytest.approx(50 / 150)
    assert dense[0, 0].item() == 1.0
    assert dense[1, 0].item() == 0.0


def test_inputs_mmdet_accepts():
    boxes, anchors = _chromosome_boxes(5, seed=1), _anchors()
    dense = BboxOverlaps2D()(boxes, anchors)
    calc = SparseBboxOverlaps2D()
    assert torch.equal(calc(HorizontalBoxes(boxes), anchors), dense)
    scored = torch.cat([anchors, torch.rand(len(anchors), 1)], dim=1)
    assert torch.equal(calc(boxes, scored), dense)
    assert calc(boxes[:0], anchors).shape == (0, len(anchors))
    assert calc(boxes, anchors[:0]).shape == (5, 0)
    # Modes where non-intersecting pairs are not 0 go to mmdet's formula.
    for mode in ('iof', 'giou'):
        assert torch.equal(
            calc(boxes, anchors, mode=mode),
            BboxOverlaps2D()(boxes, anchors, mode=mode),
        )


def test_rpn_assigner_assigns_the_same():
    boxes, anchors = _chromosome_boxes(46, seed=2), _anchors()
    gts = InstanceData(bboxes=boxes, labels=torch.zeros(46).long())
    priors = InstanceData(priors=anchors)
    results = []
    for calculator in ('BboxOverlaps2D', 'SparseBboxOverlaps2D'):
        assigner = TASK_UTILS.build(
            dict(
                type='MaxIoUAssigner',
                pos_iou_thr=0.7,
                neg_iou_thr=0.3,
                min_pos_iou=0.3,
                match_low_quality=True,
                iou_calculator=dict(type=calculator),
            )
        )
        assert isinstance(assigner, MaxIoUAssigner)
        results.append(assigner.assign(priors, gts))
    dense, sparse = results
    assert torch.equal(sparse.gt_inds, dense.gt_inds)
    assert torch.equal(sparse.max_overlaps, dense.max_overlaps)
    assert (dense.gt_inds > 0).sum() > 0
