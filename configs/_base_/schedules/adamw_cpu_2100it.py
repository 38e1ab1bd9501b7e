# Iteration-based AdamW schedule for from-scratch training on a CPU: a
# short linear warm-up, then cosine decay to 1% of the rate. The on-the-fly
# datasets never run out, so the budget is a number of iterations (at
# about 0.85 s per iteration for the half-width R18 CPU detectors on 2
# cores, the synthetic recipes' 2100 iterations are 30 minutes). Children
# that change max_iters restate train_cfg and param_scheduler (mmengine
# resolves them here).
max_iters = 2100
val_interval = 300
warmup_iters = 100
lr = 1e-3

train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=val_interval)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=lr, weight_decay=0.05),
    clip_grad=dict(max_norm=10.0))
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
auto_scale_lr = dict(enable=False, base_batch_size=2)
