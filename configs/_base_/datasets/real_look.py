# The look of real captures (benchmarks/real_appearance.py on the 5 real
# dev cells, ../shared/data/real-metaphases, against the composed training
# cells; medians, before -> after with these options in the comments):
# metaphase-condensed chromosomes (shorter, wider, sister chromatids
# apart), a camera's blur and resolution loss, a white-levelled field with
# a slight illumination gradient, and some nuclei and debris
# (deepacc/synthesis/appearance.py). A data config takes the parts its
# image maker has: the composer `compose=dict(**real_look)`, the
# generator `condense` and `degrade` (it draws its own nuclei and debris).
real_look = dict(
    # Width / length 0.385 real vs 0.246 composed: about 1.5 times as
    # wide for its length; the real chromosome length (48 px) and width
    # (18.5 px) are what the crops' 66 x 16 px become at 0.7 x 1.15.
    condense=dict(
        length=(0.5, 0.7),
        width=(1.2, 1.45),
        jitter=0.05,
        # Rows crossing a chromatid gap: 45% real vs 16% composed.
        separated=0.8,
        splay=(0.0, 0.15),
        gap=(0.3, 0.7)),
    degrade=dict(
        # Edge width 0.165 of the chromosome's width real vs 0.152, and
        # Laplacian variance / contrast^2 0.032 vs 0.062: the real cells
        # are softer.
        blur=(0.2, 0.8),
        resolution=(1.0, 1.5),
        # Background 255 (saturated, no noise, no gradient left) real vs
        # 220 grey with 3.5 grey levels of noise composed: levelled to
        # white, mostly past saturation; the slight gradient is what
        # levelling hides on the real cells and other labs' captures
        # show.
        gradient=(0.0, 0.08),
        radial=0.3,
        white=(250, 280),
        # Chromosome grey 135 (contrast 0.47) real: the levelled cells
        # are lighter (152) without a darkening curve.
        gamma=(1.0, 1.3),
        noise=(0.5, 2.0),
        # JPEG blockiness 1.00 on the real cells: no JPEG here
        # (DegradeOptions.jpeg=(lo, hi) for captures that have it).
        jpeg=None),
    # The 5 real cells show no nuclei and no specks; a few here, so that
    # a detector trained on these cells leaves such things alone on
    # other labs' slides.
    clutter=dict(nuclei=0.3, debris=2.0, fibres=0.3))
