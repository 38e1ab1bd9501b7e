"""``deepacc compose``: metaphases composed from labelled crops."""

import argparse

from deepacc.cli import add_cell_split_arguments


def add_arguments(parser: argparse.ArgumentParser) -> None:
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
    parser.add_argument('--width', type=int, default=1024)
    parser.add_argument('--height', type=int, default=768)
    parser.add_argument(
        '--scale', type=float, default=1.0, help='resize factor of the crops'
    )
    parser.add_argument('--touch-rate', type=float, default=0.1)
    parser.add_argument('--overlap-rate', type=float, default=0.0)
    parser.add_argument(
        '--background',
        choices=['auto', 'white', 'black'],
        default='auto',
        help='crop background: white (G-band), black '
        '(Q-band) or auto-detected',
    )
    parser.add_argument('--noise', type=float, default=2.0)
    parser.add_argument(
        '--batch-effect',
        type=float,
        default=0.0,
        help="per-image variation 0..1: size of all the cell's "
        'chromosomes, contrast, blur, background, noise',
    )
    parser.add_argument(
        '--density',
        type=float,
        default=0.16,
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
    from deepacc.synthesis import compose_dataset
    from deepacc.synthesis.compose import cells_of_split, load_crops

    try:
        cells = None
        if args.cell_split:
            cells = cells_of_split(
                list(load_crops(args.crops)),
                args.cell_split,
                args.cell_ratios,
                args.cell_seed,
                args.crops,
            )
            print(f'{args.cell_split} cells: {len(cells)}')
        path = compose_dataset(
            args.crops,
            args.out,
            args.num_images,
            seed=args.seed,
            width=args.width,
            height=args.height,
            scale=args.scale,
            touch_rate=args.touch_rate,
            overlap_rate=args.overlap_rate,
            background=args.background,
            noise=args.noise,
            batch_effect=args.batch_effect,
            density=args.density,
            cells=cells,
            split=args.split,
            force=args.force,
        )
    except (FileExistsError, ValueError) as exc:
        print(f'error: {exc}')
        return 1
    print(f'wrote {path}')
    if args.split:
        from deepacc.cli.synth import _print_split

        _print_split(path, len(args.split))
    return 0
