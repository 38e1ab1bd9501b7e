# Baseline: neither AAM nor siamese local centres nor GIA. The head's
# margin branch without margin is then a plain cosine softmax classifier
# (s = 64); its loss gets the full weight 1.0 that the inference branch
# has in the DeepACC head, so only the method differs, not the weight.
_base_ = './deepacc-cls_r18-c32_800it_gband-crops-cpu.py'
model = dict(
    head=dict(
        with_siamese=False,
        loss_gia=None,
        loss_margin=dict(margin=0.0, loss_weight=1.0)))
