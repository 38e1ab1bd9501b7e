# DeepACC (Table 1 (f)) on a CPU: synthetic
# metaphases rendered on the fly (a new cell every draw), 2100 iterations
# of batch 2 (30 min on 2 cores). Test set: 60 other synthetic cells.
# Results and the recipe's reasoning: ../deepacc/README.md.
_base_ = [
    '../_base_/models/deepacc_r18-c32_fpn_cpu.py',
    '../_base_/datasets/synth_metaphase_online.py',
    '../_base_/schedules/adamw_cpu_2100it.py',
    '../_base_/cpu_runtime.py',
]
default_hooks = dict(
    checkpoint=dict(by_epoch=False, interval=300, max_keep_ckpts=1))
log_processor = dict(by_epoch=False)
