# The default crop classifier (the straightening pair, 3200 it) that also
# sees metaphase-condensed cells: half of the training cells drawn as the
# real-look detector recipes draw them (shorter, wider, sister chromatids
# apart; configs/_base_/datasets/real_look.py), every crop of a cell
# alike, as the condensed one-view classifier does; every cell brought
# to the pair's median chromosome length, condensed or not. For naming
# the chromosomes of condensed real captures; measured in
# benchmarks/README.md, "Real images".
_base_ = [
    './cos-cls-pair_r18-c32_3200it-aug-zoom-straight_gband-crops-cpu.py',
    '../_base_/datasets/real_look.py',
]

train_dataloader = dict(
    dataset=dict(condense={{_base_.real_look.condense}}, condense_rate=0.5))
