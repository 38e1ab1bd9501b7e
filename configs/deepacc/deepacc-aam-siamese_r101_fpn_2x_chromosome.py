# Paper Table 1 (e): AAM loss + siamese inference branch, no GIA loss.
_base_ = './deepacc_r101_fpn_2x_chromosome.py'
model = dict(roi_head=dict(bbox_head=dict(loss_gia=None)))
