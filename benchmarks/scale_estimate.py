"""The chromosome width reading across capture scales.

``--scale auto`` divides the model's training width by the width read
on the image (:func:`deepacc.scale.estimate_chromosome_width`). A capture
at half the size should read half the width, at twice the size twice;
whatever the reading adds or loses with the pixel size moves the factor.
For each set, the width read at 1x and the ratio of the 0.5x and 2x
readings to the expected half and double (1.000 is scale-free), the
image area-averaged down and enlarged bicubically:

- ``rods``: :func:`deepacc.testing.rods_of_width` 16 px wide (anti-
  aliased rods of known width);
- ``generated``: the shipped model's test cells (the generator, drawn
  1.8x);
- ``generated, real look``: generated cells with
  ``configs/_base_/datasets/real_look.py`` (condensed, chromatids apart,
  degraded);
- ``composed``: the crops recipe's held-out composed cells (needs
  ``../shared/data/gband-crops``);
- ``real``: the 5 real metaphases (``../shared/data/real-metaphases``).

Two readings: ``one pass`` (``reference=None``, how checkpoints without
``chromosome_width_reference`` were measured) and ``at the reference``
(the default since session 15). Usage::

    python benchmarks/scale_estimate.py [--num 6]

Prints a markdown table (benchmarks/README.md, "Reading the width at a
reference size").
"""

import argparse
import glob
import os.path as osp
import sys
import time

import numpy as np

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from _common import REPO_ROOT  # noqa: E402

DATA = osp.join(REPO_ROOT, '..', 'shared', 'data')
GENERATED_CFG = (
    'configs/deepacc/'
    'deepacc_r18-c32_fpn_2100it_synth-real-look-wide-gaps-cpu.py'
)
COMPOSED_CFG = 'configs/deepacc/deepacc_r18-c32_fpn_3500it_gband-crops-cpu.py'
READINGS = (('one pass', None), ('at the reference', 'default'))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--num', type=int, default=6, help='images per made set'
    )
    parser.add_argument('--data', default=DATA, help='the shared data folder')
    return parser.parse_args()


def test_cells(config: str, num: int) -> list:
    """The first ``num`` test images of a config, as the model sees
    them."""
    from mmdet.registry import DATASETS
    from mmengine.config import Config

    dataset = DATASETS.build(Config.fromfile(config).test_dataloader.dataset)
    return [
        np.ascontiguousarray(dataset[i]['inputs'].permute(1, 2, 0).numpy())
        for i in range(min(num, len(dataset)))
    ]


def real_look_cells(num: int) -> list:
    from deepacc.synthesis.metaphase import render_metaphase
    from deepacc.synthesis.options import SynthOptions
    from deepacc.testing import get_config

    look = get_config('_base_/datasets/real_look.py').real_look
    options = SynthOptions(
        width=640,
        height=480,
        chromosome_scale=1.4,
        condense=look['condense'],
        degrade=look['degrade'],
    )
    return [
        render_metaphase(np.random.default_rng(seed), options)[0]
        for seed in range(num)
    ]


def main() -> int:
    args = parse_args()
    from mmdet.utils import register_all_modules

    import deepacc  # noqa: F401
    from deepacc.scale import estimate_chromosome_width, resize_by
    from deepacc.testing import rods_of_width
    from deepacc.utils.image_io import read_image

    register_all_modules(init_default_scope=True)
    start = time.time()
    sets = {
        'rods (16 px)': [rods_of_width(16.0)],
        'generated': test_cells(GENERATED_CFG, args.num),
        'generated, real look': real_look_cells(args.num),
    }
    if osp.isdir(osp.join(args.data, 'gband-crops')):
        sets['composed'] = test_cells(COMPOSED_CFG, args.num)
    real = sorted(
        glob.glob(osp.join(args.data, 'real-metaphases', 'images', '*'))
    )
    if real:
        sets['real'] = [read_image(path) for path in real]
    print(
        '| set | images | reading | width at 1x (px) | 0.5x / expected '
        '| 2x / expected | seconds per image |\n|---|--:|---|--:|--:|--:|--:|'
    )
    for name, images in sets.items():
        for label, reference in READINGS:
            kwargs = {} if reference == 'default' else dict(reference=None)
            rows, seconds = [], 0.0
            for image in images:
                tick = time.time()
                full = estimate_chromosome_width(image, **kwargs)
                seconds += time.time() - tick
                half = estimate_chromosome_width(
                    resize_by(image, 0.5), **kwargs
                )
                double = estimate_chromosome_width(
                    resize_by(image, 2.0), **kwargs
                )
                rows.append((full, half / full / 0.5, double / full / 2.0))
            rows = np.array(rows)
            print(
                f'| {name} | {len(images)} | {label} '
                f'| {np.median(rows[:, 0]):.2f} '
                f'| {np.median(rows[:, 1]):.3f} '
                f'({rows[:, 1].min():.3f}-{rows[:, 1].max():.3f}) '
                f'| {np.median(rows[:, 2]):.3f} '
                f'({rows[:, 2].min():.3f}-{rows[:, 2].max():.3f}) '
                f'| {seconds / len(images):.2f} |',
                flush=True,
            )
    print(f'\n{time.time() - start:.0f} s')
    return 0


if __name__ == '__main__':
    sys.exit(main())
