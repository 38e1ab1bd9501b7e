# Two of the default classifier (cosine, two views, 3200 it, strong
# augmentation, test flips) trained together in one model: the first
# reads each crop as cut out, the second the crop with its bend laid out
# straight (deepacc/datasets/straighten.py; bent crops only, about one in
# ten). Their class and polarity probabilities are averaged. Every cell,
# in training and test alike, is brought to one median chromosome length
# (60 px as read, about the training cells' median: 53-71 px from the 5th
# to the 95th percentile) before the crop scale, as `CropClassifier`
# brings a new cell: a condensed cell's chromosomes then have the sizes
# of a prometaphase one (real condensed karyogram cut-outs: 73.0% per
# crop against 49.1% at one scale and the training width). Measured
# against the default in configs/crop_classification/README.md.
_base_ = './cos-cls_r18-c32_3200it-aug-zoom_gband-crops-cpu.py'

cell_length = 60.0

_member = {{_base_.model}}
model = dict(
    _delete_=True,
    type='ChromosomeCropEnsemble',
    members=[_member, _member])
train_dataloader = dict(
    dataset=dict(straighten='both', cell_length=cell_length))
val_dataloader = dict(dataset=dict(straighten='both', cell_length=cell_length))
test_dataloader = dict(dataset=dict(straighten='both', cell_length=cell_length))
