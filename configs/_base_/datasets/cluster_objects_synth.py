# Foreground objects of synthetic metaphases (ClusterObjectDataset around
# SynthMetaphaseDataset): every training draw is a new cell split into
# its objects, each typed from what the generator placed. Training cells
# touch and overlap more often than the test cells (more clusters to
# learn from); val and test are fixed sets of other cells at the
# generator's default rates, so they are scored on what a user gets.
synth_size = (640, 480)
synth = dict(width=synth_size[0], height=synth_size[1], batch_effect=1.0)
train_synth = dict(synth, touch_rate=0.2, overlap_rate=0.1)
train_samples = 1000  # cells per "epoch" (the iteration loop ignores it)
val_samples = 20
test_samples = 100
batch_size = 4  # cells per iteration (~40 objects each)
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
            type='SynthMetaphaseDataset',
            num_samples=train_samples,
            seed=0,
            synth=train_synth),
        **objects))
held_out_loader = dict(
    batch_size=4,
    num_workers=1,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False))
val_dataloader = dict(
    **held_out_loader,
    dataset=dict(
        type='ClusterObjectDataset',
        test_mode=True,
        metaphases=dict(
            type='SynthMetaphaseDataset',
            num_samples=val_samples,
            seed=1001,
            synth=synth),
        **objects))
test_dataloader = dict(
    **held_out_loader,
    dataset=dict(
        type='ClusterObjectDataset',
        test_mode=True,
        metaphases=dict(
            type='SynthMetaphaseDataset',
            num_samples=test_samples,
            seed=1002,
            synth=synth),
        **objects))
val_evaluator = dict(type='ClusterTypeMetric')
test_evaluator = val_evaluator

# The metaphases' chromosome width goes into every checkpoint (meta
# 'chromosome_width'), where `--scale auto` finds it at inference.
custom_hooks = [dict(type='ChromosomeScaleHook')]
