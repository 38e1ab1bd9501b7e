# Ablation: AAM only (the margin branch's s * cos is the classifier), no
# siamese local centres, no GIA.
_base_ = './deepacc-cls_r18-c32_800it_gband-crops-cpu.py'
model = dict(head=dict(with_siamese=False, loss_gia=None))
