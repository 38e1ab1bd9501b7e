# The mixed-look crops recipe with scale jitter: every training image is
# resized by a factor drawn from 0.5-2.0 (mmdet's RandomResize, aspect
# kept), so the detector sees chromosomes from half to twice the training
# width. The alternative to normalising the scale at inference (`--scale
# auto`, which resizes each image to the training width measured into
# the checkpoint): benchmarks/README.md, "Real images", measures the two
# apart and together. The checkpoint's `chromosome_width` is measured
# through the pipeline without the jitter (the middle of what the model
# saw), so `--scale auto` still aims at it.
_base_ = './deepacc_r18-c32_fpn_3500it_gband-crops-mixed-look-cpu.py'

scale_jitter = (0.5, 2.0)
train_pipeline = [
    dict(type='LoadImageFromNDArray'),
    dict(type='LoadChromosomeAnnotations', with_bbox=True),
    dict(
        type='RandomResize',
        scale={{_base_.canvas}},
        ratio_range=scale_jitter,
        keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackChromosomeInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
custom_hooks = [
    dict(type='ChromosomeScaleHook', pipeline={{_base_.train_pipeline}})
]
