# Foreground objects of metaphases composed from labelled G-band crops
# (ClusterObjectDataset around ComposedMetaphaseDataset), cells split
# 3:1:1 by cell id as in gband_crops_online.py, so val and test cells are
# never seen in training. Training layouts touch and overlap more often
# than the test layouts (more clusters to learn from). These crops have
# no debris or nuclei, so only the four chromosome types occur.
crops = '../shared/data/gband-crops'
canvas = (640, 480)
split = dict(split_ratios=(3, 1, 1), split_seed=0)
compose = dict(
    width=canvas[0],
    height=canvas[1],
    batch_effect=1.0,
    touch_rate=0.1,
    overlap_rate=0.03,
    density=0.2)
train_compose = dict(compose, touch_rate=0.2, overlap_rate=0.1)
train_samples = 920
test_layouts = 2  # layouts of each test cell
batch_size = 4
objects = dict(polarity='auto', min_area=12, patch_size=64)

custom_imports = dict(imports=['deepacc'], allow_failed_imports=False)

train_dataloader = dict(
    batch_size=batch_size,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='ClusterObjectDataset',
        metaphases=dict(
            type='ComposedMetaphaseDataset',
            crops=crops,
            cell_split='train',
            num_samples=train_samples,
            seed=0,
            compose=train_compose,
            **split),
        **objects))
held_out_loader = dict(
    batch_size=4,
    num_workers=1,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False))
held_out = dict(
    type='ComposedMetaphaseDataset', crops=crops, compose=compose, **split)
val_dataloader = dict(
    **held_out_loader,
    dataset=dict(
        type='ClusterObjectDataset',
        test_mode=True,
        metaphases=dict(**held_out, cell_split='val', seed=1001),
        **objects))
test_dataloader = dict(
    **held_out_loader,
    dataset=dict(
        type='ClusterObjectDataset',
        test_mode=True,
        metaphases=dict(
            **held_out,
            cell_split='test',
            layouts_per_cell=test_layouts,
            seed=1002),
        **objects))
val_evaluator = dict(type='ClusterTypeMetric')
test_evaluator = val_evaluator

# The metaphases' chromosome width goes into every checkpoint (meta
# 'chromosome_width'), where `--scale auto` finds it at inference.
custom_hooks = [dict(type='ChromosomeScaleHook')]
