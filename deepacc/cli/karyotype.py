"""``deepacc karyotype``: detect, count and draw karyograms for images.

For every input image, written to ``--out``:

- ``<stem>_overlay.png``: the calls boxed on the image, coloured by
  Denver group, with class and score;
- ``<stem>_karyogram.png``: the calls cut out, upright, in the standard
  rows;
- ``<stem>.json``: the karyotype record (detections, per-class counts,
  ISCN string, flags);

and ``summary.csv``, one row per input (skipped inputs included, with the
reason). Inputs are image files or folders (their regular, non-hidden
files, not recursive); a file that is not a readable image is reported
and skipped, and the run goes on. The exit status is 1 only when no image
could be processed.

The cell is read as a whole by default (``--penalties``, see
:mod:`deepacc.karyotype.assignment`): a chromosome the detector was
unsure of counts where its class is short of a copy, and a third copy
next to a single neighbour is read as that neighbour when the detector
found it nearly as likely; the JSON keeps the calls' own karyotype
(``calls_karyotype``) and what the reading changed, and the CSV has
both strings. ``--calls-only`` reports the calls as they are.

With ``--clusters-checkpoint`` (a model of ``configs/cluster_types/``)
the JSON also holds the image's objects typed as single, touching,
overlapping... (``clusters``), each call says which object it lies in
(``object``, ``cluster_type``), and the overlay outlines the clusters.

With ``--classifier-checkpoint`` (a model of
``configs/crop_classification/``, ``deepacc classify train``) the
detector counts and the crop classifier names: every detection that may
become a call is cut out upright and the image's cut-outs are classified
together (:meth:`deepacc.karyotype.Karyotyper.name`); the JSON's
``classifier`` says how many were named and at what crop scale.

``--out`` may already exist and hold other files: only files with the
names above are written, and existing ones of those names are replaced
(so a re-run refreshes its results). An output name that is one of the
inputs is refused, two inputs with the same stem get ``_2``, ``_3``...
suffixes, and files in ``--out`` named like our outputs are not read as
inputs.
"""

import argparse
import csv
import os
import os.path as osp
import re
import sys

from deepacc.karyotype.assignment import DEFAULT_PENALTIES
from deepacc.karyotype.record import DEFAULT_NMS_IOU
from deepacc.pretrained import pretrained_detector

OUTPUT_SUFFIXES = ('_overlay.png', '_karyogram.png', '.json')
SUMMARY = 'summary.csv'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        'inputs',
        nargs='+',
        metavar='[CONFIG CHECKPOINT] IMAGES_OR_DIR',
        help='a detector config (.py) and its checkpoint, then image files '
        'and/or folders of images. Without a config: the shipped detector '
        '(deepacc/pretrained/, trained on generated cells alone)',
    )
    parser.add_argument(
        '--out', required=True, help='output folder (created if missing)'
    )
    parser.add_argument(
        '--device', default='cpu', help='cpu, cuda or cuda:N (default: cpu)'
    )
    parser.add_argument(
        '--score-thr',
        type=float,
        default=0.5,
        help='minimum score of a call (default: 0.5)',
    )
    parser.add_argument(
        '--nms-iou',
        type=float,
        default=DEFAULT_NMS_IOU,
        help='class-agnostic NMS IoU between calls (default: %(default)s; '
        "the paper's Acc and AER use 0.7)",
    )
    parser.add_argument(
        '--low-conf',
        type=float,
        default=0.7,
        help='flag calls scored below this (default: 0.7)',
    )
    parser.add_argument(
        '--penalties',
        type=float,
        nargs=2,
        default=None,
        metavar=('GAIN', 'LOSS'),
        help='whole-cell reading: cost (nats) of each copy more / fewer '
        'than a normal cell has (default: %g %g)' % DEFAULT_PENALTIES,
    )
    parser.add_argument(
        '--calls-only',
        action='store_true',
        help='report the calls as they are (no whole-cell reading)',
    )
    parser.add_argument(
        '--candidate-floor',
        type=float,
        default=None,
        help='the whole-cell reading never adds a detection scored under '
        'this (default 0.1)',
    )
    parser.add_argument(
        '--call-score',
        choices=('object', 'class'),
        default=None,
        help='what --score-thr applies to: object (1 - the background '
        'probability: is it a chromosome at all) or class (its top-1 class '
        "probability, the selection of the paper's Acc and AER). Default: "
        'object for models that give class probabilities, else class',
    )
    parser.add_argument(
        '--scale',
        default='auto',
        help='auto (default): resize each image so its chromosome width '
        "matches the model's training width; none: the config's test "
        'resize as written; a number: resize by that factor. The factor '
        'used goes into the JSON and the CSV',
    )
    parser.add_argument(
        '--no-pictures',
        action='store_true',
        help='write only the JSON records and the CSV',
    )
    parser.add_argument(
        '--clusters-checkpoint',
        default=None,
        help='also type every object (single / touching / overlapping...) '
        'with this cluster-type checkpoint (configs/cluster_types/) and '
        'say which calls lie in clusters (JSON and overlay)',
    )
    parser.add_argument(
        '--clusters-config',
        default=None,
        help='config of --clusters-checkpoint (default: stored in it)',
    )
    parser.add_argument(
        '--classifier-checkpoint',
        default=None,
        help='name the chromosomes with this crop classifier (deepacc '
        'classify train): the detector counts, each call is cut out '
        'upright and classified with the others of its cell',
    )
    parser.add_argument(
        '--classifier-config',
        default=None,
        help='config of --classifier-checkpoint (default: stored in it)',
    )
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        default=None,
        metavar='KEY=VALUE',
        help='config overrides, as for tools/test.py',
    )


def split_model_arguments(inputs):
    """``(config, checkpoint, images)`` from the positional arguments:
    a leading ``.py`` file is the config and the next argument its
    checkpoint; without one, the shipped detector
    (:func:`deepacc.pretrained.pretrained_detector`).

    Raises:
        ValueError: A config without a checkpoint and an image after it.
    """
    if inputs[0].endswith('.py'):
        if len(inputs) < 3:
            raise ValueError(
                f'{inputs[0]}: a config needs its checkpoint and at least '
                'one image after it'
            )
        return inputs[0], inputs[1], list(inputs[2:])
    config, checkpoint = pretrained_detector()
    return config, checkpoint, list(inputs)


def _is_our_output(name: str) -> bool:
    return name == SUMMARY or name.endswith(OUTPUT_SUFFIXES)


def collect_inputs(inputs, out_dir, is_output=None):
    """Files to process, and (path, reason) for inputs that are skipped.

    Folders give their regular, non-hidden files in sorted order; in the
    output folder, files named like our outputs (``is_output(name)``,
    by default this command's) are left out.
    """
    is_output = is_output or _is_our_output
    files, skipped = [], []
    out_real = osp.realpath(out_dir)
    for item in inputs:
        if osp.isdir(item):
            in_out = osp.realpath(item) == out_real
            for name in sorted(os.listdir(item)):
                path = osp.join(item, name)
                if name.startswith('.') or not osp.isfile(path):
                    continue
                if in_out and is_output(name):
                    continue
                files.append(path)
        elif osp.exists(item):
            files.append(item)
        else:
            skipped.append((item, 'no such file or folder'))
    return files, skipped


def output_stems(files, out_dir):
    """A unique output stem per file (``name``, ``name_2``, ...)."""
    used, stems = set(), []
    for path in files:
        base = osp.splitext(osp.basename(path))[0]
        base = re.sub(r'[^\w.\-]+', '_', base) or 'image'
        stem, k = base, 1
        while stem in used:
            k += 1
            stem = f'{base}_{k}'
        used.add(stem)
        stems.append(stem)
    return stems


def _warn(message: str) -> None:
    from tqdm import tqdm

    tqdm.write(f'warning: {message}', file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    import cv2
    from tqdm import tqdm

    from deepacc.chromosomes import CLASSES
    from deepacc.classification import CropClassifier
    from deepacc.cli import parse_cfg_options
    from deepacc.karyotype import Karyotyper, draw_karyogram, draw_overlay
    from deepacc.scale import parse_scale
    from deepacc.utils.image_io import ImageReadError

    try:
        args.scale = parse_scale(args.scale)
    except ValueError as err:
        print(f'error: --scale: {err}', file=sys.stderr)
        return 2
    if args.calls_only and args.penalties is not None:
        print(
            'error: --penalties and --calls-only exclude each other',
            file=sys.stderr,
        )
        return 2
    penalties = tuple(args.penalties or DEFAULT_PENALTIES)
    if min(penalties) < 0:
        print(
            f'error: --penalties must be >= 0, got {penalties}',
            file=sys.stderr,
        )
        return 2
    try:
        args.config, args.checkpoint, args.inputs = split_model_arguments(
            args.inputs
        )
    except (ValueError, FileNotFoundError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    cfg_options = parse_cfg_options(args.cfg_options)

    os.makedirs(args.out, exist_ok=True)
    files, skipped = collect_inputs(args.inputs, args.out)
    skipped = [f'{path}: {reason}' for path, reason in skipped]
    for message in skipped:
        _warn(f'skipped {message}')
    if not files:
        print(f'error: no input files in {args.inputs}', file=sys.stderr)
        return 1
    classifier = None
    if args.classifier_checkpoint:
        classifier = CropClassifier(
            args.classifier_config,
            args.classifier_checkpoint,
            device=args.device,
        )
    karyotyper = Karyotyper(
        args.config,
        args.checkpoint,
        device=args.device,
        score_thr=args.score_thr,
        nms_iou=args.nms_iou,
        low_conf=args.low_conf,
        penalties=None if args.calls_only else penalties,
        cfg_options=cfg_options,
        scale=args.scale,
        call_score=args.call_score,
        classifier=classifier,
        **(
            {}
            if args.candidate_floor is None
            else dict(candidate_floor=args.candidate_floor)
        ),
    )
    typer = None
    if args.clusters_checkpoint:
        from deepacc.clusters.inferencer import ClusterTyper

        typer = ClusterTyper(
            args.clusters_checkpoint, args.clusters_config, args.device
        )
    inputs_real = {osp.realpath(p) for p in files}
    rows, done = [], 0
    stems = output_stems(files, args.out)
    for path, stem in tqdm(
        list(zip(files, stems)), desc='karyotype', unit='img', file=sys.stderr
    ):
        targets = [osp.join(args.out, stem + s) for s in OUTPUT_SUFFIXES]
        clash = [t for t in targets if osp.realpath(t) in inputs_real]
        try:
            if clash:
                raise ImageReadError(
                    f'{path}: its output {clash[0]} is one '
                    'of the inputs; not overwritten'
                )
            record, image = karyotyper.predict(path)
        except ImageReadError as err:
            _warn(f'skipped {err}')
            skipped.append(str(err))
            rows.append(dict(image=path, error=str(err)))
            continue
        except Exception as err:  # noqa: BLE001  one bad image, not all
            message = f'{path}: inference failed ({type(err).__name__}: {err})'
            _warn(f'skipped {message}')
            skipped.append(message)
            rows.append(dict(image=path, error=message))
            continue
        if typer is not None:
            _add_clusters(record, image, typer)
        record['model'] = dict(config=args.config, checkpoint=args.checkpoint)
        record['outputs'] = {}
        if not args.no_pictures:
            overlay = draw_overlay(image, record)
            karyogram, _ = draw_karyogram(image, record)
            for target, picture in zip(targets[:2], (overlay, karyogram)):
                if not cv2.imwrite(target, picture):
                    raise OSError(f'could not write {target}')
            record['outputs'] = dict(
                overlay=osp.basename(targets[0]),
                karyogram=osp.basename(targets[1]),
            )
        _write_json(targets[2], record)
        done += 1
        rows.append(
            dict(
                image=path,
                total=record['total'],
                karyotype=record['karyotype'],
                calls_karyotype=record.get(
                    'calls_karyotype', record['karyotype']
                ),
                num_low_confidence=record['num_low_confidence'],
                scale_factor=record['scale']['factor'] or '',
                chromosome_width_px=record['scale']['image_width_px'] or '',
                flags='; '.join(record['flags']),
                json=osp.basename(targets[2]),
                error='',
                **{f'n_{c}': record['counts'][c] for c in CLASSES},
            )
        )
    fields = [
        'image',
        'total',
        'karyotype',
        'calls_karyotype',
        'num_low_confidence',
        'scale_factor',
        'chromosome_width_px',
        'flags',
        'json',
        'error',
    ] + [f'n_{c}' for c in CLASSES]
    summary = osp.join(args.out, SUMMARY)
    with open(summary, 'w', newline='') as f:
        writer = csv.DictWriter(f, fieldnames=fields, restval='')
        writer.writeheader()
        writer.writerows(rows)
    print(
        f'karyotype: {done} image(s) processed, {len(skipped)} skipped; '
        f'results in {args.out} (summary: {summary})'
    )
    for message in skipped:
        print(f'  skipped {message}')
    return 0 if done else 1


def _add_clusters(record: dict, image, typer) -> None:
    """The image's typed objects into the record (a flag when there are
    none to find)."""
    import numpy as np

    from deepacc.clusters.inferencer import objects_of_boxes
    from deepacc.clusters.objects import BlankImageError, NoForegroundError
    from deepacc.karyotype.record import attach_clusters

    try:
        clusters, objects = typer.predict(image)
    except (BlankImageError, NoForegroundError) as err:
        record['flags'].append(f'clusters: {err}')
        return
    boxes = np.asarray([d['bbox'] for d in record['detections']])
    attach_clusters(record, clusters, objects_of_boxes(boxes, objects))


def _write_json(path: str, record: dict) -> None:
    import json

    with open(path, 'w') as f:
        json.dump(record, f, indent=1)
