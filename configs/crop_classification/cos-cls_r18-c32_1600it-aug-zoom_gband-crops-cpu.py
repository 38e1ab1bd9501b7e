# The default crop classifier (cosine, 1600 it, strong augmentation) with
# Varifocal-Net's two views of each crop: the crop at the fixed scale
# (relative lengths kept) and the crop zoomed to fill the 96x32 canvas
# (its bands at their largest), one input channel each, both through the
# same backbone; the head reads their features side by side (twice the
# channels). Measured against the one-view default in
# configs/crop_classification/README.md.
_base_ = './cos-cls_r18-c32_1600it-aug_gband-crops-cpu.py'

views = ('global', 'zoom')
# The backbone (base_channels 32, three stages) gives 128 channels a view.
model = dict(num_views=len(views), head=dict(in_channels=len(views) * 128))
train_dataloader = dict(dataset=dict(views=views))
val_dataloader = dict(dataset=dict(views=views))
test_dataloader = dict(dataset=dict(views=views))
