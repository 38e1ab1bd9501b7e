import math

import pytest
import torch
from mmengine.config import ConfigDict
from mmengine.logging import MessageHub

from deepacc.models import DeepAccBBoxHead

R = 1 / math.sqrt(2)


def _head(**kwargs):
    cfg = dict(
        in_channels=2,
        roi_feat_size=1,
        fc_out_channels=8,
        num_classes=2,
        # The fixtures below are written as cosines; the default reading
        # ('prob') is tested where it is named.
        center_score='cos',
        delta=0.5,
        loss_gia=dict(type='GroupInnerAdjacencyLoss', groups=[[0, 1]]),
    )
    cfg.update(kwargs)
    head = DeepAccBBoxHead(**cfg)
    head.init_weights()
    return head


def _example_head(**kwargs):
    """2 classes + background, 2-d features, hand-set weights."""
    head = _head(fc_out_channels=2, **kwargs)
    with torch.no_grad():
        head.fc_cls.weight.copy_(
            torch.tensor([[1.0, 0.0], [1.0, 1.0], [-1.0, -1.0]])
        )
        head.inference_bias.copy_(torch.tensor([0.1, 0.2, 0.3]))
    return head


# Image 0: rows 0-2, image 1: rows 3-4.
FEATS = torch.tensor(
    [[3.0, 4.0], [1.0, 0.0], [0.0, 2.0], [0.0, 1.0], [2.0, 0.0]]
)
COS = torch.tensor(
    [
        [0.9, 0.1, 0.0],
        [0.7, 0.2, 0.0],
        [0.1, 0.3, 0.9],
        [0.2, 0.95, 0.0],
        [0.6, 0.1, 0.0],
    ]
)
IMG = torch.tensor([0, 0, 0, 1, 1])


def test_local_centres_are_chosen_per_image_with_delta_fallback():
    head = _example_head()
    weights, rows, centers, best = head.local_class_weights(FEATS, COS, IMG)
    # Image 0: class 0 -> row 0 (0.9 > delta), class 1: best is 0.3 <=
    # delta -> global weight; background always global.
    # Image 1: class 0 -> row 4 (0.6), class 1 -> row 3 (0.95).
    assert centers.tolist() == [[0, -1, -1], [4, 3, -1]]
    assert rows.tolist() == [0, 0, 0, 1, 1]
    assert torch.allclose(
        weights[0], torch.tensor([[0.6, 0.8], [R, R], [-R, -R]])
    )
    assert torch.allclose(
        weights[1], torch.tensor([[1.0, 0.0], [0.0, 1.0], [-R, -R]])
    )
    logits = head.siamese_forward(FEATS, COS, IMG)[0]
    # W_I,j . x (x not normalised) + b_j, by hand.
    expected = torch.tensor(
        [
            [3 * 0.6 + 4 * 0.8 + 0.1, 7 * R + 0.2, -7 * R + 0.3],
            [0.6 + 0.1, R + 0.2, -R + 0.3],
            [2 * 0.8 + 0.1, 2 * R + 0.2, -2 * R + 0.3],
            [0 + 0.1, 1 + 0.2, -R + 0.3],
            [2 + 0.1, 0 + 0.2, -2 * R + 0.3],
        ]
    )
    assert torch.allclose(logits, expected, atol=1e-6)
    # Without image indices the class-1 centre of image 1 (row 3) would
    # leak into image 0.
    mixed = head.siamese_forward(FEATS, COS, None)[0]
    assert mixed[0, 1].item() == pytest.approx(4 + 0.2, abs=1e-6)


def test_inference_scale_multiplies_the_logits_bias_included():
    """``t (W_I,j . x + b_j)``: a fixed t, and a learnt one that starts at
    its given value, gets a gradient and is logged."""
    plain = _example_head().siamese_forward(FEATS, COS, IMG)[0]
    fixed = _example_head(inference_scale=2.5)
    assert torch.allclose(
        fixed.siamese_forward(FEATS, COS, IMG)[0], 2.5 * plain, atol=1e-6
    )
    assert not any('scale' in n for n, _ in fixed.named_parameters())
    learnt = _example_head(inference_scale=2.5, learn_inference_scale=True)
    assert learnt.inference_log_scale.item() == pytest.approx(math.log(2.5))
    logits = learnt.siamese_forward(FEATS, COS, IMG)[0]
    assert torch.allclose(logits, 2.5 * plain, atol=1e-6)
    # d(sum t * z)/d(log t) = t * sum z.
    logits.sum().backward()
    assert learnt.inference_log_scale.grad.item() == pytest.approx(
        2.5 * plain.sum().item(), rel=1e-5
    )
    losses = _loss(
        _head(learn_inference_scale=True),
        torch.rand(4, 2, 1, 1),
        _rois([0, 0, 1, 1]),
        [0, 1, 2, 2],
    )
    assert losses['inference_scale'].item() == pytest.approx(1.0)
    assert not losses['inference_scale'].requires_grad
    # Without the siamese branch there is nothing to scale.
    margin_only = _head(with_siamese=False, learn_inference_scale=True)
    assert not hasattr(margin_only, 'inference_log_scale')


def test_own_inference_weights_by_hand():
    """``'own'``: a class without a centre scores ``W_G,j . x + b_j``
    (W_G not normalised); a centre keeps ``|W_G,j|``; ``loss_cls`` no
    longer reaches ``W_M``, which the margin loss still trains."""
    head = _example_head(inference_weights='own')
    with torch.no_grad():
        head.fc_inference.weight.copy_(
            torch.tensor([[0.0, 2.0], [3.0, 4.0], [1.0, -1.0]])
        )
    logits = head.siamese_forward(FEATS, COS, IMG)[0]
    # Centres as in the shared test: image 0 class 0 -> row 0 (direction
    # (0.6, 0.8)), image 1 class 0 -> row 4 ((1, 0)), class 1 -> row 3
    # ((0, 1)); lengths |W_G,0| = 2, |W_G,1| = 5.
    expected = torch.tensor(
        [
            [2 * (3 * 0.6 + 4 * 0.8) + 0.1, 9 + 16 + 0.2, 3 - 4 + 0.3],
            [2 * 0.6 + 0.1, 3 + 0.2, 1 + 0.3],
            [2 * 2 * 0.8 + 0.1, 8 + 0.2, -2 + 0.3],
            [0 + 0.1, 5 + 0.2, -1 + 0.3],
            [2 * 2 + 0.1, 0 + 0.2, 2 + 0.3],
        ]
    )
    assert torch.allclose(logits, expected, atol=1e-6)
    # Initialised like fc_cls (std 0.01), not PyTorch's default.
    fresh = _head(inference_weights='own')
    assert fresh.fc_inference.weight.std().item() < 0.03
    torch.manual_seed(0)
    head = _head(inference_weights='own', loss_gia=None)
    losses = _loss(
        head, torch.rand(4, 2, 1, 1), _rois([0, 0, 1, 1]), [0, 1, 2, 2]
    )
    losses['loss_cls'].backward()
    assert head.fc_cls.weight.grad is None or not head.fc_cls.weight.grad.any()
    assert head.fc_inference.weight.grad.abs().sum() > 0
    head.zero_grad()
    losses = _loss(
        head, torch.rand(4, 2, 1, 1), _rois([0, 0, 1, 1]), [0, 1, 2, 2]
    )
    losses['loss_aam'].backward()
    assert head.fc_cls.weight.grad.abs().sum() > 0
    # The paper's sharing has no weights of its own.
    assert not hasattr(_head(), 'fc_inference')


def test_absent_class_and_candidate_mask_fall_back_to_global():
    head = _example_head()
    # No RoI of image 1 may be a centre: all its weights are global.
    mask = torch.tensor([True, True, True, False, False])
    weights, _, centers, _ = head.local_class_weights(FEATS, COS, IMG, mask)
    assert centers.tolist() == [[0, -1, -1], [-1, -1, -1]]
    assert torch.allclose(
        weights[1], torch.tensor([[1.0, 0.0], [R, R], [-R, -R]])
    )
    # A class absent from every image (all cosines low) uses W_M.
    low = COS.clone()
    low[:, 0] = 0.1
    _, _, centers, _ = head.local_class_weights(FEATS, low, IMG)
    assert (centers[:, 0] == -1).all()


def test_background_centre_option_and_prob_scores():
    head = _example_head(background_center=True)
    _, _, centers, _ = head.local_class_weights(FEATS, COS, IMG)
    assert centers[0, 2].item() == 2
    head = _example_head(center_score='prob')
    assert torch.allclose(
        head.center_scores(COS), torch.softmax(64 * COS, dim=1)
    )


@pytest.mark.parametrize('detach', [True, False])
def test_detach_centers(detach):
    head = _example_head(detach_centers=detach)
    feats = FEATS.clone().requires_grad_(True)
    logits = head.siamese_forward(feats, COS, IMG)[0]
    # Row 1's class-0 logit uses row 0's feature as the centre.
    logits[1, 0].backward()
    grad_row0 = feats.grad[0].abs().sum().item()
    assert (grad_row0 == 0) == detach


def test_forward_shapes_and_no_siamese():
    torch.manual_seed(0)
    head = _head()
    x = torch.rand(5, 2, 1, 1)
    cls_score, bbox_pred, outs = head(x, img_inds=IMG)
    assert cls_score.shape == (5, 3) and bbox_pred.shape == (5, 8)
    assert outs['cos_score'].shape == (5, 3)
    assert outs['cos_score'].abs().max() <= 1 + 1e-6
    assert outs['cls_feat'].shape == (5, 8)
    # Regression and classification share no parameters.
    cls_params = {id(p) for p in head.cls_fcs.parameters()}
    assert not cls_params & {id(p) for p in head.reg_fcs.parameters()}
    assert head.fc_cls.bias is None
    plain = _head(with_siamese=False)
    cls_score, _, outs = plain(x)
    assert torch.allclose(cls_score, 64 * outs['cos_score'])
    assert not hasattr(plain, 'inference_bias')


def test_centre_warmup_holds_centres_off_in_training_only():
    """Before the Runner's iteration ``center_warmup_iters`` a training
    step uses the global weights only; from it on, and at test time
    whatever the iteration, the centres of
    test_local_centres_are_chosen_per_image_with_delta_fallback."""
    head = _example_head(center_warmup_iters=100)
    hub = MessageHub.get_instance('deepacc-centre-warmup-test')
    with_centres = [[0, -1, -1], [4, 3, -1]]
    head.train()
    hub.update_info('iter', 99)
    _, _, centers, _ = head.local_class_weights(FEATS, COS, IMG)
    assert (centers == -1).all()
    logits = head.siamese_forward(FEATS, COS, IMG)[0]
    global_weights = torch.tensor([[1.0, 0.0], [R, R], [-R, -R]])
    bias = torch.tensor([0.1, 0.2, 0.3])
    assert torch.allclose(logits, FEATS @ global_weights.t() + bias)
    hub.update_info('iter', 100)
    _, _, centers, _ = head.local_class_weights(FEATS, COS, IMG)
    assert centers.tolist() == with_centres
    hub.update_info('iter', 0)
    head.eval()
    _, _, centers, _ = head.local_class_weights(FEATS, COS, IMG)
    assert centers.tolist() == with_centres


def test_bad_options():
    with pytest.raises(ValueError, match='center_warmup_iters'):
        _head(center_warmup_iters=-1)
    with pytest.raises(ValueError, match='train_centers'):
        _head(train_centers='every')
    with pytest.raises(ValueError, match='center_score'):
        _head(center_score='logit')
    with pytest.raises(ValueError, match='inference_scale'):
        _head(inference_scale=0.0)
    with pytest.raises(ValueError, match='inference_weights'):
        _head(inference_weights='free')


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


def test_center_stats_by_hand():
    """Centres of FEATS/COS/IMG: [[0, -1, -1], [4, 3, -1]], best scores
    [[0.9, 0.3, 0.9], [0.6, 0.95, 0.0]] (see the first test)."""
    head = _example_head()
    _, _, centers, best = head.local_class_weights(FEATS, COS, IMG)
    # Image 0 has classes 0 and 1 (row 2 is background), image 1 has
    # 0 (row 3) and 1 (row 4): 4 present (image, class) pairs. Centres are
    # used for 3 of them (image 0 class 1 falls back: 0.3 <= delta); only
    # image 0's class-0 centre (row 0, label 0) is of its class: row 4
    # (label 1) stands for class 0 and row 3 (label 0) for class 1.
    labels = torch.tensor([0, 1, 2, 0, 1])
    stats = head.center_stats(labels, IMG.float(), centers, best)
    assert stats['center_frac'].item() == pytest.approx(3 / 4)
    assert stats['center_score'].item() == pytest.approx(
        (0.9 + 0.3 + 0.6 + 0.95) / 4
    )
    assert stats['center_acc'].item() == pytest.approx(1 / 3)
    # Image 1 all class 1: present pairs (0,0), (0,1), (1,1); used (0,0)
    # and (1,1), both right.
    labels = torch.tensor([0, 1, 2, 1, 1])
    stats = head.center_stats(labels, IMG.float(), centers, best)
    assert stats['center_frac'].item() == pytest.approx(2 / 3)
    assert stats['center_score'].item() == pytest.approx(
        (0.9 + 0.3 + 0.95) / 3
    )
    assert stats['center_acc'].item() == 1.0


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
    head = _head(center_score='prob', delta=0.5, loss_margin=margin)
    with torch.no_grad():
        head.fc_cls.weight.copy_(
            torch.eye(8)[:3] + 0.3 * torch.eye(8)[[1, 0, 2]]
        )
    feats = torch.zeros(4, 8)
    feats[0, 0] = feats[1, 1] = 1.0  # class 0, class 1
    feats[2, 0] = feats[3, 1] = 1.0
    norms = feats.norm(dim=1, keepdim=True)
    weights = torch.nn.functional.normalize(head.fc_cls.weight, dim=1)
    cos = feats @ weights.t() / norms
    rois = _rois([0, 0, 0, 0])
    logits, centers, best = head.siamese_forward(feats, cos, rois[:, 0])
    targets = _targets(4, [0, 1, 0, 1])
    losses = head.loss(
        logits,
        torch.zeros(4, 8),
        rois,
        *targets,
        cos_score=cos,
        cls_feat=feats,
        center_inds=centers,
        best_scores=best,
    )
    assert losses['center_frac'].item() == 1.0
    assert losses['center_acc'].item() == 1.0
    assert losses['center_score'].item() == pytest.approx(0.92, abs=0.01)
    assert losses['loss_gia'].item() == pytest.approx(
        0.1 * 2 * 0.92 * 0.063, rel=0.1
    )
    # Literal reading (cosine > 0.5) on the same scores: the cosines are
    # 1/sqrt(1.09) = 0.96, so the centres switch on there too; a delta
    # above them switches everything off and GIA with it.
    off = _head(center_score='cos', delta=0.99, loss_margin=margin)
    off.load_state_dict(head.state_dict())
    off.loss_gia.center_thr = 0.99
    logits, centers, best = off.siamese_forward(feats, cos, rois[:, 0])
    losses = off.loss(
        logits,
        torch.zeros(4, 8),
        rois,
        *targets,
        cos_score=cos,
        cls_feat=feats,
        center_inds=centers,
        best_scores=best,
    )
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


def test_positive_train_centres_recomputes_logits():
    torch.manual_seed(0)
    head = _head(train_centers='positive', delta=-1.0)
    x = torch.rand(4, 2, 1, 1)
    rois = _rois([0, 0, 0, 0])
    cls_score, bbox_pred, outs = head(x, img_inds=rois[:, 0])
    targets = _targets(4, [0, 2, 2, 2])
    losses = head.loss(cls_score, bbox_pred, rois, *targets, **outs)
    # Only row 0 (positive) can be a centre: every local weight is its
    # feature (delta -1 lets any cosine pass).
    weights, _, centers, _ = head.local_class_weights(
        outs['cls_feat'], outs['cos_score'], rois[:, 0], targets[0] < 2
    )
    assert centers[0, :2].tolist() == [0, 0]
    logits = head.siamese_forward(
        outs['cls_feat'], outs['cos_score'], rois[:, 0], targets[0] < 2
    )[0]
    expected = torch.nn.functional.cross_entropy(logits, targets[0])
    assert losses['loss_cls'].item() == pytest.approx(
        expected.item(), rel=1e-5
    )


def test_golden_loss_values():
    torch.manual_seed(2021)
    head = _head(
        in_channels=3,
        roi_feat_size=2,
        fc_out_channels=16,
        num_classes=4,
        loss_gia=dict(
            type='GroupInnerAdjacencyLoss',
            groups=[[0, 1, 2]],
            center_thr=-1.0,
            loss_weight=0.1,
        ),
    )
    x = torch.randn(6, 3, 2, 2)
    rois = _rois([0, 0, 0, 1, 1, 1])
    cls_score, bbox_pred, outs = head(x, img_inds=rois[:, 0])
    targets = (
        torch.tensor([0, 1, 4, 2, 3, 4]),
        torch.ones(6),
        torch.randn(6, 4),
        torch.ones(6, 4),
    )
    losses = head.loss(cls_score, bbox_pred, rois, *targets, **outs)
    # The centre statistics are log-only and checked by hand above.
    got = {k: losses[k].item() for k in GOLDEN}
    assert got == pytest.approx(GOLDEN, abs=2e-4)


# Recorded from this implementation (torch 2.13 CPU) after the hand-checked
# tests above passed; a change here means the head's maths changed.
GOLDEN = {
    'loss_cls': 1.6706,
    'acc': 33.3333,
    'loss_bbox': 1.2002,
    'loss_aam': 3.0502,
    'loss_gia': 0.0495,
    'acc_margin': 33.3333,
}


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
    head = _head(loss_cls=ConfigDict(type='CrossEntropyLoss', loss_weight=1.0))
    assert head.loss_cls.loss_weight == 1.0


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
