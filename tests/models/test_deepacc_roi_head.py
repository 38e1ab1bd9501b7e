import copy

import pytest
import torch
from mmdet.registry import MODELS
from mmdet.structures import DetDataSample
from mmdet.structures.bbox import bbox2roi
from mmdet.testing import demo_mm_proposals
from mmengine.config import ConfigDict
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData

import deepacc  # noqa: F401  (registers the heads)

NUM_CLASSES = 3
STOCK_HEAD = dict(
    type='Shared2FCBBoxHead',
    in_channels=4,
    fc_out_channels=16,
    roi_feat_size=7,
    num_classes=NUM_CLASSES,
    bbox_coder=dict(
        type='DeltaXYWHBBoxCoder',
        target_means=[0.0, 0.0, 0.0, 0.0],
        target_stds=[0.1, 0.1, 0.2, 0.2],
    ),
    reg_class_agnostic=False,
    loss_cls=dict(type='CrossEntropyLoss', loss_weight=1.0),
    loss_bbox=dict(type='L1Loss', loss_weight=1.0),
)
DEEPACC_HEAD = dict(
    type='DeepAccBBoxHead',
    in_channels=4,
    fc_out_channels=16,
    roi_feat_size=7,
    num_classes=NUM_CLASSES,
    delta=-1.0,  # any cosine passes: local centres active when untrained
    loss_gia=dict(type='GroupInnerAdjacencyLoss', groups=[[0, 1]]),
)
TRAIN_CFG = dict(
    assigner=dict(
        type='MaxIoUAssigner',
        pos_iou_thr=0.5,
        neg_iou_thr=0.5,
        min_pos_iou=0.5,
        match_low_quality=False,
        ignore_iof_thr=-1,
    ),
    sampler=dict(
        type='RandomSampler',
        num=64,
        pos_fraction=0.25,
        neg_pos_ub=-1,
        add_gt_as_proposals=True,
    ),
    pos_weight=-1,
    debug=False,
)


def _roi_head(
    bbox_head,
    roi_type='DeepAccRoIHead',
    nms_iou=0.5,
    score_thr=0.05,
    max_per_img=100,
):
    init_default_scope('mmdet')
    cfg = ConfigDict(
        type=roi_type,
        bbox_roi_extractor=dict(
            type='SingleRoIExtractor',
            roi_layer=dict(type='RoIAlign', output_size=7, sampling_ratio=0),
            out_channels=4,
            featmap_strides=[4],
        ),
        bbox_head=bbox_head,
        train_cfg=TRAIN_CFG,
        test_cfg=dict(
            score_thr=score_thr,
            nms=dict(type='nms', iou_threshold=nms_iou),
            max_per_img=max_per_img,
        ),
    )
    torch.manual_seed(0)
    head = MODELS.build(cfg)
    head.init_weights()
    return head.eval()


def _inputs(num_imgs=2, num_proposals=40, scale=(1.0, 1.0)):
    torch.manual_seed(1)
    feats = (torch.rand(num_imgs, 4, 16, 16),)
    shapes = [(3, 64, 64)] * num_imgs
    proposals = demo_mm_proposals(shapes, num_proposals)
    samples = []
    for _ in range(num_imgs):
        sample = DetDataSample()
        sample.set_metainfo(
            dict(img_shape=(64, 64), ori_shape=(64, 64), scale_factor=scale)
        )
        samples.append(sample)
    return feats, proposals, samples


def _predict(head, feats, proposals, samples, rescale=False):
    with torch.no_grad():
        results = head.predict(
            feats, copy.deepcopy(proposals), samples, rescale=rescale
        )
    return results, [s.pred_top1_instances for s in samples]


def _same(a, b):
    for key in ('bboxes', 'scores', 'labels'):
        assert torch.equal(a.get(key), b.get(key)), key


def test_stock_head_predictions_equal_standard_roi_head():
    ours = _roi_head(STOCK_HEAD)
    stock = _roi_head(STOCK_HEAD, roi_type='StandardRoIHead')
    stock.load_state_dict(ours.state_dict())
    feats, proposals, samples = _inputs()
    results, top1 = _predict(ours, feats, proposals, samples)
    with torch.no_grad():
        expected = stock.predict(feats, copy.deepcopy(proposals), _inputs()[2])
    for got, want in zip(results, expected):
        assert len(want) > 0
        _same(got, want)
    assert all(len(t) > 0 for t in top1)


@pytest.mark.parametrize('bbox_head', [STOCK_HEAD, DEEPACC_HEAD])
def test_top1_matches_independent_computation(bbox_head):
    # NMS off (IoU threshold 1), no threshold, no cap: every proposal
    # appears exactly once, with its best foreground class.
    head = _roi_head(bbox_head, nms_iou=1.0, score_thr=0.0, max_per_img=1000)
    feats, proposals, samples = _inputs(scale=(2.0, 2.0))
    _, top1 = _predict(head, feats, proposals, samples, rescale=True)
    rois = bbox2roi([p.bboxes for p in proposals])
    with torch.no_grad():
        out = head._bbox_forward(feats, rois)
    probs = out['cls_score'].softmax(dim=1)[:, :NUM_CLASSES]
    score, label = probs.max(dim=1)
    deltas = out['bbox_pred'].view(-1, NUM_CLASSES, 4)[
        torch.arange(len(rois)), label
    ]
    boxes = (
        head.bbox_head.bbox_coder.decode(
            rois[:, 1:], deltas, max_shape=(64, 64)
        )
        / 2.0
    )
    for img in range(2):
        in_img = rois[:, 0] == img
        want = torch.cat(
            [boxes[in_img], score[in_img, None], label[in_img, None].float()],
            1,
        )
        got = torch.cat(
            [
                top1[img].bboxes,
                top1[img].scores[:, None],
                top1[img].labels[:, None].float(),
            ],
            1,
        )
        assert got.shape == want.shape
        order_w = want[:, 4].argsort(descending=True)
        order_g = got[:, 4].argsort(descending=True)
        assert torch.allclose(got[order_g], want[order_w], atol=1e-5)
        # Each detection carries its proposal's whole softmax.
        full = out['cls_score'].softmax(dim=1)[in_img]
        assert torch.allclose(
            top1[img].class_scores[order_g], full[order_w], atol=1e-5
        )


def test_top1_is_subset_of_per_class_candidates_with_nms():
    """Every top-1 detection is a per-class candidate: the box of its
    class decoded from some proposal, with that proposal's softmax score
    for the class, which is the proposal's best foreground class. NMS
    (IoU 0.5) removes some."""
    head = _roi_head(STOCK_HEAD, score_thr=0.0)
    feats, proposals, samples = _inputs()
    results, top1 = _predict(head, feats, proposals, samples)
    rois = bbox2roi([p.bboxes for p in proposals])
    with torch.no_grad():
        out = head._bbox_forward(feats, rois)
    scores = out['cls_score'].softmax(dim=1)
    boxes = head.bbox_head.bbox_coder.decode(
        rois[:, 1:].repeat_interleave(NUM_CLASSES, 0),
        out['bbox_pred'].view(-1, 4),
        max_shape=(64, 64),
    ).view(-1, NUM_CLASSES, 4)
    best = scores[:, :NUM_CLASSES].argmax(dim=1)
    for img, t in enumerate(top1):
        assert t.bboxes.shape[1] == 4 and t.labels.dtype == torch.long
        assert 0 < len(t) < 40
        in_img = torch.nonzero(rois[:, 0] == img)[:, 0]
        for box, score, label in zip(t.bboxes, t.scores, t.labels):
            same = (boxes[in_img, label] - box).abs().max(dim=1)[0] < 1e-4
            same &= (scores[in_img, label] - score).abs() < 1e-6
            same &= best[in_img] == label
            assert same.any(), (img, box, score, label)


def test_rescale_gives_original_coordinates():
    head = _roi_head(DEEPACC_HEAD)
    feats, proposals, samples = _inputs(scale=(2.0, 4.0))
    results, top1 = _predict(head, feats, proposals, samples, rescale=True)
    _, samples2 = _inputs(scale=(2.0, 4.0))[1:]
    results2, top1_2 = _predict(
        head, feats, proposals, samples2, rescale=False
    )
    factor = torch.tensor([2.0, 4.0, 2.0, 4.0])
    for a, b in ((results, results2), (top1, top1_2)):
        for x, y in zip(a, b):
            assert torch.allclose(x.bboxes * factor, y.bboxes, atol=1e-4)


def test_deepacc_predictions_do_not_mix_images():
    head = _roi_head(DEEPACC_HEAD)
    feats, proposals, samples = _inputs()
    results, top1 = _predict(head, feats, proposals, samples)
    alone_feats = (feats[0][:1],)
    alone, alone_top1 = _predict(head, alone_feats, proposals[:1], samples[:1])
    _same(results[0], alone[0])
    _same(top1[0], alone_top1[0])
    # The local centres are active and come from each RoI's own image.
    rois = torch.cat(
        [
            torch.cat([torch.full((40, 1), float(i)), p.bboxes], 1)
            for i, p in enumerate(proposals)
        ]
    )
    with torch.no_grad():
        centers = head._bbox_forward(feats, rois)['head_outs']['center_inds']
    assert (centers[:, :NUM_CLASSES] >= 0).all()
    assert (centers[0] < 40).all() and (centers[1, :NUM_CLASSES] >= 40).all()


def test_training_passes_image_indices():
    head = _roi_head(DEEPACC_HEAD).train()
    feats, proposals, samples = _inputs()
    for sample in samples:
        sample.gt_instances = InstanceData(
            bboxes=torch.tensor(
                [[4.0, 4.0, 30.0, 40.0], [32.0, 8.0, 60.0, 60.0]]
            ),
            labels=torch.tensor([0, 1]),
        )
    seen = []
    forward = head.bbox_head.forward

    def spy(x, img_inds=None):
        seen.append(img_inds)
        return forward(x, img_inds=img_inds)

    head.bbox_head.forward = spy
    losses = head.loss(feats, proposals, samples)
    assert {'loss_cls', 'loss_bbox', 'loss_aam', 'loss_gia'} <= set(losses)
    assert seen[0] is not None and set(seen[0].tolist()) == {0.0, 1.0}
    total = sum(v for k, v in losses.items() if 'loss' in k)
    total.backward()


@pytest.mark.parametrize('bbox_head', [STOCK_HEAD, DEEPACC_HEAD])
def test_zero_proposals(bbox_head):
    head = _roi_head(bbox_head)
    feats, proposals, samples = _inputs()
    proposals = [
        InstanceData(
            bboxes=p.bboxes[:0], scores=p.scores[:0], labels=p.labels[:0]
        )
        for p in proposals
    ]
    results, top1 = _predict(head, feats, proposals, samples)
    for r, t in zip(results, top1):
        assert len(r) == 0 and len(t) == 0
        assert t.bboxes.shape == (0, 4)
        assert t.class_scores.shape == (0, NUM_CLASSES + 1)
    # to_dict() (what the metric reads) carries the field.
    assert 'pred_top1_instances' in samples[0].to_dict()


def test_polarity_is_trained_from_gt_and_given_to_every_detection():
    head = _roi_head(dict(DEEPACC_HEAD, with_polarity=True))
    feats, proposals, samples = _inputs()
    for i, sample in enumerate(samples):
        sample.gt_instances = InstanceData(
            bboxes=torch.tensor([[4.0, 4.0, 30.0, 20.0], [30, 30, 60, 62]]),
            labels=torch.tensor([0, 1]),
            polarity=torch.tensor([1, 0 if i else -1]),
        )
    head.train()
    losses = head.loss(feats, copy.deepcopy(proposals), samples)
    assert losses['loss_polarity'] > 0
    # Without a known polarity nothing is trained.
    for sample in samples:
        sample.gt_instances.polarity[:] = -1
    losses = head.loss(feats, copy.deepcopy(proposals), samples)
    assert losses['loss_polarity'] == 0
    head.eval()
    _, samples = _inputs()[1:]
    results, top1 = _predict(head, feats, proposals, samples)
    for inst in list(results) + list(top1):
        assert len(inst) > 0
        assert inst.polarity.shape == inst.scores.shape
        assert ((inst.polarity >= 0) & (inst.polarity <= 1)).all()


def test_nms_keeps_the_polarity_of_each_detections_proposal():
    head = _roi_head(dict(DEEPACC_HEAD, with_polarity=True), nms_iou=0.5)
    # Three proposals, 3 classes + background, class-specific boxes. RoI
    # 0 and RoI 2 overlap fully; RoI 2 scores higher for class 1, so NMS
    # keeps it; RoI 1 (elsewhere) is class 2.
    box_a, box_b = [0.0, 0.0, 10.0, 10.0], [20.0, 20.0, 30.0, 30.0]
    bboxes = torch.tensor([box_a * 3, box_b * 3, box_a * 3])
    scores = torch.tensor(
        [
            [0.0, 0.6, 0.0, 0.4],
            [0.0, 0.0, 0.9, 0.1],
            [0.0, 0.8, 0.0, 0.2],
        ]
    )
    polarity = torch.tensor([0.1, 0.3, 0.95])
    rows = torch.arange(12.0).view(3, 4)  # any per-RoI vectors
    out = head._nms(bboxes, scores, head.test_cfg, polarity, rows)
    by_label = dict(zip(out.labels.tolist(), out.polarity.tolist()))
    assert by_label == pytest.approx({1: 0.95, 2: 0.3})
    by_label = dict(zip(out.labels.tolist(), out.class_scores.tolist()))
    assert by_label == {1: rows[2].tolist(), 2: rows[1].tolist()}
