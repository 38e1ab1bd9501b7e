# Ablation: siamese local centres and GIA without the angular margin
# (margin 0 in the margin branch's loss).
_base_ = './deepacc-cls_r18-c32_800it_gband-crops-cpu.py'
model = dict(head=dict(loss_margin=dict(margin=0.0)))
