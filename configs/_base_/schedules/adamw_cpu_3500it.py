# ./adamw_cpu_2100it.py for 3500 iterations (about 52 min on 2 cores).
_base_ = './adamw_cpu_2100it.py'
max_iters = 3500
val_interval = 700
warmup_iters = 100
lr = 1e-3

train_cfg = dict(max_iters=max_iters, val_interval=val_interval)
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
