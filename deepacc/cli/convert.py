"""``deepacc convert voc|yolo|labelme SRC --images DIR --out FILE.json``
(annotations to chromosome COCO) and ``deepacc convert karyograms SRC
--out CROPS`` (finished karyograms cut into a crop classifier's labelled
crops)."""

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        'format', choices=['voc', 'yolo', 'labelme', 'karyograms']
    )
    parser.add_argument(
        'src',
        help='annotation folder (or one file); karyograms: '
        'a karyogram image or a folder of them',
    )
    parser.add_argument('--images', help='image folder (voc, yolo, labelme)')
    parser.add_argument(
        '--out',
        required=True,
        help='COCO json to write; karyograms: the crops folder to write '
        '(cells/<page>/clase<k>/*.tiff and index.csv)',
    )
    parser.add_argument(
        '--names',
        default=None,
        help='yolo: classes.txt or data.yaml giving the '
        'name of each class id (default: canonical 0..23)',
    )
    parser.add_argument(
        '--min-line',
        type=int,
        default=60,
        help='karyograms: shortest slot underline in pixels (default 60)',
    )
    parser.add_argument(
        '--order',
        help="karyograms: the slots' names in page order, row by row, "
        'comma-separated (default 1,2,...,22,X,Y; e.g. X after 12: '
        '1,...,12,X,13,...,22,Y)',
    )
    parser.add_argument(
        '--skip-invalid',
        action='store_true',
        help='leave invalid records out and list them, instead of failing',
    )
    parser.add_argument(
        '--force', action='store_true', help='overwrite an existing output'
    )


def run(args: argparse.Namespace) -> int:
    import os.path as osp

    from deepacc.converters import (
        CONVERTERS,
        ConversionError,
        convert_karyograms,
        write_coco,
    )

    if args.format == 'karyograms':
        try:
            report = convert_karyograms(
                args.src,
                args.out,
                skip_invalid=args.skip_invalid,
                force=args.force,
                min_line=args.min_line,
                order=args.order.split(',') if args.order else None,
            )
        except (ValueError, OSError) as exc:  # ConversionError too
            print(f'error: {exc}')
            return 1
        print(report.summary())
        print(f'wrote {osp.join(args.out, "index.csv")}')
        return 0
    if not args.images:
        print(f'error: {args.format} needs --images (the image folder)')
        return 1
    if osp.exists(args.out) and not args.force:
        print(f'error: {args.out} exists; pass --force to overwrite it')
        return 1
    kwargs = dict(skip_invalid=args.skip_invalid)
    if args.format == 'yolo':
        kwargs['names'] = args.names
    elif args.names:
        print('error: --names is for yolo only')
        return 1
    try:
        coco, report = CONVERTERS[args.format](args.src, args.images, **kwargs)
        write_coco(coco, args.out, force=args.force)
    except (ConversionError, FileNotFoundError, FileExistsError) as exc:
        print(f'error: {exc}')
        return 1
    print(report.summary())
    print(f'wrote {args.out}')
    return 0
