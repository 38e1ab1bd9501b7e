# Paper Table 1 (c): AAM loss only: the margin branch (bias-free cosine
# classifier, s * cos) is the classifier and there is no inference branch.
# Measured (benchmarks/README.md, "Table 1 ablation"): trained from scratch
# in the CPU recipe (s 64, m 0.25, weight 0.1, no plain CE on the classes)
# it does not learn to classify: test mAP 16.0 and no detection scores
# 0.5 after 2100 iterations. The paper's (c), with ImageNet weights, also
# loses mAP.
_base_ = './deepacc-aam-siamese_r101_fpn_2x_chromosome.py'
model = dict(roi_head=dict(bbox_head=dict(with_siamese=False)))
