# Two of the default classifier (cosine, two views, 3200 it, strong
# augmentation, test flips) trained together in one model: the first
# reads each crop as cut out, the second the crop with its bend laid out
# straight (deepacc/datasets/straighten.py; bent crops only, about one in
# ten). Their class and polarity probabilities are averaged. Measured
# against the default in configs/crop_classification/README.md.
_base_ = './cos-cls_r18-c32_3200it-aug-zoom_gband-crops-cpu.py'

_member = {{_base_.model}}
model = dict(
    _delete_=True,
    type='ChromosomeCropEnsemble',
    members=[_member, _member])
train_dataloader = dict(dataset=dict(straighten='both'))
val_dataloader = dict(dataset=dict(straighten='both'))
test_dataloader = dict(dataset=dict(straighten='both'))
