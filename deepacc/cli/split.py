"""``deepacc split FILE.json --ratios 3 1 1 --seed S``."""

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('ann_file', help='COCO json to split')
    parser.add_argument(
        '--ratios',
        type=float,
        nargs='+',
        default=[3, 1, 1],
        help="train val [test] weights (default 3 1 1, the paper's)",
    )
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--out-dir', default=None, help='default: next to the input'
    )
    parser.add_argument('--force', action='store_true')


def run(args: argparse.Namespace) -> int:
    from deepacc.converters.split import describe_split, split_coco

    try:
        paths = split_coco(
            args.ann_file,
            args.ratios,
            seed=args.seed,
            out_dir=args.out_dir,
            force=args.force,
        )
    except (FileExistsError, FileNotFoundError, ValueError) as exc:
        print(f'error: {exc}')
        return 1
    print(describe_split(paths))
    return 0
