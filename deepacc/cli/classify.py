"""``deepacc classify``: type and polarity of single-chromosome crops.

Three modes:

- ``train``: trains a crop-classification config (default: the cosine
  classifier with a global and a zoomed view of each crop,
  ``configs/crop_classification/cos-cls_r18-c32_3200it-aug-zoom_gband-
  crops-cpu.py``, 3200 iterations, strong augmentation, test-time
  flips: the best measured on the development crops, ahead of the
  DeepACC head; configs/crop_classification/README.md) through
  mmengine's Runner on ``--crops``, cells split
  by cell id (``--cell-ratios``, ``--cell-seed``), and writes the
  checkpoint and the resolved config to ``--work-dir``;
- ``evaluate``: a checkpoint on one part of a crop set (default the test
  cells of the same split): per-crop accuracy, per-class F1, polarity
  accuracy, whole-cell karyotypes right (ISCN strings), and
  ``confusion_matrix.png`` / ``.csv``, ``karyotypes.csv`` and
  ``metrics.json`` in ``--out``;
- ``predict``: class, score, polarity and its confidence for every crop
  under a folder, and each cell's karyotype, written as CSV or JSON (by
  ``--out``'s extension). Crops in one cell folder (the first folder
  under the input, or under its ``cells/``) are taken as one cell: the
  siamese branch chooses its local class centres among them
  (``--cell-size`` caps a group).

A cell's crops are read together as a karyotype by default (two of each
autosome, XX or XY, aneuploidies where the probabilities say so:
:func:`deepacc.classification.read_cell`); ``--independent`` keeps each
crop's own most probable class. ``evaluate`` reports both readings.

Crop layouts: ``cells/<cell>/clase<k>/*.tiff``, an index CSV with
``path,cell_id,label``, or class folders with the cell id in the file
name (``--cell-pattern``). A bad entry (not an image, an empty class
folder, a label that is not 1-22/X/Y) stops the run naming the file, or
is reported and left out with ``--skip-invalid``. Nothing is overwritten
without ``--force``.
"""

import argparse
import json
import os
import os.path as osp
import sys

from deepacc.cli import add_cell_split_arguments, parse_cfg_options

DEFAULT_CONFIG = (
    'crop_classification/'
    'cos-cls-pair_r18-c32_3200it-aug-zoom-straight_gband-crops-cpu.py'
)
SPLITS = ('train', 'val', 'test')


def _crop_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        '--crops',
        required=True,
        help='folder of cells/<cell>/clase<k>/*.tiff, with index.csv '
        '(path,cell_id,label), or of class folders; or the CSV',
    )
    parser.add_argument(
        '--cell-pattern',
        help='class-folder layout: regex whose group "cell" (or first '
        'group) finds the cell id in a file name (default: the name up '
        'to its first "_", "-" or ".")',
    )
    add_cell_split_arguments(parser)
    parser.add_argument(
        '--skip-invalid',
        action='store_true',
        help='report and leave out bad crops instead of stopping',
    )
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        default=None,
        metavar='KEY=VALUE',
        help='config overrides, as for tools/train.py',
    )


def _independent_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        '--independent',
        action='store_true',
        help="each crop's own most probable class, instead of the cell's "
        'crops read together as a karyotype',
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    modes = parser.add_subparsers(dest='mode', metavar='MODE')
    modes.required = True

    train = modes.add_parser(
        'train', help='train a crop classifier through the Runner'
    )
    train.add_argument(
        '--config',
        default=DEFAULT_CONFIG,
        help='config file, or a path relative to configs/ '
        f'(default: {DEFAULT_CONFIG})',
    )
    train.add_argument('--work-dir', required=True)
    train.add_argument(
        '--iters', type=int, help='training iterations (default: config)'
    )
    train.add_argument('--seed', type=int, default=0)
    train.add_argument(
        '--lab-crops',
        help="a lab's own crops (e.g. its karyograms cut by `deepacc "
        'convert karyograms`): every cell joins the training cells '
        '(the config sets how often each is drawn, lab_repeat)',
    )
    train.add_argument(
        '--load-from',
        help='start from this checkpoint (fine-tuning a trained '
        'classifier, e.g. with the lab-karyograms config)',
    )
    train.add_argument(
        '--validate',
        action='store_true',
        help='evaluate the val cells at the end of training',
    )
    train.add_argument('--force', action='store_true')
    _crop_arguments(train)

    evaluate = modes.add_parser(
        'evaluate', help='accuracy, per-class F1, polarity, confusion PNG'
    )
    evaluate.add_argument('config')
    evaluate.add_argument('checkpoint')
    evaluate.add_argument('--out', required=True, help='output folder')
    evaluate.add_argument(
        '--cell-split',
        choices=list(SPLITS) + ['all'],
        default='test',
        help='which cells to evaluate (default: test)',
    )
    _independent_argument(evaluate)
    evaluate.add_argument('--force', action='store_true')
    _crop_arguments(evaluate)

    predict = modes.add_parser(
        'predict', help='classify a folder of crops (CSV or JSON out)'
    )
    predict.add_argument('config')
    predict.add_argument('checkpoint')
    predict.add_argument('inputs', help='folder of crops (recursive)')
    predict.add_argument(
        '--out', required=True, help='results file, .csv or .json'
    )
    predict.add_argument('--device', default='cpu')
    predict.add_argument(
        '--cell-size',
        type=int,
        default=64,
        help='most crops classified together as one cell (default: 64)',
    )
    predict.add_argument(
        '--skip-invalid',
        action='store_true',
        help='report and leave out unreadable files instead of stopping',
    )
    _independent_argument(predict)
    predict.add_argument(
        '--scale',
        default='auto',
        help="auto (default): resize each cell's crops so their median "
        "chromosome length matches the config's cell_length (when it has "
        "one), else their measured chromosome width the model's training "
        "width; none: the config's crop scale; a number: that factor on "
        'top of it',
    )
    predict.add_argument('--force', action='store_true')


def run(args: argparse.Namespace) -> int:
    try:
        return {'train': train, 'evaluate': evaluate, 'predict': predict}[
            args.mode
        ](args)
    except (FileExistsError, FileNotFoundError, ValueError) as exc:
        print(f'error: {exc}', file=sys.stderr)
        return 1


def _load_config(path: str, args: argparse.Namespace):
    """The config with the crop set, split and overrides of ``args``."""
    from mmengine.config import Config

    from deepacc.utils import get_config_path

    if not osp.isfile(path) and osp.isfile(get_config_path(path)):
        path = get_config_path(path)
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path}: no such config')
    cfg = Config.fromfile(path)
    options = parse_cfg_options(getattr(args, 'cfg_options', None))
    if options:
        cfg.merge_from_dict(options)
    if getattr(args, 'crops', None):
        for split in SPLITS:
            cfg[f'{split}_dataloader'].dataset.update(
                crops=args.crops,
                cell_pattern=args.cell_pattern,
                skip_invalid=args.skip_invalid,
                split_ratios=tuple(args.cell_ratios),
                split_seed=args.cell_seed,
            )
    return cfg


def _set_iters(cfg, iters: int) -> None:
    """Shorten or lengthen the iteration schedule, warm-up included."""
    cfg.train_cfg.max_iters = iters
    cfg.train_cfg.val_interval = iters
    schedulers = cfg.get('param_scheduler') or []
    if len(schedulers) == 2:
        warmup = min(schedulers[0].end, max(iters // 2, 1))
        schedulers[0].end = schedulers[1].begin = warmup
        schedulers[1].end = max(iters, warmup + 1)
    hooks = cfg.default_hooks
    hooks.checkpoint.interval = iters
    hooks.logger.interval = min(hooks.logger.interval, iters)


def _check_free(path: str, force: bool) -> None:
    if osp.exists(path) and not force:
        raise FileExistsError(f'{path} exists (use --force to overwrite)')


def train(args: argparse.Namespace) -> int:
    from mmengine.runner import Runner

    import deepacc  # noqa: F401

    cfg = _load_config(args.config, args)
    if osp.isdir(args.work_dir) and os.listdir(args.work_dir):
        _check_free(args.work_dir, args.force)
    cfg.work_dir = args.work_dir
    cfg.randomness = dict(seed=args.seed)
    if args.iters:
        _set_iters(cfg, args.iters)
    if args.lab_crops:
        cfg.train_dataloader.dataset.lab_crops = args.lab_crops
    if args.load_from:
        if not osp.isfile(args.load_from):
            raise FileNotFoundError(f'{args.load_from}: no such checkpoint')
        cfg.load_from = args.load_from
    # A config made to fine-tune on a lab's crops names lab_crops (None
    # until given) and wants a trained classifier to start from.
    if 'lab_crops' in cfg:
        if not cfg.train_dataloader.dataset.get('lab_crops'):
            raise ValueError(
                f"{args.config} trains on a lab's own crops: pass "
                '--lab-crops (cut them with `deepacc convert karyograms`)'
            )
        if not cfg.get('load_from'):
            raise ValueError(
                f'{args.config} fine-tunes a trained classifier: pass '
                '--load-from (its checkpoint)'
            )
    if not args.validate:
        cfg.train_cfg.val_interval = cfg.train_cfg.max_iters + 1
    runner = Runner.from_cfg(cfg)
    dataset = runner.train_dataloader.dataset
    lab = (
        f' and {len(dataset.lab_cells)} lab cells' if dataset.lab_cells else ''
    )
    print(
        f'training on {len(dataset.cell_ids)} cells{lab} '
        f'({dataset.num_crops} crops) for {cfg.train_cfg.max_iters} '
        'iterations'
    )
    runner.train()
    ckpt = osp.join(args.work_dir, f'iter_{cfg.train_cfg.max_iters}.pth')
    config = osp.join(args.work_dir, 'config.py')
    cfg.dump(config)
    print(f'checkpoint: {ckpt}\nconfig: {config}')
    return 0


def evaluate(args: argparse.Namespace) -> int:
    import csv

    import torch
    from mmengine.runner import Runner

    from deepacc.classification import cell_karyotype, compare_readings
    from deepacc.evaluation.metrics.crop_classification_metric import (
        classwise_table,
        save_crop_confusion,
    )

    metrics_path = osp.join(args.out, 'metrics.json')
    _check_free(metrics_path, args.force)
    cfg = _load_config(args.config, args)
    cfg.test_dataloader.dataset.cell_split = args.cell_split
    cfg.work_dir = osp.join(args.out, 'runner')
    cfg.load_from = args.checkpoint
    runner = Runner.from_cfg(cfg)
    runner.load_or_resume()
    runner.model.eval()
    results = []
    with torch.no_grad():
        for batch in runner.test_dataloader:
            results += runner.model.test_step(batch)
    readings = compare_readings(results)
    reading = 'independent' if args.independent else 'joint'
    scores = readings[reading]['scores']
    right = {k: v['karyotypes_right'] for k, v in readings.items()}
    os.makedirs(args.out, exist_ok=True)
    png, csv_path = save_crop_confusion(scores['confusion'], args.out)
    cells_path = osp.join(args.out, 'karyotypes.csv')
    with open(cells_path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(['cell', 'crops', 'true', 'joint', 'independent'])
        for k, result in enumerate(results):
            writer.writerow(
                [result.get('cell_id', k), len(result['gt_labels'])]
                + [
                    cell_karyotype(labels)
                    for labels in (
                        result['gt_labels'],
                        readings['joint']['labels'][k],
                        readings['independent']['labels'][k],
                    )
                ]
            )
    summary = dict(
        cell_split=args.cell_split,
        cells=len(results),
        crops=scores['num_crops'],
        reading=reading,
        accuracy=scores['accuracy'],
        macro_f1=scores['macro_f1'],
        polarity_acc=scores['polarity_acc'],
        polarity_crops=scores['num_polarity'],
        karyotypes_right=right[reading],
        readings={
            name: dict(
                accuracy=v['scores']['accuracy'],
                macro_f1=v['scores']['macro_f1'],
                karyotypes_right=v['karyotypes_right'],
            )
            for name, v in readings.items()
        },
        f1={
            name: float(v)
            for name, v in zip(
                runner.test_dataloader.dataset.metainfo['classes'],
                scores['f1'],
            )
        },
    )
    with open(metrics_path, 'w') as f:
        json.dump(summary, f, indent=1)
    joint, independent = readings['joint'], readings['independent']
    print(classwise_table(scores))
    print(
        f'{args.cell_split} cells: {len(results)}, crops: '
        f'{scores["num_crops"]}\n'
        'type accuracy per crop: joint '
        f'{100 * joint["scores"]["accuracy"]:.2f}%, independent '
        f'{100 * independent["scores"]["accuracy"]:.2f}%\n'
        f'karyotypes right (ISCN) per cell: joint {right["joint"]} of '
        f'{len(results)}, independent {right["independent"]} of '
        f'{len(results)}\n'
        f'{reading} reading: accuracy {100 * scores["accuracy"]:.2f}%'
        f'  macro F1 {100 * scores["macro_f1"]:.2f}%  polarity '
        f'{100 * scores["polarity_acc"]:.2f}% '
        f'({scores["num_polarity"]} crops)\n'
        f'wrote {metrics_path}, {cells_path}, {png}, {csv_path}'
    )
    return 0


def cell_groups(root: str, files, cell_size: int = 64):
    """Crops grouped by cell for prediction.

    The cell of a file is the first folder of its path under ``root``
    (under ``root/cells`` when that exists, the karyogram cut-out
    layout); files directly in ``root`` form one group. Groups are cut
    into pieces of at most ``cell_size``.

    Args:
        root (str): The input folder (or a single file).
        files (list[str]): Image files under it.
        cell_size (int): Most crops per group.

    Returns:
        list[tuple[str, list[str]]]: (cell name, files) in file order.
    """
    base = root if osp.isdir(root) else osp.dirname(root)
    if osp.isdir(osp.join(base, 'cells')):
        base = osp.join(base, 'cells')
    by_cell = {}
    for path in files:
        parts = osp.relpath(path, base).split(os.sep)
        cell = parts[0] if len(parts) > 1 else '.'
        by_cell.setdefault(cell, []).append(path)
    size = max(int(cell_size), 1)
    return [
        (cell, paths[k : k + size])
        for cell, paths in by_cell.items()
        for k in range(0, len(paths), size)
    ]


def predict(args: argparse.Namespace) -> int:
    import csv

    from tqdm import tqdm

    from deepacc.classification import CropClassifier
    from deepacc.datasets.crop_sets import list_images
    from deepacc.datasets.crops import read_crop
    from deepacc.karyotype.assignment import DEFAULT_PENALTIES
    from deepacc.scale import parse_scale

    if not args.out.lower().endswith(('.csv', '.json')):
        raise ValueError(f'{args.out}: --out must end in .csv or .json')
    _check_free(args.out, args.force)
    if not osp.exists(args.inputs):
        raise FileNotFoundError(f'{args.inputs}: no such file or folder')
    files = list_images(args.inputs)
    if not files:
        raise ValueError(f'{args.inputs}: no image files')
    classifier = CropClassifier(
        _load_config(args.config, args),
        args.checkpoint,
        args.device,
        penalties=None if args.independent else DEFAULT_PENALTIES,
        scale=parse_scale(args.scale),
    )
    rows, cells, skipped = [], [], []
    groups = cell_groups(args.inputs, files, args.cell_size)
    bar = tqdm(total=len(files), desc='classify', unit='crop', file=sys.stderr)
    for cell, paths in groups:
        grays, names = [], []
        for path in paths:
            try:
                grays.append(read_crop(path))
            except ValueError as exc:
                if not args.skip_invalid:
                    raise
                skipped.append(str(exc))
                tqdm.write(f'skipped {exc}', file=sys.stderr)
                continue
            names.append(
                osp.relpath(path, args.inputs)
                if osp.isdir(args.inputs)
                else path
            )
        bar.update(len(paths))
        if not grays:
            continue
        record = classifier(grays, names)
        cells.append(
            dict(
                cell=cell,
                karyotype=record['karyotype'],
                crops=record['num_crops'],
                relabelled=record['relabelled'],
                scale_factor=record['scale_factor'],
            )
        )
        for item in record['crops']:
            rows.append(
                dict(
                    file=item.pop('file'),
                    cell=cell,
                    karyotype=record['karyotype'],
                    scale_factor=record['scale_factor'],
                    **item,
                )
            )
    bar.close()
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    if args.out.lower().endswith('.json'):
        with open(args.out, 'w') as f:
            json.dump(
                dict(
                    reading='independent' if args.independent else 'joint',
                    cells=cells,
                    crops=rows,
                    skipped=skipped,
                ),
                f,
                indent=1,
            )
    else:
        fields = ['file', 'cell', 'karyotype', 'class', 'score']
        fields += ['polarity', 'polarity_confidence', 'scale_factor']
        with open(args.out, 'w', newline='') as f:
            writer = csv.DictWriter(f, fieldnames=fields, restval='')
            writer.writeheader()
            writer.writerows(rows)
    print(
        f'classified {len(rows)} crop(s) in {len(groups)} group(s), '
        f'{len(skipped)} skipped; wrote {args.out}'
    )
    for message in skipped:
        print(f'  skipped {message}')
    return 0 if rows else 1
