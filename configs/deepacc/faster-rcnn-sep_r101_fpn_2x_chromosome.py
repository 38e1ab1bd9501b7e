# Paper Table 1 (b): Faster R-CNN with separate classification and
# regression branches (2 FC layers each, no shared layers). The regression
# branch uses Smooth L1 as the paper's section 2.1 says (mmdet's stock
# Faster R-CNN, row (a), uses L1); every later row keeps it.
_base_ = '../faster_rcnn/faster-rcnn_r101_fpn_2x_chromosome.py'
num_classes = 24
fc_out_channels = 1024

model = dict(
    roi_head=dict(
        bbox_head=dict(
            _delete_=True,
            type='ConvFCBBoxHead',
            num_shared_fcs=0,
            num_cls_fcs=2,
            num_reg_fcs=2,
            in_channels=256,
            fc_out_channels=fc_out_channels,
            roi_feat_size=7,
            num_classes=num_classes,
            bbox_coder=dict(
                type='DeltaXYWHBBoxCoder',
                target_means=[0., 0., 0., 0.],
                target_stds=[0.1, 0.1, 0.2, 0.2]),
            reg_class_agnostic=False,
            loss_cls=dict(
                type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0),
            loss_bbox=dict(type='SmoothL1Loss', beta=1.0, loss_weight=1.0))))
