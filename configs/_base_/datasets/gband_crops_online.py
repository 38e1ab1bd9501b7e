# Metaphases composed from labelled G-band crops in the data loader
# (deepacc's ComposedMetaphaseDataset): every training draw lays out a
# training cell anew with its own batch effect (size, contrast, blur,
# background, noise). Cells are split 3:1:1 by cell id, so val and test
# cells are never seen in training; val and test are fixed layouts
# (test_mode). `crops` is the development set beside the repository by
# default: pass --cfg-options crops=... (and the dataloaders' crops) or
# edit it for your own karyogram cut-outs.
crops = '../shared/data/gband-crops'
canvas = (640, 480)  # (width, height); the crops are about 1/3 of a
# 1600x1200 capture, so this is such a capture at that scale
split = dict(split_ratios=(3, 1, 1), split_seed=0)
compose = dict(
    width=canvas[0],
    height=canvas[1],
    batch_effect=1.0,
    touch_rate=0.1,
    overlap_rate=0.03,
    density=0.2)
train_samples = 920  # 10 layouts of each of the 92 training cells
test_layouts = 2  # layouts of each test cell
batch_size = 2

custom_imports = dict(imports=['deepacc'], allow_failed_imports=False)

train_pipeline = [
    dict(type='LoadImageFromNDArray'),
    dict(type='LoadChromosomeAnnotations', with_bbox=True),
    # Already this size: sets scale_factor (1.0) for the heads; change
    # the scale to train at another size than the images are made.
    dict(type='Resize', scale=canvas, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackChromosomeInputs')
]
test_pipeline = [
    dict(type='LoadImageFromNDArray'),
    dict(type='Resize', scale=canvas, keep_ratio=True),
    dict(type='LoadChromosomeAnnotations', with_bbox=True),
    dict(
        type='PackChromosomeInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor'))
]
train_dataloader = dict(
    batch_size=batch_size,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='ComposedMetaphaseDataset',
        crops=crops,
        cell_split='train',
        num_samples=train_samples,
        seed=0,
        pipeline=train_pipeline,
        compose=compose,
        **split))
# Val and test: fixed layouts (test_mode) of held-out cells.
held_out_loader = dict(
    batch_size=1,
    num_workers=1,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False))
held_out = dict(
    type='ComposedMetaphaseDataset',
    crops=crops,
    test_mode=True,
    pipeline=test_pipeline,
    compose=compose,
    **split)
val_dataloader = dict(
    **held_out_loader, dataset=dict(**held_out, cell_split='val', seed=1001))
test_dataloader = dict(
    **held_out_loader,
    dataset=dict(
        **held_out,
        cell_split='test',
        layouts_per_cell=test_layouts,
        seed=1002))
val_evaluator = dict(type='ChromosomeMetric')
test_evaluator = val_evaluator

# The training images' chromosome width goes into every checkpoint (meta
# 'chromosome_width'), where `--scale auto` finds it at inference.
custom_hooks = [dict(type='ChromosomeScaleHook')]
