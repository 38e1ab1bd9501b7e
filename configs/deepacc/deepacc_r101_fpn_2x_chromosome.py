# Paper Table 1 (f) / Table 2: DeepACC = separate branches + Additive
# Angular Margin loss + siamese inference branch + Group Inner-Adjacency
# loss (alpha 0.1, beta 1.0, gamma 0.1; s 64, m 0.25). Ablations (c)-(e)
# inherit this file and switch parts off.
_base_ = './faster-rcnn-sep_r101_fpn_2x_chromosome.py'
num_classes = 24
fc_out_channels = 1024
aam_scale = 64.0
aam_margin = 0.25
delta = 0.5  # local-centre threshold on the margin branch's probability
# Polarity (p-arm end) of every call, trained where annotations know it;
# not in the paper (Varifocal-Net's second task). Table 1 comparisons
# switch it off (benchmarks/ablation.py).
with_polarity = True

model = dict(
    roi_head=dict(
        type='DeepAccRoIHead',
        bbox_head=dict(
            _delete_=True,
            type='DeepAccBBoxHead',
            num_cls_fcs=2,
            num_reg_fcs=2,
            in_channels=256,
            fc_out_channels=fc_out_channels,
            roi_feat_size=7,
            num_classes=num_classes,
            with_siamese=True,
            delta=delta,
            detach_centers=True,
            margin_on_background=True,
            bbox_coder=dict(
                type='DeltaXYWHBBoxCoder',
                target_means=[0., 0., 0., 0.],
                target_stds=[0.1, 0.1, 0.2, 0.2]),
            reg_class_agnostic=False,
            # beta: the inference branch, whose softmax is the final score.
            loss_cls=dict(
                type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0),
            # alpha: the margin branch.
            loss_margin=dict(
                type='AdditiveAngularMarginLoss',
                scale=aam_scale,
                margin=aam_margin,
                loss_weight=0.1),
            # gamma.
            loss_gia=dict(
                type='GroupInnerAdjacencyLoss',
                center_thr=delta,
                loss_weight=0.1),
            # The paper's regression loss is Smooth L1 (Fast R-CNN).
            with_polarity=with_polarity,
            loss_polarity=dict(
                type='CrossEntropyLoss', use_sigmoid=True, loss_weight=1.0),
            loss_bbox=dict(type='SmoothL1Loss', beta=1.0, loss_weight=1.0))))
