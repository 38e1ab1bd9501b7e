"""``deepacc synth``: synthetic G-banded metaphases with COCO labels."""

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from deepacc.synthesis.options import SynthOptions

    d = SynthOptions()
    parser.add_argument(
        '--out',
        required=True,
        help='dataset root: images/, annotations/all.json',
    )
    parser.add_argument('--num-images', type=int, default=100)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--width', type=int, default=d.width)
    parser.add_argument('--height', type=int, default=d.height)
    parser.add_argument(
        '--batch-effect',
        type=float,
        default=d.batch_effect,
        help='0..1: per-image variation of chromosome length, width, '
        'contrast, blur, background, noise (default %(default)s)',
    )
    parser.add_argument('--touch-rate', type=float, default=d.touch_rate)
    parser.add_argument('--overlap-rate', type=float, default=d.overlap_rate)
    parser.add_argument(
        '--aneuploidy-rate', type=float, default=d.aneuploidy_rate
    )
    parser.add_argument(
        '--aneuploidies',
        nargs='+',
        default=list(d.aneuploidies),
        help='drawn uniformly: +N trisomies and sex '
        'complements (default: %(default)s)',
    )
    parser.add_argument('--male-rate', type=float, default=d.male_rate)
    parser.add_argument('--nucleus-rate', type=float, default=d.nucleus_rate)
    parser.add_argument('--debris', type=float, default=d.debris)
    parser.add_argument('--noise', type=float, default=d.noise)
    parser.add_argument(
        '--chromosome-scale', type=float, default=d.chromosome_scale
    )
    parser.add_argument(
        '--split',
        type=float,
        nargs='+',
        metavar='RATIO',
        help='also write annotations/{train,val,test}.json'
        ', e.g. --split 3 1 1',
    )
    parser.add_argument(
        '--force', action='store_true', help='overwrite an existing dataset'
    )


def run(args: argparse.Namespace) -> int:
    from deepacc.synthesis import generate_dataset

    try:
        path = generate_dataset(
            args.out,
            args.num_images,
            seed=args.seed,
            split=args.split,
            force=args.force,
            width=args.width,
            height=args.height,
            batch_effect=args.batch_effect,
            touch_rate=args.touch_rate,
            overlap_rate=args.overlap_rate,
            aneuploidy_rate=args.aneuploidy_rate,
            aneuploidies=tuple(args.aneuploidies),
            male_rate=args.male_rate,
            nucleus_rate=args.nucleus_rate,
            debris=args.debris,
            noise=args.noise,
            chromosome_scale=args.chromosome_scale,
        )
    except (FileExistsError, ValueError) as exc:
        print(f'error: {exc}')
        return 1
    print(f'wrote {args.num_images} images and {path}')
    if args.split:
        _print_split(path, len(args.split))
    return 0


def _print_split(path, num):
    import os.path as osp

    from deepacc.converters.split import SPLIT_NAMES, describe_split

    root = osp.dirname(path)
    print(
        describe_split(
            {n: osp.join(root, f'{n}.json') for n in SPLIT_NAMES[:num]}
        )
    )
