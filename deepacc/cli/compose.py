"""``deepacc compose``: metaphases composed from labelled crops."""

import argparse

from deepacc.cli import add_cell_split_arguments


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from deepacc.synthesis.options import ComposeOptions

    d = ComposeOptions()
    parser.add_argument(
        '--crops',
        required=True,
        help='folder of cells/<cell>/clase<k>/*.tiff or '
        'with index.csv (path, cell_id, label), or the CSV',
    )
    parser.add_argument(
        '--out',
        required=True,
        help='dataset root: images/, annotations/all.json',
    )
    parser.add_argument(
        '--num-images',
        type=int,
        default=None,
        help='default: one image per cell',
    )
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--width', type=int, default=d.width)
    parser.add_argument('--height', type=int, default=d.height)
    parser.add_argument(
        '--scale',
        type=float,
        default=d.scale,
        help='resize factor of the crops',
    )
    parser.add_argument('--touch-rate', type=float, default=d.touch_rate)
    parser.add_argument('--overlap-rate', type=float, default=d.overlap_rate)
    parser.add_argument(
        '--background',
        choices=['auto', 'white', 'black'],
        default=d.background,
        help='crop background: white (G-band), black '
        '(Q-band) or auto-detected',
    )
    parser.add_argument('--noise', type=float, default=d.noise)
    parser.add_argument(
        '--batch-effect',
        type=float,
        default=d.batch_effect,
        help="per-image variation 0..1: size of all the cell's "
        'chromosomes, contrast, blur, background, noise',
    )
    parser.add_argument(
        '--density',
        type=float,
        default=d.density,
        help='fraction of the spread covered by chromosomes',
    )
    parser.add_argument(
        '--cell-split',
        choices=['train', 'val', 'test'],
        help='use only this part of the cells, split by cell id as '
        'ComposedMetaphaseDataset does (--cell-ratios, --cell-seed)',
    )
    add_cell_split_arguments(parser)
    parser.add_argument(
        '--split',
        type=float,
        nargs='+',
        metavar='RATIO',
        help='also split the written images into train/val/test json '
        '(by image: with --num-images above the number of cells, a cell '
        'can land in two splits; use --cell-split for held-out cells)',
    )
    parser.add_argument('--force', action='store_true')


def run(args: argparse.Namespace) -> int:
    from deepacc.datasets import cells_of_split, load_crops, read_crop_images
    from deepacc.synthesis import ComposeOptions, compose_dataset

    options = ComposeOptions(
        width=args.width,
        height=args.height,
        scale=args.scale,
        touch_rate=args.touch_rate,
        overlap_rate=args.overlap_rate,
        background=args.background,
        noise=args.noise,
        batch_effect=args.batch_effect,
        density=args.density,
    )
    try:
        index = load_crops(args.crops)
        cell_ids = list(index)
        if args.cell_split:
            cell_ids = cells_of_split(
                cell_ids,
                args.cell_split,
                args.cell_ratios,
                args.cell_seed,
                args.crops,
            )
            print(f'{args.cell_split} cells: {len(cell_ids)}')
        path = compose_dataset(
            read_crop_images(index, cell_ids),
            args.out,
            options,
            num_images=args.num_images,
            seed=args.seed,
            split=args.split,
            force=args.force,
            source=args.crops,
        )
    except (FileExistsError, ValueError) as exc:
        print(f'error: {exc}')
        return 1
    print(f'wrote {path}')
    if args.split:
        from deepacc.cli.synth import _print_split

        _print_split(path, len(args.split))
    return 0
