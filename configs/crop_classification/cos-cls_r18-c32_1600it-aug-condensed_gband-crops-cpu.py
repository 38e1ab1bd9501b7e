# The default crop classifier (cosine, 1600 it, strong augmentation) that
# also sees metaphase-condensed cells: half of the training cells are
# drawn as the real-look detector recipes draw them (shorter, wider,
# sister chromatids apart; configs/_base_/datasets/real_look.py), every
# crop of a cell alike. For naming the chromosomes of condensed real
# captures (`deepacc karyotype --classifier-checkpoint`); measured in
# benchmarks/README.md, "Real images".
_base_ = [
    './cos-cls_r18-c32_1600it-aug_gband-crops-cpu.py',
    '../_base_/datasets/real_look.py',
]

train_dataloader = dict(
    dataset=dict(condense={{_base_.real_look.condense}}, condense_rate=0.5))
