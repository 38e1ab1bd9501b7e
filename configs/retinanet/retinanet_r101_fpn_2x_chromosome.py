# Paper Table 2 one-stage baseline: RetinaNet R101-FPN, 2x schedule (24
# epochs, steps at 16 and 22), batch 1, flip 0.5, 1600x1200.
#
# mmdet::retinanet/retinanet_r101_fpn_2x_coco.py with our dataset; as in
# ../faster_rcnn/, the four parts are listed because mmengine forbids the
# same key in two bases. The paper gives no RetinaNet learning rate; this
# keeps mmdet's RetinaNet value, lr 0.01 (RetinaNet diverges more easily
# than Faster R-CNN at 0.02).
_base_ = [
    'mmdet::_base_/models/retinanet_r50_fpn.py',
    '../_base_/datasets/chromosome_detection.py',
    'mmdet::_base_/schedules/schedule_2x.py',
    'mmdet::_base_/default_runtime.py',
]
num_classes = 24

model = dict(
    backbone=dict(
        depth=101,
        init_cfg=dict(type='Pretrained',
                      checkpoint='torchvision://resnet101')),
    bbox_head=dict(num_classes=num_classes))

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0001))
auto_scale_lr = dict(enable=False, base_batch_size=16)
