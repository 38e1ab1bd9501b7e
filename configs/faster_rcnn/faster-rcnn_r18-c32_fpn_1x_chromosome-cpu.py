# Faster R-CNN with the stock head (Table 1 (a)) sized for a CPU, trained from
# scratch on your COCO files (../_base_/datasets/chromosome_detection.py
# layout) for 12 epochs. The model is the CPU recipe of
# ../_base_/models/faster-rcnn_r18-c32_fpn_cpu.py; GPU users train the
# R101 config.
_base_ = [
    '../_base_/models/faster-rcnn_r18-c32_fpn_cpu.py',
    '../_base_/datasets/chromosome_detection_cpu.py',
    '../_base_/schedules/adamw_cpu_12e.py',
    '../_base_/cpu_runtime.py',
]
