# The CPU Faster R-CNN of ./faster-rcnn_r18-c32_fpn_cpu.py with the DeepACC
# bbox head of ../../deepacc/deepacc_r101_fpn_2x_chromosome.py (paper Table
# 1 (f)), narrowed to the CPU widths: separate classification and
# regression branches, AAM margin branch (s 64, m 0.25, alpha 0.1), siamese
# inference branch with per-image local centres (beta 1.0) and the Group
# Inner-Adjacency loss (gamma 0.1).
_base_ = './faster-rcnn_r18-c32_fpn_cpu.py'
delta = 0.5  # local-centre threshold (not in the paper; see the head)
# Polarity (p-arm end) of every call, trained where annotations know it;
# not in the paper (Varifocal-Net's second task). Table 1 comparisons
# switch it off (benchmarks/ablation.py).
with_polarity = True

model = dict(
    roi_head=dict(
        bbox_head=dict(
            _delete_=True,
            type='DeepAccBBoxHead',
            num_cls_fcs=2,
            num_reg_fcs=2,
            in_channels={{_base_.channels}},
            fc_out_channels={{_base_.fc_out_channels}},
            roi_feat_size=7,
            num_classes={{_base_.num_classes}},
            with_siamese=True,
            delta=delta,
            detach_centers=True,
            margin_on_background=True,
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
                center_thr=delta,
                loss_weight=0.1),
            with_polarity=with_polarity,
            loss_polarity=dict(
                type='CrossEntropyLoss', use_sigmoid=True, loss_weight=1.0),
            loss_bbox=dict(type='SmoothL1Loss', beta=1.0, loss_weight=1.0))))
