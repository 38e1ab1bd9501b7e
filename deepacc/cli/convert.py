"""``deepacc convert voc|yolo|labelme SRC --images DIR --out FILE.json``."""

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('format', choices=['voc', 'yolo', 'labelme'])
    parser.add_argument('src', help='annotation folder (or one file)')
    parser.add_argument('--images', required=True, help='image folder')
    parser.add_argument('--out', required=True, help='COCO json to write')
    parser.add_argument(
        '--names',
        default=None,
        help='yolo: classes.txt or data.yaml giving the '
        'name of each class id (default: canonical 0..23)',
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

    from deepacc.converters import CONVERTERS, ConversionError, write_coco

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
