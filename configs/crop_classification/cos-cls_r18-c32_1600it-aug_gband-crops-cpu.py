# Stronger training augmentation on top of the 1600-iteration cosine
# classifier: wider rotation, zoom and contrast, and the distortions of
# deepacc.datasets.crop_distortions (a stretch along the length, blur,
# gamma, pixel noise). None of them moves the p-arm or changes the class.
# Test: the crops as they are and flipped left-right, upside down and
# both, class and polarity probabilities averaged (the two flips that
# put the p-arm at the other end count their polarity the other way).
_base_ = './cos-cls_r18-c32_1600it_gband-crops-cpu.py'
model = dict(test_cfg=dict(flips=['horizontal', 'vertical', 'diagonal']))
train_dataloader = dict(
    dataset=dict(
        augment=dict(
            max_angle=20.0, zoom_range=(0.85, 1.15),
            contrast_range=(0.7, 1.3)),
        distort=dict(
            stretch_range=(0.9, 1.1),
            blur_prob=0.3,
            blur_sigma=(0.5, 1.0),
            gamma_range=(0.7, 1.4),
            noise_std=0.03)))
