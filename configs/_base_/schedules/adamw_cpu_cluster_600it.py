# ./adamw_cpu_2100it.py shortened for the small cluster-type classifier on
# a CPU (batches of 4 cells, ~160 objects): 600 iterations, a shorter
# warm-up and twice the rate.
_base_ = './adamw_cpu_2100it.py'
max_iters = 600
val_interval = 300
warmup_iters = 50
lr = 2e-3

train_cfg = dict(max_iters=max_iters, val_interval=val_interval)
optim_wrapper = dict(optimizer=dict(lr=lr))
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
auto_scale_lr = dict(base_batch_size=4)
