# Crop classification with the DeepACC head (AAM + siamese per-cell local
# centres + GIA + polarity) on the G-band development crops, cells split
# 3:1:1, 800 iterations of 2 cells (~90 crops) on a CPU. Results:
# README.md beside this file.
_base_ = [
    '../_base_/models/deepacc_crop_classifier_r18.py',
    '../_base_/datasets/gband_crops_classification.py',
    '../_base_/schedules/adamw_cpu_2100it.py',
    '../_base_/cpu_runtime.py',
]
max_iters = 800
val_interval = 800
warmup_iters = 50
lr = 1e-3
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=val_interval)
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=0.01,
        by_epoch=False,
        begin=0,
        end=warmup_iters),
    dict(
        type='CosineAnnealingLR',
        eta_min=lr * 0.01,
        by_epoch=False,
        begin=warmup_iters,
        end=max_iters)
]
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(by_epoch=False, interval=max_iters, max_keep_ckpts=1))
log_processor = dict(by_epoch=False)
