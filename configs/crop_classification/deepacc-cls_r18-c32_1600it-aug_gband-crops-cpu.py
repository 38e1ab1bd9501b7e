# The DeepACC head (AAM + siamese per-cell local centres + GIA +
# polarity, as in deepacc-cls_r18-c32_800it) on the recipe of the best
# plain classifier: 1600 iterations, strong augmentation, test-time
# flips. Only the head differs from cos-cls_r18-c32_1600it-aug.
_base_ = './cos-cls_r18-c32_1600it-aug_gband-crops-cpu.py'
model = dict(
    head=dict(
        with_siamese=True,
        loss_gia=dict(
            _delete_=True, type='GroupInnerAdjacencyLoss', loss_weight=0.1),
        loss_margin=dict(margin=0.25, loss_weight=0.1)))
