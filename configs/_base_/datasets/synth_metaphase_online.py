# Synthetic G-banded metaphases rendered in the data loader (deepacc's
# SynthMetaphaseDataset): every training draw is a new cell, so the data
# never runs out; val and test are fixed sets of other cells (other seeds,
# test_mode), with no files at all. Inherit it next to a model and a
# schedule; it sets the dataloaders and the evaluator only.
synth_size = (640, 480)  # (width, height) of the rendered metaphases
synth = dict(width=synth_size[0], height=synth_size[1], batch_effect=1.0)
train_samples = 1000  # items per "epoch" (an iteration-based loop ignores)
val_samples = 20
test_samples = 60
batch_size = 2

custom_imports = dict(imports=['deepacc'], allow_failed_imports=False)

train_pipeline = [
    dict(type='LoadImageFromNDArray'),
    dict(type='LoadChromosomeAnnotations', with_bbox=True),
    # Already this size: sets scale_factor (1.0) for the heads; change
    # the scale to train at another size than the images are made.
    dict(type='Resize', scale=synth_size, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackChromosomeInputs')
]
test_pipeline = [
    dict(type='LoadImageFromNDArray'),
    dict(type='Resize', scale=synth_size, keep_ratio=True),
    dict(type='LoadChromosomeAnnotations', with_bbox=True),
    dict(
        type='PackChromosomeInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor'))
]
train_dataloader = dict(
    batch_size=batch_size,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='SynthMetaphaseDataset',
        num_samples=train_samples,
        seed=0,
        synth=synth,
        pipeline=train_pipeline))
# Val and test: fixed sets (test_mode) of other cells (other seeds).
held_out_loader = dict(
    batch_size=1,
    num_workers=1,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False))
held_out = dict(
    type='SynthMetaphaseDataset',
    synth=synth,
    test_mode=True,
    pipeline=test_pipeline)
val_dataloader = dict(
    **held_out_loader,
    dataset=dict(**held_out, num_samples=val_samples, seed=1001))
test_dataloader = dict(
    **held_out_loader,
    dataset=dict(**held_out, num_samples=test_samples, seed=1002))
val_evaluator = dict(type='ChromosomeMetric')
test_evaluator = val_evaluator

# The training images' chromosome width goes into every checkpoint (meta
# 'chromosome_width'), where `--scale auto` finds it at inference.
custom_hooks = [dict(type='ChromosomeScaleHook')]
