# The generated-only recipe (deepacc_r18-c32_fpn_2100it_synth-real-look-
# wide-cpu.py) with the real look's sister chromatids drawn apart as real
# captures show them: every condensed chromosome separated, its chromatids
# splayed up to 0.4 of its width at the ends and a deeper light gap
# between them, on wider chromosomes. benchmarks/real_appearance.py
# --synth-look (5 images each; real dev cells / the wide recipe's look /
# this one): rows crossing a chromatid gap 44.6 / 12.3 / 39.7 %, solidity
# (area / convex hull) 0.945 / 0.986 / 0.935. Drawn as one piece, the
# real cells' X-shaped chromosomes were boxed in parts (8129A.013: 59
# calls for 46 chromosomes; benchmarks/README.md, "A model from generated
# cells alone").
_base_ = './deepacc_r18-c32_fpn_2100it_synth-real-look-wide-cpu.py'

condense = dict(
    _base_.train_dataloader.dataset.synth.condense,
    width=(1.4, 1.7),
    separated=1.0,
    splay=(0.0, 0.4),
    gap=(0.5, 0.9))
train_dataloader = dict(dataset=dict(synth=dict(condense=condense)))
