"""Crop classification: the cosine classifier and the DeepACC head (AAM
+ siamese local centres + GIA), schedules and augmentation, each model
tested without and with test-time flips and read per crop and as a
whole cell, on the CPU.

Every variant is a config of ``configs/crop_classification`` trained
through mmengine's Runner on the training cells of a 3:1:1 cell split of
the crops (``--train-cells N``: the first N of them, a learning curve)
and tested on the held-out test cells (whole cells, never crops, are
split). Each model runs in its own process with one torch thread
(``--jobs`` models at a time, default one). After training, the test
cells go through the model twice, without flips and with horizontal,
vertical and diagonal flips (``model.test_cfg.flips``), and both
readings are scored (:func:`deepacc.classification.compare_readings`):
type accuracy per crop (each crop's most probable class) and joint (the
cell read as a karyotype), polarity accuracy, and cells whose ISCN
string is right. Runs whose ``result.json`` is in ``--out`` are kept
(``--rerun`` trains them again). The table gives the mean and spread
(min-max) over the seeds, against Varifocal-Net's 98.05% / 99.09%, and
the training minutes per model.

The table of configs/crop_classification/README.md:

    python benchmarks/crop_classification.py \\
        --crops ../shared/data/gband-crops --seeds 0 \\
        --variants plain1600-aug deepacc1600-aug plain deepacc \\
        --out work_dirs/crops32/main --confusion benchmarks
"""

import argparse
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
import time

import numpy as np
from _common import REPO_ROOT

from deepacc.utils import get_config_path

VARIANTS = {
    'deepacc': (
        'AAM + siamese + GIA (DeepACC head)',
        'crop_classification/deepacc-cls_r18-c32_800it_gband-crops-cpu.py',
    ),
    'plain': (
        'cosine softmax (no AAM, no siamese, no GIA)',
        'crop_classification/cos-cls_r18-c32_800it_gband-crops-cpu.py',
    ),
    'aam': (
        'AAM only',
        'crop_classification/deepacc-cls-aam_r18-c32_800it_gband-crops-cpu.py',
    ),
    'siamese': (
        'siamese + GIA, no margin',
        'crop_classification/'
        'deepacc-cls-siamese_r18-c32_800it_gband-crops-cpu.py',
    ),
}
VARIANTS.update(
    {
        'plain1600': (
            'cosine softmax, 1600 it',
            'crop_classification/cos-cls_r18-c32_1600it_gband-crops-cpu.py',
        ),
        'plain1600-aug': (
            'cosine softmax, 1600 it, strong aug',
            'crop_classification/'
            'cos-cls_r18-c32_1600it-aug_gband-crops-cpu.py',
        ),
        'plain1600-aug-condensed': (
            'cosine softmax, 1600 it, strong aug, half the cells condensed',
            'crop_classification/'
            'cos-cls_r18-c32_1600it-aug-condensed_gband-crops-cpu.py',
        ),
        'plain1600-aug-zoom': (
            'cosine softmax, 1600 it, strong aug, global + zoomed view',
            'crop_classification/'
            'cos-cls_r18-c32_1600it-aug-zoom_gband-crops-cpu.py',
        ),
        'plain3200-aug-zoom': (
            'cosine softmax, 3200 it, strong aug, global + zoomed view',
            'crop_classification/'
            'cos-cls_r18-c32_3200it-aug-zoom_gband-crops-cpu.py',
        ),
        'pair3200-aug-zoom-straight': (
            'two of the 3200 it two-view cosine classifier, one reading '
            'the crops straightened',
            'crop_classification/'
            'cos-cls-pair_r18-c32_3200it-aug-zoom-straight_gband-crops-cpu.py',
        ),
        'deepacc1600-aug': (
            'DeepACC head, 1600 it, strong aug',
            'crop_classification/'
            'deepacc-cls_r18-c32_1600it-aug_gband-crops-cpu.py',
        ),
    }
)
VARIFOCAL = dict(type_acc=98.05, polarity_acc=99.09)
# Every model is tested on the crops as they are and averaged with these
# flips (the model's test_cfg; vertical and diagonal count polarity the
# other way round).
TTA_FLIPS = ('horizontal', 'vertical', 'diagonal')
TTA_NAME = 'h+v+d'


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--crops', default='../shared/data/gband-crops')
    parser.add_argument('--out', default='work_dirs/crops_bench')
    parser.add_argument(
        '--variants',
        nargs='+',
        default=['plain1600-aug', 'deepacc1600-aug', 'plain', 'deepacc'],
        choices=list(VARIANTS),
    )
    parser.add_argument('--seeds', type=int, nargs='+', default=[0])
    parser.add_argument('--iters', type=int, default=None)
    parser.add_argument('--jobs', type=int, default=1)
    parser.add_argument(
        '--confusion',
        help="also write the first model's confusion matrix (counts "
        'only, joint reading with test flips) to this folder',
    )
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        default=[],
        metavar='KEY=VALUE',
        help='config overrides for every model (e.g. another input size)',
    )
    parser.add_argument(
        '--train-cells',
        type=int,
        nargs='+',
        help='train on this many of the training cells (a learning '
        'curve; default all)',
    )
    parser.add_argument(
        '--rerun',
        action='store_true',
        help='train again runs whose result.json exists in --out',
    )
    parser.add_argument('--one', nargs=2, metavar=('VARIANT', 'SEED'))
    return parser.parse_args()


def evaluate(runner, flips) -> dict:
    """Both readings of the test cells with these test-time flips."""
    import torch

    from deepacc.classification import compare_readings

    model = runner.model
    model.test_cfg = dict(model.test_cfg, flips=list(flips))
    model.eval()
    results = []
    start = time.perf_counter()
    with torch.no_grad():
        for batch in runner.test_dataloader:
            results += model.test_step(batch)
    readings = compare_readings(results)
    crop, joint = readings['independent'], readings['joint']
    return dict(
        type_acc=100 * crop['scores']['accuracy'],
        macro_f1=100 * crop['scores']['macro_f1'],
        type_acc_joint=100 * joint['scores']['accuracy'],
        polarity_acc=100 * crop['scores']['polarity_acc'],
        cells_right=int(crop['karyotypes_right']),
        cells_right_joint=int(joint['karyotypes_right']),
        test_min=(time.perf_counter() - start) / 60,
        confusion=joint['scores']['confusion'],
    )


def run_one(args, variant: str, seed: int) -> dict:
    """Train one model in this process and test it without and with the
    test-time flips; returns its record."""
    import torch
    from mmengine.config import Config
    from mmengine.runner import Runner

    import deepacc  # noqa: F401
    from deepacc.cli import parse_cfg_options
    from deepacc.evaluation.metrics.crop_classification_metric import (
        save_crop_confusion,
    )

    torch.set_num_threads(1)
    cfg = Config.fromfile(get_config_path(VARIANTS[variant][1]))
    options = parse_cfg_options(args.cfg_options)
    if options:
        cfg.merge_from_dict(options)
    name = run_name(args, variant, seed)
    work_dir = osp.join(args.out, name)
    cfg.work_dir = work_dir
    cfg.randomness = dict(seed=seed)
    for split in ('train', 'val', 'test'):
        cfg[f'{split}_dataloader'].dataset.crops = args.crops
    if args.train_cells:
        cfg.train_dataloader.dataset.max_cells = args.train_cells
    if args.iters:
        cfg.train_cfg.max_iters = args.iters
        warmup = min(cfg.param_scheduler[0].end, args.iters // 2)
        cfg.param_scheduler[0].end = cfg.param_scheduler[1].begin = warmup
        cfg.param_scheduler[1].end = args.iters
        cfg.default_hooks.checkpoint.interval = args.iters
    # No validation during the run: the test cells are evaluated once.
    cfg.train_cfg.val_interval = cfg.train_cfg.max_iters + 1
    runner = Runner.from_cfg(cfg)
    start = time.perf_counter()
    runner.train()
    train_min = (time.perf_counter() - start) / 60
    record = dict(
        variant=variant,
        seed=seed,
        iters=cfg.train_cfg.max_iters,
        train_cells=len(runner.train_dataloader.dataset.cell_ids),
        test_cells=len(runner.test_dataloader.dataset.cell_ids),
        test_crops=runner.test_dataloader.dataset.num_crops,
        train_min=train_min,
    )
    for key, flips in (('single', ()), ('tta', TTA_FLIPS)):
        scores = evaluate(runner, flips)
        confusion = scores.pop('confusion')
        if args.confusion and key == 'tta':
            save_crop_confusion(confusion, osp.join(work_dir, 'confusion'))
        record[key] = scores
    with open(osp.join(work_dir, 'result.json'), 'w') as f:
        json.dump(record, f, indent=1)
    return record


def run_name(args, variant: str, seed: int) -> str:
    cells = f'_{args.train_cells}cells' if args.train_cells else ''
    return f'{variant}{cells}_seed{seed}'


def spread(values, digits: int = 2) -> str:
    values = np.asarray(values, float)
    if len(values) == 1:
        return f'{values[0]:.{digits}f}'.removesuffix('.0')
    return (
        f'{values.mean():.{digits}f} '
        f'({values.min():.{digits}f}-{values.max():.{digits}f})'
    )


def table(records) -> str:
    lines = [
        '| variant | iterations | train cells | test flips | seeds '
        '| type acc % per crop '
        '| type acc % joint | polarity acc % | cells right joint '
        '| cells right per crop | train min / model |',
        '| --- | --: | --: | --- | --: | --: | --: | --: | --: | --: | --: |',
    ]
    groups = dict.fromkeys((r['variant'], r['train_cells']) for r in records)
    for variant, cells in groups:
        rows = [
            r
            for r in records
            if r['variant'] == variant and r['train_cells'] == cells
        ]
        for key, flips in (('single', 'none'), ('tta', TTA_NAME)):
            values = [r[key] for r in rows]
            lines.append(
                f'| {VARIANTS[variant][0]} | {rows[0]["iters"]} | {cells} '
                f'| {flips} | {len(rows)} '
                f'| {spread([v["type_acc"] for v in values])} '
                f'| {spread([v["type_acc_joint"] for v in values])} '
                f'| {spread([v["polarity_acc"] for v in values])} '
                f'| {spread([v["cells_right_joint"] for v in values], 1)}'
                f'/{rows[0]["test_cells"]} '
                f'| {spread([v["cells_right"] for v in values], 1)} '
                f'| {spread([r["train_min"] for r in rows], 1)} |'
            )
    lines.append(
        f'| Varifocal-Net (paper, 1,909 cases) | | | | | '
        f'{VARIFOCAL["type_acc"]:.2f} | | {VARIFOCAL["polarity_acc"]:.2f} '
        '| | | |'
    )
    return '\n'.join(lines)


def main():
    args = parse_args()
    if args.one:
        args.train_cells = args.train_cells[0] if args.train_cells else None
        run_one(args, args.one[0], int(args.one[1]))
        return
    os.makedirs(args.out, exist_ok=True)
    jobs = [
        (v, s, c)
        for c in (args.train_cells or [None])
        for v in args.variants
        for s in args.seeds
    ]
    env = dict(
        os.environ,
        OMP_NUM_THREADS='1',
        MKL_NUM_THREADS='1',
        PYTHONUNBUFFERED='1',
    )
    running, records = [], []
    while jobs or running:
        while jobs and len(running) < args.jobs:
            variant, seed, cells = jobs.pop(0)
            name = run_name(
                argparse.Namespace(train_cells=cells), variant, seed
            )
            path = osp.join(args.out, name, 'result.json')
            if osp.isfile(path) and not args.rerun:
                records.append(json.load(open(path)))
                print(f'{name}: finished before, result kept', flush=True)
                continue
            cmd = [sys.executable, __file__, '--one', variant, str(seed)]
            cmd += ['--crops', args.crops, '--out', args.out]
            if cells:
                cmd += ['--train-cells', str(cells)]
            if args.iters:
                cmd += ['--iters', str(args.iters)]
            if args.cfg_options:
                cmd += ['--cfg-options', *args.cfg_options]
            if args.confusion:
                cmd += ['--confusion', args.confusion]
            log = open(osp.join(args.out, f'{name}.log'), 'w')
            proc = subprocess.Popen(
                cmd, cwd=REPO_ROOT, env=env, stdout=log, stderr=log
            )
            running.append((proc, name, log))
            print(f'started {name}', flush=True)
        if running:
            time.sleep(5)
        for item in list(running):
            proc, name, log = item
            if proc.poll() is None:
                continue
            running.remove(item)
            log.close()
            path = osp.join(args.out, name, 'result.json')
            if proc.returncode or not osp.isfile(path):
                print(f'{name} FAILED (see its log)')
                continue
            record = json.load(open(path))
            records.append(record)
            print(json.dumps(record), flush=True)
    order = {v: k for k, v in enumerate(args.variants)}
    records.sort(
        key=lambda r: (-r['train_cells'], order[r['variant']], r['seed'])
    )
    with open(osp.join(args.out, 'results.json'), 'w') as f:
        json.dump(records, f, indent=1)
    if args.confusion and records:
        first = records[0]
        src = osp.join(
            args.out,
            run_name(args_like(first, args), first['variant'], first['seed']),
            'confusion',
        )
        os.makedirs(args.confusion, exist_ok=True)
        for name in ('confusion_matrix.png', 'confusion_matrix.csv'):
            if osp.isfile(osp.join(src, name)):
                shutil.copy(
                    osp.join(src, name),
                    osp.join(args.confusion, f'crop_{name}'),
                )
    if records:
        first = records[0]
        print(
            f'\n{first["test_cells"]} test cells ({first["test_crops"]} '
            'crops), batches of 2 cells, one torch '
            f'thread; test flips {TTA_NAME}: {", ".join(TTA_FLIPS)}\n'
        )
        print(table(records))


def args_like(record: dict, args) -> argparse.Namespace:
    """The ``run_name`` arguments of a record's run."""
    cells = record['train_cells'] if args.train_cells else None
    return argparse.Namespace(train_cells=cells)


if __name__ == '__main__':
    main()
