# The crops recipe with training cells that look like real captures
# (../_base_/datasets/real_look.py: condensed chromosomes, capture
# degradation, nuclei and debris). Training data only: val and test stay
# the base recipe's composed cells, so the two recipes' tables compare.
_base_ = [
    './deepacc_r18-c32_fpn_3500it_gband-crops-cpu.py',
    '../_base_/datasets/real_look.py',
]

train_dataloader = dict(dataset=dict(compose={{_base_.real_look}}))
