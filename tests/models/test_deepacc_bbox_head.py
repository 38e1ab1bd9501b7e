"""DeepAccBBoxHead: forward, the warm-up, every loss, polarity and
loading checkpoints written before LocalCenterClassifier."""

import math

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.config import ConfigDict
from mmengine.logging import MessageHub
from mmengine.runner.checkpoint import load_state_dict

from deepacc.models import DeepAccBBoxHead, LocalCenterClassifier

IMG = torch.tensor([0, 0, 0, 1, 1])


def _head(**kwargs):
    cfg = dict(
        in_channels=2,
        roi_feat_size=1,
        fc_out_channels=8,
        num_classes=2,
        delta=0.5,
        loss_gia=dict(type='GroupInnerAdjacencyLoss', groups=[[0, 1]]),
    )
    cfg.update(kwargs)
    head = DeepAccBBoxHead(**cfg)
    head.init_weights()
    return head


def test_forward_shapes_and_no_siamese():
    torch.manual_seed(0)
    head = _head()
    assert isinstance(head.fc_cls, LocalCenterClassifier)
    assert head.scale == 64.0 and head.fc_cls.delta == 0.5
    x = torch.rand(5, 2, 1, 1)
    cls_score, bbox_pred, outs = head(x, img_inds=IMG)
    assert cls_score.shape == (5, 3) and bbox_pred.shape == (5, 8)
    assert outs['cos_score'].shape == (5, 3)
    assert outs['cos_score'].abs().max() <= 1 + 1e-6
    assert outs['center_inds'].shape == (2, 3)
    # Regression and classification share no parameters.
    cls_params = {id(p) for p in head.cls_fcs.parameters()}
    assert not cls_params & {id(p) for p in head.reg_fcs.parameters()}
    # The inference branch's bias starts at 0.
    assert head.fc_cls.bias.tolist() == [0.0, 0.0, 0.0]
    plain = _head(with_siamese=False)
    cls_score, _, outs = plain(x)
    assert torch.allclose(cls_score, 64 * outs['cos_score'])
    assert plain.fc_cls.bias is None and 'center_inds' not in outs


def test_centre_warmup_holds_centres_off_in_training_only():
    """Before the Runner's iteration ``center_warmup_iters`` a training
    step uses the global weights only (``use_centers=False``, by hand in
    test_local_center_classifier.py); from it on, and at test time
    whatever the iteration, the local centres."""
    torch.manual_seed(0)
    head = _head(center_warmup_iters=100, delta=-1.0)  # every centre on
    x = torch.rand(5, 2, 1, 1)
    hub = MessageHub.get_instance('deepacc-centre-warmup-test')
    head.train()
    hub.update_info('iter', 99)
    assert head.in_center_warmup()
    outs = head(x, img_inds=IMG)[2]
    assert (outs['center_inds'] == -1).all()
    hub.update_info('iter', 100)
    assert not head.in_center_warmup()
    outs = head(x, img_inds=IMG)[2]
    assert (outs['center_inds'][:, :2] >= 0).all()
    hub.update_info('iter', 0)
    head.eval()
    assert not head.in_center_warmup()
    outs = head(x, img_inds=IMG)[2]
    assert (outs['center_inds'][:, :2] >= 0).all()


def test_bad_options():
    with pytest.raises(ValueError, match='center_warmup_iters'):
        _head(center_warmup_iters=-1)
    with pytest.raises(ValueError, match='sigmoid'):
        _head(loss_cls=dict(type='CrossEntropyLoss', use_sigmoid=True))


def test_configs_dumped_before_the_removed_options_still_build():
    """Older dumped configs spell out the kept values of the removed
    options; any other value is refused."""
    torch.manual_seed(0)
    head = _head(
        center_score='prob',
        background_center=False,
        train_centers='sampled',
        inference_scale=1.0,
        learn_inference_scale=False,
        inference_weights='shared',
    )
    torch.manual_seed(0)
    plain = _head()
    for (key, value), (key2, value2) in zip(
        head.state_dict().items(), plain.state_dict().items()
    ):
        assert key == key2 and torch.equal(value, value2)
    with pytest.raises(ValueError, match="center_score='cos' was removed"):
        _head(center_score='cos')
    with pytest.raises(ValueError, match='inference_scale=2.0 was removed'):
        _head(inference_scale=2.0)


def test_checkpoints_with_the_old_bias_key_still_load():
    """The inference bias was the head's ``inference_bias`` before it
    moved into ``fc_cls``; such checkpoints load, alone or nested in a
    detector (mmengine's loader, as ``load_checkpoint`` uses it)."""
    torch.manual_seed(0)
    state = _head().state_dict()
    old = {k: v for k, v in state.items() if k != 'fc_cls.bias'}
    old['inference_bias'] = torch.tensor([0.1, 0.2, 0.3])
    head = _head()
    head.load_state_dict(old)
    assert head.fc_cls.bias.tolist() == pytest.approx([0.1, 0.2, 0.3])
    assert torch.equal(head.fc_cls.weight, state['fc_cls.weight'])
    model = nn.Module()
    model.roi_head = nn.Module()
    model.roi_head.bbox_head = _head()
    nested = {f'roi_head.bbox_head.{k}': v for k, v in old.items()}
    load_state_dict(model, nested, strict=True)
    bias = model.roi_head.bbox_head.fc_cls.bias
    assert bias.tolist() == pytest.approx([0.1, 0.2, 0.3])


def _targets(num_rois, labels):
    labels = torch.tensor(labels)
    fg = labels < 2
    return (
        labels,
        torch.ones(num_rois),
        torch.rand(num_rois, 4) * fg[:, None],
        fg[:, None].float().expand(num_rois, 4),
    )


def _loss(head, x, rois, labels):
    cls_score, bbox_pred, outs = head(x, img_inds=rois[:, 0])
    return head.loss(
        cls_score, bbox_pred, rois, *_targets(len(x), labels), **outs
    )


def _rois(img_inds):
    boxes = torch.tensor([[0.0, 0.0, 10.0, 10.0]]).repeat(len(img_inds), 1)
    return torch.cat(
        [torch.tensor(img_inds, dtype=torch.float)[:, None], boxes], dim=1
    )


def test_loss_keys_and_empty_ground_truth():
    torch.manual_seed(0)
    head = _head()
    x = torch.rand(4, 2, 1, 1)
    losses = _loss(head, x, _rois([0, 0, 1, 1]), [0, 1, 2, 2])
    assert {
        'loss_cls',
        'loss_bbox',
        'loss_aam',
        'loss_gia',
        'acc',
        'acc_margin',
    } <= set(losses)
    assert all(torch.isfinite(v).all() for v in losses.values())
    # Only background: box loss exactly 0, class losses positive.
    losses = _loss(head, x, _rois([0, 0, 1, 1]), [2, 2, 2, 2])
    assert losses['loss_bbox'].item() == 0
    assert losses['loss_cls'].item() > 0 and losses['loss_aam'].item() > 0
    assert losses['loss_gia'].item() == 0
    # Log-only values carry no 'loss' in their key.
    assert [k for k in losses if not k.startswith('loss')] == [
        'acc',
        'acc_margin',
        'center_frac',
        'center_score',
        'center_acc',
    ]


def test_confident_margin_branch_switches_centres_and_gia_on():
    """When the margin branch is confident, the loss uses local centres
    (center_frac 1) and GIA pairs (loss_gia > 0): two same-group classes,
    one image, each class's RoI scoring it high. Scale 4 instead of 64
    keeps the other class's probability visible: softmax(4 * [0.96, 0.29,
    0]) = [0.92, 0.06, 0.02], so each GIA pair adds about 2 * 0.92 * 0.06.
    """
    margin = dict(
        type='AdditiveAngularMarginLoss',
        scale=4.0,
        margin=0.25,
        loss_weight=0.1,
    )
    head = _head(delta=0.5, loss_margin=margin)
    with torch.no_grad():
        head.fc_cls.weight.copy_(
            torch.eye(8)[:3] + 0.3 * torch.eye(8)[[1, 0, 2]]
        )
    feats = torch.zeros(4, 8)
    feats[0, 0] = feats[1, 1] = 1.0  # class 0, class 1
    feats[2, 0] = feats[3, 1] = 1.0
    norms = feats.norm(dim=1, keepdim=True)
    weights = F.normalize(head.fc_cls.weight, dim=1)
    cos = feats @ weights.t() / norms
    rois = _rois([0, 0, 0, 0])
    logits, outs = head.fc_cls(feats, rois[:, 0])
    assert torch.allclose(outs['cos_score'], cos)
    targets = _targets(4, [0, 1, 0, 1])
    losses = head.loss(logits, torch.zeros(4, 8), rois, *targets, **outs)
    assert losses['center_frac'].item() == 1.0
    assert losses['center_acc'].item() == 1.0
    assert losses['center_score'].item() == pytest.approx(0.92, abs=0.01)
    assert losses['loss_gia'].item() == pytest.approx(
        0.1 * 2 * 0.92 * 0.063, rel=0.1
    )
    # A delta above those probabilities switches every centre off, and
    # GIA with it.
    off = _head(delta=0.99, loss_margin=margin)
    off.load_state_dict(head.state_dict())
    off.loss_gia.center_thr = 0.99
    logits, outs = off.fc_cls(feats, rois[:, 0])
    losses = off.loss(logits, torch.zeros(4, 8), rois, *targets, **outs)
    assert losses['center_frac'].item() == 0.0
    assert losses['loss_gia'].item() == 0.0


def test_zero_rois():
    head = _head()
    x = torch.zeros(0, 2, 1, 1)
    losses = _loss(head, x, _rois([]), [])
    for key in ('loss_cls', 'loss_bbox', 'loss_aam', 'loss_gia'):
        assert losses[key].item() == 0, key
    total = sum(v for k, v in losses.items() if k.startswith('loss'))
    total.backward()


def _by_hand(head, x, img, labels, bbox_targets, groups, center_thr):
    """Every loss of ``head`` from its weights, RoI by RoI, with no code
    of deepacc or of mmdet's losses: paper Eq. 1-3, cross-entropy as
    ``-log softmax``, Smooth L1 (beta 1) over the positives' class boxes
    divided by the number of RoIs (mmdet's ``avg_factor``)."""
    s, m, delta, num_classes = 64.0, 0.25, head.fc_cls.delta, head.num_classes
    feat, reg = x.flatten(1), x.flatten(1)
    for fc in head.cls_fcs:
        feat = torch.relu(feat @ fc.weight.t() + fc.bias)
    for fc in head.reg_fcs:
        reg = torch.relu(reg @ fc.weight.t() + fc.bias)
    deltas = reg @ head.fc_reg.weight.t() + head.fc_reg.bias
    w, b = head.fc_cls.weight, head.fc_cls.bias
    n, k = len(labels), num_classes + 1
    cos = [
        [
            float(feat[i] @ w[j] / feat[i].norm() / w[j].norm())
            for j in range(k)
        ]
        for i in range(n)
    ]
    prob = [[math.exp(s * c) for c in row] for row in cos]
    prob = [[p / sum(row) for p in row] for row in prob]

    def best(i, j):  # the most confident RoI for j in i's image
        same = [r for r in range(n) if img[r] == img[i]]
        return max(same, key=lambda r: prob[r][j])

    def ce(logits, y):
        return -logits[y] + math.log(sum(math.exp(v) for v in logits))

    loss_cls = loss_aam = gia = 0.0
    for i, y in enumerate(labels):
        logits = []
        for j in range(k):
            c = best(i, j)
            local = j < num_classes and prob[c][j] > delta
            wj = feat[c] / feat[c].norm() if local else w[j] / w[j].norm()
            logits.append(float(feat[i] @ wj + b[j]))
        loss_cls += ce(logits, y) / n
        margin = list(cos[i])
        margin[y] = math.cos(math.acos(cos[i][y]) + m)
        loss_aam += 0.1 * ce([s * v for v in margin], y) / n
        for group in groups:
            for j in group if y in group else ():
                c = best(i, j)
                if j != y and c != i and prob[c][j] > center_thr:
                    gia += sum(p * q for p, q in zip(prob[i], prob[c]))
    num_pos = sum(any(y in g for g in groups) for y in labels)
    box = 0.0
    for i, y in enumerate(labels):
        if y < num_classes:
            diff = (deltas[i, 4 * y : 4 * y + 4] - bbox_targets[i]).abs()
            box += float(
                torch.where(diff < 1, 0.5 * diff**2, diff - 0.5).sum()
            )
    return dict(
        loss_cls=loss_cls,
        loss_aam=loss_aam,
        loss_gia=0.1 * gia / max(num_pos, 1),
        loss_bbox=box / n,
    )


def test_loss_values_match_a_computation_by_hand():
    groups = [[0, 1, 2]]
    torch.manual_seed(2024)
    head = _head(
        in_channels=3,
        roi_feat_size=2,
        fc_out_channels=16,
        num_classes=4,
        loss_gia=dict(
            type='GroupInnerAdjacencyLoss',
            groups=groups,
            center_thr=0.3,
            loss_weight=0.1,
        ),
    )
    with torch.no_grad():
        head.fc_cls.bias.copy_(torch.randn(5))
    x = torch.randn(6, 3, 2, 2) * 4
    img = [0, 0, 0, 1, 1, 1]
    labels = [0, 1, 4, 2, 0, 4]
    bbox_targets = torch.randn(6, 4)
    rois = _rois(img)
    cls_score, bbox_pred, outs = head(x, img_inds=rois[:, 0])
    targets = (
        torch.tensor(labels),
        torch.ones(6),
        bbox_targets,
        torch.ones(6, 4),
    )
    losses = head.loss(cls_score, bbox_pred, rois, *targets, **outs)
    # Both kinds of class weight are used: some centres on, some off.
    centers = outs['center_inds'][:, :4]
    assert (centers >= 0).any() and (centers < 0).any()
    with torch.no_grad():
        want = _by_hand(head, x, img, labels, bbox_targets, groups, 0.3)
    assert want['loss_gia'] > 0
    got = {key: losses[key].item() for key in want}
    assert got == pytest.approx(want, rel=1e-4)


def test_head_overfits_a_tiny_batch():
    torch.manual_seed(0)
    head = _head(
        in_channels=4,
        roi_feat_size=2,
        fc_out_channels=32,
        num_classes=4,
        loss_gia=dict(
            type='GroupInnerAdjacencyLoss',
            groups=[[0, 1], [2, 3]],
            loss_weight=0.1,
        ),
    )
    x = torch.randn(12, 4, 2, 2)
    rois = _rois([0] * 6 + [1] * 6)
    labels = torch.tensor([0, 1, 2, 3, 4, 4] * 2)
    targets = (
        labels,
        torch.ones(12),
        torch.randn(12, 4) * 0.1,
        (labels < 4)[:, None].float().expand(12, 4),
    )
    optim = torch.optim.Adam(head.parameters(), lr=1e-2)

    def total():
        cls_score, bbox_pred, outs = head(x, img_inds=rois[:, 0])
        losses = head.loss(cls_score, bbox_pred, rois, *targets, **outs)
        return sum(v for k, v in losses.items() if 'loss' in k), losses

    first, _ = total()
    for _ in range(40):
        optim.zero_grad()
        loss, _ = total()
        loss.backward()
        optim.step()
    last, losses = total()
    assert last.item() < 0.2 * first.item()
    assert losses['acc'].item() == 100.0


def test_cfg_dict_loss_cls_accepted():
    """A ConfigDict ``loss_cls`` is built and used: its weight scales
    ``loss_cls`` and nothing else."""
    torch.manual_seed(0)
    x = torch.rand(4, 2, 1, 1)
    losses = []
    for weight in (1.0, 0.25):
        torch.manual_seed(1)
        head = _head(
            loss_cls=ConfigDict(type='CrossEntropyLoss', loss_weight=weight)
        )
        assert head.loss_cls.loss_weight == weight
        losses.append(_loss(head, x, _rois([0, 0, 1, 1]), [0, 1, 2, 2]))
    full, quarter = losses
    assert full['loss_cls'].item() > 0
    assert quarter['loss_cls'].item() == pytest.approx(
        0.25 * full['loss_cls'].item()
    )
    assert torch.equal(quarter['loss_aam'], full['loss_aam'])


def test_polarity_loss_only_on_known_targets_by_hand():
    torch.manual_seed(0)
    head = _head(with_polarity=True)
    x = torch.rand(4, 2, 1, 1)
    rois = _rois([0, 0, 1, 1])
    cls_score, bbox_pred, outs = head(x, img_inds=rois[:, 0])
    logit = outs.pop('polarity_pred')
    assert logit.shape == (4,)
    targets = torch.tensor([1, 0, -1, -1])
    losses = head.loss(
        cls_score,
        bbox_pred,
        rois,
        *_targets(4, [0, 1, 2, 2]),
        **outs,
        polarity_pred=logit,
        polarity_targets=targets,
    )
    # Mean binary cross-entropy over the two known RoIs only.
    p = torch.sigmoid(logit[:2])
    want = -(torch.log(p[0]) + torch.log(1 - p[1])) / 2
    assert torch.allclose(losses['loss_polarity'], want, atol=1e-6)
    right = float(logit[0] > 0) + float(logit[1] <= 0)
    assert losses['acc_polarity'].item() == pytest.approx(50 * right)
    # Unknown RoIs get no gradient.
    logit.retain_grad()
    losses['loss_polarity'].backward(retain_graph=True)
    assert (logit.grad[2:] == 0).all() and (logit.grad[:2] != 0).all()


def test_polarity_all_unknown_is_zero_and_off_by_default():
    torch.manual_seed(0)
    head = _head(with_polarity=True)
    x = torch.rand(3, 2, 1, 1)
    rois = _rois([0, 0, 0])
    cls_score, bbox_pred, outs = head(x, img_inds=rois[:, 0])
    out = head.polarity_loss(outs['polarity_pred'], None)
    assert out['loss_polarity'].item() == 0
    assert out['loss_polarity'].requires_grad
    assert 'polarity_pred' not in _head()(x, img_inds=rois[:, 0])[2]


def test_polarity_targets_follow_the_rois_order():
    class Sampled:
        def __init__(self, num_pos, num_neg, polarity=None):
            self.pos_inds = torch.arange(num_pos)
            self.neg_inds = torch.arange(num_neg)
            if polarity is not None:
                self.pos_gt_polarity = torch.tensor(polarity)

    # Per image, positives then negatives (mmdet's SamplingResult.priors
    # and bbox2roi order); an image without pos_gt_polarity is unknown.
    targets = DeepAccBBoxHead.polarity_targets(
        [Sampled(2, 1, [1, 0]), Sampled(1, 2), Sampled(1, 0, [-1])]
    )
    assert targets.tolist() == [1, 0, -1, -1, -1, -1, -1]


def test_classification_only_head_without_regression():
    head = _head(with_reg=False, with_polarity=True)
    assert not hasattr(head, 'fc_reg') and len(head.reg_fcs) == 0
    x = torch.rand(3, 2, 1, 1)
    rois = _rois([0, 0, 1])
    cls_score, bbox_pred, outs = head(x, img_inds=rois[:, 0])
    assert bbox_pred is None and cls_score.shape == (3, 3)
    labels, weights, _, _ = _targets(3, [0, 1, 2])
    losses = head.loss(
        cls_score,
        None,
        rois,
        labels,
        weights,
        None,
        None,
        **outs,
        polarity_targets=torch.tensor([1, 0, -1]),
    )
    assert 'loss_bbox' not in losses
    assert losses['loss_cls'] > 0 and losses['loss_polarity'] > 0
