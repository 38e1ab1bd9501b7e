# The default pair (cos-cls-pair_..._3200it-aug-zoom-straight), trained,
# then fine-tuned 400 iterations on a lab's own karyograms beside the
# crops it was trained on: a lab's karyograms carry its magnification,
# condensation, stain and optics, which the classifier has not seen.
# Cut them with `deepacc convert karyograms KARYOGRAMS --out LAB_CROPS`;
# then `deepacc classify train --config <this> --lab-crops LAB_CROPS
# --load-from PAIR/iter_3200.pth --crops CROPS --work-dir W` (or
# tools/train.py with --cfg-options load_from=...
# train_dataloader.dataset.lab_crops=...). Every lab cell is drawn 10
# times a pass beside the ~92 training cells. Leaving one of 5 real
# karyograms of another lab out and fine-tuning on the other 4 (about 5
# minutes on 2 cores each): benchmarks/README.md, "A lab's own
# karyograms".
_base_ = './cos-cls-pair_r18-c32_3200it-aug-zoom-straight_gband-crops-cpu.py'

# The lab's crops folder and the trained pair to start from: both must
# be given (the CLI's --lab-crops and --load-from).
lab_crops = None
load_from = None

max_iters = 400
warmup_iters = 20
lr = 3e-4
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
optim_wrapper = dict(optimizer=dict(lr=lr))
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=0.1,
        by_epoch=False,
        begin=0,
        end=warmup_iters),
    dict(
        type='CosineAnnealingLR',
        eta_min=lr * 0.01,
        by_epoch=False,
        begin=warmup_iters,
        end=max_iters)
]
default_hooks = dict(checkpoint=dict(interval=max_iters))
train_dataloader = dict(dataset=dict(lab_crops=lab_crops, lab_repeat=10))
