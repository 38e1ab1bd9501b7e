# Paper Table 1 (d): siamese inference branch only. The margin branch is
# still needed to pick local centres; it is trained without the angular
# margin (m = 0: normalised softmax loss, same scale and weight).
_base_ = './deepacc-aam-siamese_r101_fpn_2x_chromosome.py'
model = dict(roi_head=dict(bbox_head=dict(loss_margin=dict(margin=0.0))))
