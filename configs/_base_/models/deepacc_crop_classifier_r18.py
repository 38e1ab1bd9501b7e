# ChromosomeCropClassifier: a narrow ResNet-18 (3 stages, 32 base
# channels, grey input, from scratch) whose last feature map is pooled to
# 7x7 and fed to the detector's DeepAccBBoxHead without regression:
# margin (AAM) branch, siamese branch with per-cell local centres, GIA
# loss and the polarity logit.
base_channels = 32
model = dict(
    type='ChromosomeCropClassifier',
    pool_size=7,
    backbone=dict(
        type='ResNet',
        depth=18,
        in_channels=1,
        base_channels=base_channels,
        num_stages=3,
        strides=(1, 2, 2),
        dilations=(1, 1, 1),
        out_indices=(2, ),
        frozen_stages=-1,
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=False,
        style='pytorch',
        init_cfg=None),
    head=dict(
        type='DeepAccBBoxHead',
        num_classes=24,
        in_channels=base_channels * 4,
        roi_feat_size=7,
        fc_out_channels=256,
        with_reg=False,
        with_polarity=True,
        with_siamese=True,
        delta=0.5,
        loss_cls=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0),
        loss_margin=dict(
            type='AdditiveAngularMarginLoss',
            scale=64.0,
            margin=0.25,
            loss_weight=0.1),
        loss_gia=dict(type='GroupInnerAdjacencyLoss', loss_weight=0.1),
        loss_polarity=dict(
            type='CrossEntropyLoss', use_sigmoid=True, loss_weight=1.0)))
