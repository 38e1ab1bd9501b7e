# Faster R-CNN sized for training from scratch on a CPU (no pretrained
# weights can be downloaded; the paper's R101 configs are for GPUs). What
# differs from mmdet's faster-rcnn_r50_fpn.py, and why (measured in
# benchmarks/learning_curve.py, reasoning in configs/deepacc/README.md):
# - ResNet-18 whose every stage trains and whose BN layers learn their
#   statistics: mmdet's default (frozen stem, norm_eval) is for ImageNet
#   weights; from random weights it freezes a random stem and keeps BN at
#   its initial identity statistics.
# - Half-width ResNet-18 (base_channels=32: stages of 32-256 channels, a
#   quarter of the backbone's convolution work): on the 2-core machine
#   the convolutions were two thirds of a full-width training step (1.18
#   of 1.84 s profiled); at half width a step costs 0.51 of that, and the
#   synthetic recipe's 2100 iterations train in 29.9 min instead of ~50,
#   with test accuracy as high (benchmarks/README.md).
# - 64-channel FPN, 256-wide RoI FCs.
# - Anchors for chromosomes: smaller (the smallest, 21 and Y, are 15-30 px
#   at the recipes' scale) and down to 1:4 / 4:1 (a straight chromosome's
#   box along an axis).
# - Fewer proposals: a cell has ~46 chromosomes, not COCO's hundreds;
#   200 per image in training (with 500, the classifier's RoIs cost ~4%
#   more per iteration and validation was no better), 300 at test.
# - More RoIs for the classifier, half of them chromosomes (mmdet: 256 per
#   image, a quarter positive, ~64 chromosome examples per backbone pass):
#   learning the 24 classes, not finding chromosomes, is the slow part on
#   a CPU.
# - RoIAlign with one sample per bin (sampling_ratio=1; mmdet: 0, i.e.
#   adaptive, up to 4x4 samples per bin for a large RoI): mmcv's CPU
#   RoIAlign runs on one thread, and with 1024 RoIs per step it took
#   8-30% of a training step in profiles, depending on the RoIs' sizes
#   (benchmarks/step_profile.py); one sample per bin made the recipe's
#   iterations about 8% faster and did not cost accuracy (benchmarks/).
#   Chromosome boxes are under 112 px, so RoIs are read from P2 (stride
#   4), where a chromosome is 4-20 feature pixels long: 7 bin centres
#   along it are one sample per 1-3 pixels.
# - The RPN's assigner computes anchor-to-chromosome IoU only for the
#   pairs that intersect (SparseBboxOverlaps2D, deepacc/models/
#   task_modules/): the same matrix as mmdet's BboxOverlaps2D, element for
#   element, without ten passes over a (chromosomes x ~128k anchors)
#   tensor per image (a step of the trained recipe: 0.92 -> 0.70 s).
_base_ = 'mmdet::_base_/models/faster-rcnn_r50_fpn.py'
num_classes = 24
channels = 64
fc_out_channels = 256

model = dict(
    backbone=dict(
        depth=18,
        base_channels=32,
        frozen_stages=-1,
        norm_eval=False,
        init_cfg=None),
    neck=dict(in_channels=[32, 64, 128, 256], out_channels=channels),
    rpn_head=dict(
        in_channels=channels,
        feat_channels=channels,
        anchor_generator=dict(scales=[4], ratios=[0.25, 0.5, 1.0, 2.0, 4.0])),
    # DeepAccRoIHead with the stock bbox head behaves as StandardRoIHead and
    # also emits the top-1-per-proposal detections mAP_max/Acc/AER need.
    roi_head=dict(
        type='DeepAccRoIHead',
        bbox_roi_extractor=dict(
            roi_layer=dict(sampling_ratio=1), out_channels=channels),
        bbox_head=dict(
            in_channels=channels,
            fc_out_channels=fc_out_channels,
            num_classes=num_classes)),
    train_cfg=dict(
        rpn=dict(
            assigner=dict(iou_calculator=dict(type='SparseBboxOverlaps2D'))),
        rpn_proposal=dict(nms_pre=1000, max_per_img=200),
        rcnn=dict(sampler=dict(num=512, pos_fraction=0.5))),
    test_cfg=dict(rpn=dict(nms_pre=1000, max_per_img=300)))
