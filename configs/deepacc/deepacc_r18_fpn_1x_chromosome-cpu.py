# CPU-sized DeepACC (Table 1 (f)) for the demo, tests and benchmarks: the
# CPU baseline ../faster_rcnn/faster-rcnn_r18_fpn_1x_chromosome-cpu.py (R18,
# 64-channel FPN, 512x384, batch 2, no pretrained weights) with the DeepACC
# head of ./deepacc_r101_fpn_2x_chromosome.py, narrowed to 256-wide FCs.
_base_ = '../faster_rcnn/faster-rcnn_r18_fpn_1x_chromosome-cpu.py'
num_classes = 24
channels = 64
fc_out_channels = 256

model = dict(
    roi_head=dict(
        type='DeepAccRoIHead',
        bbox_head=dict(
            _delete_=True,
            type='DeepAccBBoxHead',
            num_cls_fcs=2,
            num_reg_fcs=2,
            in_channels=channels,
            fc_out_channels=fc_out_channels,
            roi_feat_size=7,
            num_classes=num_classes,
            with_siamese=True,
            center_score='cos',
            delta=0.5,
            detach_centers=True,
            margin_on_background=True,
            background_center=False,
            train_centers='sampled',
            bbox_coder=dict(
                type='DeltaXYWHBBoxCoder',
                target_means=[0., 0., 0., 0.],
                target_stds=[0.1, 0.1, 0.2, 0.2]),
            reg_class_agnostic=False,
            loss_cls=dict(
                type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0),
            loss_margin=dict(
                type='AdditiveAngularMarginLoss',
                scale=64.0,
                margin=0.25,
                loss_weight=0.1),
            loss_gia=dict(
                type='GroupInnerAdjacencyLoss',
                center_thr=0.5,
                loss_weight=0.1),
            loss_bbox=dict(type='SmoothL1Loss', beta=1.0, loss_weight=1.0))))
