"""Paper Table 1 ablation (a)-(f) on CPU-sized models, one dataset per run.

Each variant is the paper config of configs/deepacc (or configs/faster_rcnn
for (a)) with the CPU-sized backbone and widths of
``configs/faster_rcnn/faster-rcnn_r18_fpn_1x_chromosome-cpu.py`` (ResNet-18,
64-channel FPN, 256-wide FCs, 512x384, batch 2, no pretrained weights),
trained with ``tools/train.py`` for the same budget and seed, and evaluated
on the test split with ``tools/test.py`` (ChromosomeMetric). The table is
printed and written as Markdown.

    # synthetic metaphases with strong batch effects
    python benchmarks/ablation.py --dataset synth --out work_dirs/ablation
    # metaphases composed from labelled G-band crops (not shipped)
    python benchmarks/ablation.py --dataset crops \
        --crops ../shared/data/gband-crops --out work_dirs/ablation
"""

import argparse
import json
import os
import os.path as osp
import sys
import time

from deepacc.demo import demo_config_text, read_test_metrics, run_step
from deepacc.testing import (
    REPO_ROOT,
    config_path,
    get_config,
    shrink_model_cfg,
)

CPU_BASE = 'faster_rcnn/faster-rcnn_r18_fpn_1x_chromosome-cpu.py'
VARIANTS = {
    'a': ('Faster R-CNN', 'faster_rcnn/faster-rcnn_r101_fpn_2x_chromosome.py'),
    'b': (
        'Faster R-CNN (sep)',
        'deepacc/faster-rcnn-sep_r101_fpn_2x_chromosome.py',
    ),
    'c': ('+ AAM', 'deepacc/deepacc-aam_r101_fpn_2x_chromosome.py'),
    'd': ('+ siamese', 'deepacc/deepacc-siamese_r101_fpn_2x_chromosome.py'),
    'e': (
        'AAM + siamese',
        'deepacc/deepacc-aam-siamese_r101_fpn_2x_chromosome.py',
    ),
    'f': (
        'DeepACC (AAM + siamese + GIA)',
        'deepacc/deepacc_r101_fpn_2x_chromosome.py',
    ),
}
# Paper Table 1 (validation set, private data): mAP, mAP_max, AER, Acc.
PAPER = {
    'a': (90.82, 88.10, 18.09, 83.34),
    'b': (90.89, 88.23, 18.09, 83.33),
    'c': (87.76, 87.23, 17.64, 83.80),
    'd': (91.24, 88.63, 17.73, 83.56),
    'e': (91.28, 89.13, 16.56, 84.56),
    'f': (91.43, 89.38, 16.22, 84.85),
}
KEYS = ('mAP', 'mAP_max', 'AER', 'Acc', 'whole_cell_correct')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument(
        '--dataset', choices=('synth', 'crops'), default='synth'
    )
    parser.add_argument(
        '--crops',
        default=osp.join(REPO_ROOT, '..', 'shared', 'data', 'gband-crops'),
    )
    parser.add_argument('--out', default='work_dirs/ablation')
    parser.add_argument(
        '--num-images',
        type=int,
        default=100,
        help='synthetic images (crops: one per cell)',
    )
    parser.add_argument('--batch-effect', type=float, default=1.0)
    parser.add_argument('--epochs', type=int, default=4)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--variants', nargs='+', default=list(VARIANTS))
    return parser.parse_args()


def make_data(args, data_root):
    ann = osp.join(data_root, 'annotations', 'all.json')
    if osp.exists(ann):
        return
    if args.dataset == 'synth':
        from deepacc.synthesis import generate_dataset

        generate_dataset(
            data_root,
            args.num_images,
            seed=args.seed,
            split=(3, 1, 1),
            batch_effect=args.batch_effect,
        )
    else:
        from deepacc.synthesis import compose_dataset

        compose_dataset(args.crops, data_root, seed=args.seed, split=(3, 1, 1))


def variant_config(variant, data_root, epochs, seed):
    """Config text: the demo's training set-up on the CPU base, with the
    variant's model shrunk to the CPU widths."""
    model = shrink_model_cfg(
        get_config(VARIANTS[variant][1]).model.to_dict(),
        channels=64,
        fc_channels=256,
    )
    return (
        demo_config_text(config_path(CPU_BASE), data_root, epochs, seed)
        + f'model = dict(_delete_=True, **{model!r})\n'
    )


def main():
    args = parse_args()
    out = osp.abspath(osp.join(args.out, args.dataset))
    data_root = osp.join(out, 'data')
    os.makedirs(out, exist_ok=True)
    make_data(args, data_root)
    rows = {}
    for variant in args.variants:
        vdir = osp.join(out, variant)
        os.makedirs(vdir, exist_ok=True)
        config = osp.join(vdir, 'config.py')
        with open(config, 'w') as f:
            f.write(variant_config(variant, data_root, args.epochs, args.seed))
        start = time.time()
        name = f'({variant}) {VARIANTS[variant][0]}'
        run_step(
            f'{name}: training',
            [
                sys.executable,
                'tools/train.py',
                config,
                '--work-dir',
                osp.join(vdir, 'train'),
            ],
            osp.join(vdir, 'train.log'),
        )
        ckpt = osp.join(vdir, 'train', f'epoch_{args.epochs}.pth')
        run_step(
            f'{name}: testing',
            [
                sys.executable,
                'tools/test.py',
                config,
                ckpt,
                '--work-dir',
                osp.join(vdir, 'test'),
            ],
            osp.join(vdir, 'test.log'),
        )
        metrics = read_test_metrics(osp.join(vdir, 'test'))
        rows[variant] = {k: metrics.get(f'chromosome/{k}') for k in KEYS}
        rows[variant]['minutes'] = (time.time() - start) / 60
        print(
            f'[{variant}] '
            + ', '.join(
                f'{k} {100 * v:.2f}'
                for k, v in rows[variant].items()
                if k in KEYS and v is not None
            ),
            flush=True,
        )
    table = format_table(rows, args)
    print(table)
    with open(osp.join(out, 'ablation.md'), 'w') as f:
        f.write(table)
    with open(osp.join(out, 'ablation.json'), 'w') as f:
        json.dump(dict(args=vars(args), rows=rows), f, indent=1)
    return 0


def format_table(rows, args):
    head = (
        '| | variant | mAP | mAP_max | AER | Acc | whole-cell | '
        'paper mAP / mAP_max / AER / Acc | min |\n'
        '|---|---|---|---|---|---|---|---|---|\n'
    )
    lines = []
    for variant, row in rows.items():
        cells = [
            'n/a'
            if row[k] is None or row[k] != row[k]
            else f'{100 * row[k]:.2f}'
            for k in KEYS
        ]
        paper = ' / '.join(f'{v:.2f}' for v in PAPER[variant])
        lines.append(
            f'| ({variant}) | {VARIANTS[variant][0]} | '
            + ' | '.join(cells)
            + f' | {paper} | {row["minutes"]:.1f} |'
        )
    note = (
        f'\n{args.dataset} data, {args.epochs} epochs, seed '
        f'{args.seed}, CPU-sized models (ResNet-18, 64-ch FPN, '
        '512x384, batch 2, from scratch).\n'
    )
    return head + '\n'.join(lines) + '\n' + note


if __name__ == '__main__':
    sys.exit(main())
