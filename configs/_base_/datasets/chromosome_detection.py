# Chromosome detection data in COCO format (see deepacc `synth`, `convert`,
# `compose` and `split` for making it). Layout under data_root:
#   images/                 all images
#   annotations/train.json  val.json  test.json
data_root = 'data/chromosome/'
train_ann_file = 'annotations/train.json'
val_ann_file = 'annotations/val.json'
test_ann_file = 'annotations/test.json'
img_prefix = 'images/'
img_scale = (1600, 1200)  # paper: 1600x1200 metaphase captures
batch_size = 1  # paper: batch 1

custom_imports = dict(imports=['deepacc'], allow_failed_imports=False)

dataset_type = 'ChromosomeDataset'
backend_args = None

train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='LoadChromosomeAnnotations', with_bbox=True),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackChromosomeInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    # Ground truth travels with each sample: ChromosomeMetric reads it there.
    dict(type='LoadChromosomeAnnotations', with_bbox=True),
    dict(
        type='PackChromosomeInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor'))
]
train_dataloader = dict(
    batch_size=batch_size,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='AspectRatioBatchSampler'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=train_ann_file,
        data_prefix=dict(img=img_prefix),
        filter_cfg=dict(filter_empty_gt=True, min_size=32),
        pipeline=train_pipeline,
        backend_args=backend_args))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=val_ann_file,
        data_prefix=dict(img=img_prefix),
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))
test_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=test_ann_file,
        data_prefix=dict(img=img_prefix),
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))

# The paper's metrics (mAP, mAP_max, Acc, AER) plus whole-cell counts and
# the Denver split of errors; ground truth is read from the samples.
val_evaluator = dict(type='ChromosomeMetric')
test_evaluator = val_evaluator

# The training images' chromosome width goes into every checkpoint (meta
# 'chromosome_width'), where `--scale auto` finds it at inference.
custom_hooks = [dict(type='ChromosomeScaleHook')]
