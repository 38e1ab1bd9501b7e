# Cluster-type classifier for CPUs: mmdet's ResNet-18 with 8 base
# channels (0.2 M parameters) from scratch on 2-channel 64x64 object
# patches (opacity, mask), joined with 6 shape features, then a 2-layer
# MLP over the 6 types (single, touching, overlapping,
# touching+overlapping, debris, nucleus).
base_channels = 8
model = dict(
    type='ClusterTypeClassifier',
    backbone=dict(
        type='mmdet.ResNet',
        depth=18,
        in_channels=2,
        base_channels=base_channels,
        num_stages=4,
        out_indices=(3, ),
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=False,
        init_cfg=None),
    backbone_channels=base_channels * 8,
    hidden=128,
    # The cluster types are rare next to single chromosomes and debris.
    class_weight=[1.0, 2.0, 3.0, 3.0, 1.0, 1.0],
    augment=True)
