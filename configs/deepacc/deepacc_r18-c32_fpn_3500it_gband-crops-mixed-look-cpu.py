# The crops recipe trained on both looks: each training cell is drawn
# with the real-capture appearance of the real-look recipe (condensed
# chromosomes, capture degradation, nuclei and debris) with probability
# 0.5, and as the base recipe composes it otherwise. A detector trained on
# one look fails on the other (benchmarks/README.md, "Real images": the
# base recipe calls 33-42 chromosomes on the real 46,XY cells, the real
# look validates at mAP 11 on the base recipe's composed cells), so one
# training sees both. Val and test stay the base recipe's composed cells.
_base_ = './deepacc_r18-c32_fpn_3500it_gband-crops-real-look-cpu.py'

train_dataloader = dict(dataset=dict(compose=dict(real_look_rate=0.5)))
