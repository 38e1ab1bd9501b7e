# ./chromosome_detection.py (your COCO files) sized for CPU training:
# images resized to fit 640x480, batch 2, one loader worker.
_base_ = './chromosome_detection.py'
img_scale = (640, 480)
batch_size = 2

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadChromosomeAnnotations', with_bbox=True),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackChromosomeInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='LoadChromosomeAnnotations', with_bbox=True),
    dict(
        type='PackChromosomeInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor'))
]
train_dataloader = dict(
    batch_size=batch_size,
    num_workers=1,
    dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(num_workers=1, dataset=dict(pipeline=test_pipeline))
test_dataloader = dict(num_workers=1, dataset=dict(pipeline=test_pipeline))

# The training images' chromosome width goes into every checkpoint (meta
# 'chromosome_width'), where `--scale auto` finds it at inference.
custom_hooks = [dict(type='ChromosomeScaleHook')]
