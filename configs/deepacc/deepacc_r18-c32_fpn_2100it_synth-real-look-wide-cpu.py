# The generated-cells-only recipe (real look for half the training cells;
# no crops, so its weights may be shipped) with every chromosome drawn
# 1.8 times as large on the same 640x480 canvas: about 14 px wide instead
# of 9, the width of the crops models and of real captures brought to
# them. At 9 px `--scale auto` shrinks a real capture (14-21 px) to half
# its size, where the smallest chromosomes are a few pixels across and
# the width reading is coarse (benchmarks/README.md, "A model from
# generated cells alone"). Val and test are plain synthetic cells drawn
# at the same size.
_base_ = './deepacc_r18-c32_fpn_2100it_synth-real-look-cpu.py'

chromosome_scale = 1.8
train_dataloader = dict(
    dataset=dict(synth=dict(chromosome_scale=chromosome_scale)))
val_dataloader = dict(
    dataset=dict(synth=dict(chromosome_scale=chromosome_scale)))
test_dataloader = dict(
    dataset=dict(synth=dict(chromosome_scale=chromosome_scale)))
