# Cluster types (Lin et al., ResNeXt-WSL) on a CPU: a ResNet-18 with 8
# base channels classifies every foreground object of metaphases composed
# from G-band crops (tested on held-out cells) as single / touching /
# overlapping / touching+overlapping; 600 iterations of 4 cells.
# Results: README.md beside this.
_base_ = [
    '../_base_/models/cluster-type_r18_cpu.py',
    '../_base_/datasets/cluster_objects_gband_crops.py',
    '../_base_/schedules/adamw_cpu_cluster_600it.py',
    '../_base_/cpu_runtime.py',
]
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(by_epoch=False, interval=300, max_keep_ckpts=1))
log_processor = dict(by_epoch=False)
