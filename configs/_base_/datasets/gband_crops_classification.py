# Single-chromosome crops for ChromosomeCropClassifier: one item per cell
# (the siamese branch's local centres come from the crops of one cell),
# cells split 3:1:1 by cell id as in the composed-metaphase recipes, so
# val and test cells are never seen in training. Training draws turn each
# crop by 180 degrees at random (polarity target 0, else 1: crops are
# stored p-arm up), with a small rotation, zoom, mirror and contrast
# change; val and test turn a fixed half of each cell's crops. `crops` is
# the development set beside the repository: pass
# --cfg-options crops=... or `deepacc classify train --crops ...` for
# yours (cells/<cell>/clase<k>/*.tiff, an index CSV or class folders).
crops = '../shared/data/gband-crops'
# (height, width): the crops are ~20-160 px tall; at one scale for every
# crop (relative lengths kept) 96x32 at 0.75 trained faster and at least
# as well as 128x48 at 1.0 (configs/crop_classification/README.md).
input_size = (96, 32)
crop_scale = 0.75
split = dict(split_ratios=(3, 1, 1), split_seed=0)
cells_per_batch = 2

custom_imports = dict(imports=['deepacc'], allow_failed_imports=False)

crop_data = dict(
    type='ChromosomeCropDataset',
    crops=crops,
    input_size=input_size,
    scale=crop_scale,
    **split)
train_dataloader = dict(
    batch_size=cells_per_batch,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        **crop_data,
        cell_split='train',
        augment=dict(
            max_angle=10.0,
            zoom_range=(0.9, 1.1),
            contrast_range=(0.8, 1.2),
            mirror_prob=0.5)))
held_out_loader = dict(
    batch_size=cells_per_batch,
    num_workers=0,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'))
val_dataloader = dict(
    **held_out_loader,
    dataset=dict(**crop_data, cell_split='val', test_mode=True, seed=1001))
test_dataloader = dict(
    **held_out_loader,
    dataset=dict(**crop_data, cell_split='test', test_mode=True, seed=1002))
val_evaluator = dict(type='CropClassificationMetric')
test_evaluator = dict(type='CropClassificationMetric', classwise=True)

# The training crops' chromosome width goes into every checkpoint (meta
# 'chromosome_width'), where `deepacc classify predict --scale auto`
# finds it.
custom_hooks = [dict(type='ChromosomeScaleHook')]
