# Paper Table 1 (b) on a CPU: the crops recipe of
# ../faster_rcnn/faster-rcnn_r18-c32_fpn_3500it_gband-crops-cpu.py with
# separate classification and regression branches (2 FC layers each, no
# shared layers) and Smooth L1 for the boxes, as
# ./faster-rcnn-sep_r101_fpn_2x_chromosome.py (what
# benchmarks/ablation.py trains as (b); results in ./README.md).
_base_ = '../faster_rcnn/faster-rcnn_r18-c32_fpn_3500it_gband-crops-cpu.py'

model = dict(
    roi_head=dict(
        bbox_head=dict(
            type='ConvFCBBoxHead',
            num_shared_fcs=0,
            num_cls_fcs=2,
            num_reg_fcs=2,
            loss_bbox=dict(type='SmoothL1Loss', beta=1.0, loss_weight=1.0))))
