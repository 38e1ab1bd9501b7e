# mmdet's default runtime for CPU training: frequent logging, gloo for
# distributed runs (tools/dist_train.sh CONFIG 2 works on a laptop), and
# DDP with device_ids=None, which suits CPU and single-GPU modules alike.
_base_ = 'mmdet::_base_/default_runtime.py'

default_hooks = dict(logger=dict(interval=20))
env_cfg = dict(dist_cfg=dict(backend='gloo'))
model_wrapper_cfg = dict(
    type='MMDistributedDataParallel',
    device_ids=None,
    broadcast_buffers=False,
    find_unused_parameters=False)
