# Paper Table 1 (c): AAM loss only: the margin branch (bias-free cosine
# classifier, s * cos) is the classifier and there is no inference branch.
_base_ = './deepacc-aam-siamese_r101_fpn_2x_chromosome.py'
model = dict(roi_head=dict(bbox_head=dict(with_siamese=False)))
