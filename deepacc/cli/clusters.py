"""``deepacc clusters``: find the objects of metaphases and type them.

Every connected foreground object of each image (G-band dark on light or
Q-band light on dark, detected per image unless ``--polarity`` says) is
classified by a trained cluster-type model (``configs/cluster_types/``)
as ``single``, ``touching``, ``overlapping``, ``touching+overlapping``,
``debris`` or ``nucleus``. Written to ``--out``:

- ``<stem>_clusters.png``: the image with every object outlined in its
  type's colour and labelled (singles with a grey ``S``);
- ``<stem>_clusters.json``: per object its type, score, area, bounding
  box ``[x, y, w, h]`` and outline, plus counts per type;

and ``clusters.csv``: one row per object of every image, and one row per
image that could not be processed, with the reason (not a readable
image, a blank image, no foreground). Those are also printed; the exit
status is 1 when no image could be processed.

A checkpoint is required (there is no untrained fallback: object
extraction alone cannot tell touching from overlapping); its config is
read from it unless ``--config`` is given. Existing output files are not
overwritten without ``--force``.
"""

import argparse
import csv
import os
import os.path as osp
import sys

OUTPUT_SUFFIXES = ('_clusters.png', '_clusters.json')
TABLE = 'clusters.csv'
FIELDS = (
    'image',
    'object',
    'type',
    'score',
    'area',
    'x',
    'y',
    'w',
    'h',
    'scale_factor',
    'error',
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        'inputs',
        nargs='+',
        metavar='IMAGES_OR_DIR',
        help='image files and/or folders of images',
    )
    parser.add_argument(
        '--out', required=True, help='output folder (created if missing)'
    )
    parser.add_argument(
        '--checkpoint',
        required=True,
        help='cluster-type checkpoint (tools/train.py on a config in '
        'configs/cluster_types/)',
    )
    parser.add_argument(
        '--config',
        default=None,
        help='its config (default: the one stored in the checkpoint)',
    )
    parser.add_argument(
        '--polarity',
        choices=('auto', 'dark', 'light'),
        default=None,
        help='dark objects on light (G-band) or light on dark (Q-band); '
        "default: the model's setting (auto: per image)",
    )
    parser.add_argument(
        '--min-area',
        type=int,
        default=None,
        help="smallest object in pixels (default: the model's setting)",
    )
    parser.add_argument(
        '--device', default='cpu', help='cpu, cuda or cuda:N (default: cpu)'
    )
    parser.add_argument(
        '--scale',
        default='auto',
        help="auto (default): read each image's objects at the model's "
        'training chromosome width (measured; an image with fewer than 3 '
        'chromosome-like objects is read as it is, and its JSON says '
        'so); none: as they are; a number: as if the image were resized '
        'by it',
    )
    parser.add_argument(
        '--no-shape',
        action='store_true',
        help="the model's types alone: do not call an object single when "
        'its outline is one unbranched band (by default a cluster call '
        'on such an object becomes single, and the JSON says so)',
    )
    parser.add_argument(
        '--no-pictures', action='store_true', help='write no overlay PNGs'
    )
    parser.add_argument(
        '--force',
        action='store_true',
        help='overwrite output files that already exist',
    )


def _is_our_output(name: str) -> bool:
    return name == TABLE or name.endswith(OUTPUT_SUFFIXES)


def run(args: argparse.Namespace) -> int:
    import cv2
    from tqdm import tqdm

    from deepacc.cli.karyotype import _warn, collect_inputs, output_stems
    from deepacc.clusters.inferencer import ClusterTyper
    from deepacc.clusters.objects import BlankImageError, NoForegroundError
    from deepacc.clusters.overlay import draw_clusters
    from deepacc.scale import parse_scale
    from deepacc.utils.image_io import ImageReadError

    try:
        scale = parse_scale(args.scale)
    except ValueError as err:
        print(f'error: --scale: {err}', file=sys.stderr)
        return 2
    files, missing = collect_inputs(args.inputs, args.out, _is_our_output)
    errors = [f'{path}: {reason}' for path, reason in missing]
    if not files:
        for message in errors:
            print(f'error: {message}', file=sys.stderr)
        print(f'error: no input files in {args.inputs}', file=sys.stderr)
        return 1
    stems = output_stems(files, args.out)
    suffixes = OUTPUT_SUFFIXES[1:] if args.no_pictures else OUTPUT_SUFFIXES
    targets = [
        [osp.join(args.out, stem + s) for s in suffixes] for stem in stems
    ]
    table = osp.join(args.out, TABLE)
    inputs_real = {osp.realpath(p) for p in files}
    clash = [
        t for t in sum(targets, []) + [table] if osp.realpath(t) in inputs_real
    ]
    if clash:
        print(
            f'error: output {clash[0]} is one of the inputs', file=sys.stderr
        )
        return 1
    exist = [t for t in sum(targets, []) + [table] if osp.exists(t)]
    if exist and not args.force:
        shown = ', '.join(exist[:3]) + (' ...' if len(exist) > 3 else '')
        print(
            f'error: {len(exist)} output file(s) exist ({shown}); pass '
            '--force to overwrite them',
            file=sys.stderr,
        )
        return 1
    typer = ClusterTyper(
        args.checkpoint,
        args.config,
        device=args.device,
        polarity=args.polarity,
        min_area=args.min_area,
        scale=scale,
        shape=not args.no_shape,
    )
    os.makedirs(args.out, exist_ok=True)
    rows = [dict(image=m.split(': ')[0], error=m) for m in errors]
    for message in errors:
        _warn(f'skipped {message}')
    done = 0
    for path, paths in tqdm(
        list(zip(files, targets)), desc='clusters', unit='img', file=sys.stderr
    ):
        try:
            record, _ = typer.predict(path)
        except (ImageReadError, BlankImageError, NoForegroundError) as err:
            message = str(err)
            if not message.startswith(path):
                message = f'{path}: {message}'
            _warn(f'skipped {message}')
            errors.append(message)
            rows.append(dict(image=path, error=message))
            continue
        if not args.no_pictures:
            picture = draw_clusters(cv2.imread(path, cv2.IMREAD_COLOR), record)
            if not cv2.imwrite(paths[0], picture):
                raise OSError(f'could not write {paths[0]}')
        _write_json(paths[-1], record)
        done += 1
        for obj in record['objects']:
            x, y, w, h = obj['bbox']
            rows.append(
                dict(
                    image=path,
                    object=obj['id'],
                    type=obj['type'],
                    score=obj['score'],
                    area=obj['area'],
                    x=x,
                    y=y,
                    w=w,
                    h=h,
                    scale_factor=record['scale']['factor'] or '',
                    error='',
                )
            )
    with open(table, 'w', newline='') as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS, restval='')
        writer.writeheader()
        writer.writerows(rows)
    num_objects = sum(1 for r in rows if not r.get('error'))
    print(
        f'clusters: {done} image(s) processed ({num_objects} objects), '
        f'{len(errors)} not; results in {args.out} (table: {table})'
    )
    for message in errors:
        print(f'  not processed: {message}')
    return 0 if done else 1


def _write_json(path: str, record: dict) -> None:
    import json

    with open(path, 'w') as f:
        json.dump(record, f, indent=1)
