"""Crop classification with and without the DeepACC head's AAM and
siamese local centres, several seeds, on the CPU.

Every variant is a config of ``configs/crop_classification`` trained
through mmengine's Runner on the training cells of a 3:1:1 cell split of
the crops and tested on the held-out test cells (whole cells, never
crops, are split). Each model runs in its own process with one torch
thread (``--jobs`` models at a time), so the minutes are those of one
core. The table gives the mean and spread (min-max) of type and polarity
accuracy over the seeds, against Varifocal-Net's 98.05% / 99.09%, and
the minutes of training per model.

    python benchmarks/crop_classification.py \\
        --crops ../shared/data/gband-crops --seeds 0 1 2 \\
        --out work_dirs/crops_bench --confusion benchmarks
"""

import argparse
import json
import os
import os.path as osp
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
VARIFOCAL = dict(type_acc=98.05, polarity_acc=99.09)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--crops', default='../shared/data/gband-crops')
    parser.add_argument('--out', default='work_dirs/crops_bench')
    parser.add_argument('--variants', nargs='+', default=['deepacc', 'plain'])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--iters', type=int, default=None)
    parser.add_argument('--jobs', type=int, default=2)
    parser.add_argument(
        '--confusion',
        help="also write the first model's confusion matrix (counts "
        'only) to this folder',
    )
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        default=[],
        metavar='KEY=VALUE',
        help='config overrides for every model (e.g. another input size)',
    )
    parser.add_argument('--one', nargs=2, metavar=('VARIANT', 'SEED'))
    return parser.parse_args()


def run_one(args, variant: str, seed: int) -> dict:
    """Train and test one model in this process; returns its record."""
    import torch
    from mmengine.config import Config, DictAction
    from mmengine.runner import Runner

    import deepacc  # noqa: F401

    torch.set_num_threads(1)
    cfg = Config.fromfile(get_config_path(VARIANTS[variant][1]))
    if args.cfg_options:
        parser = argparse.ArgumentParser()
        parser.add_argument('--o', nargs='+', action=DictAction)
        cfg.merge_from_dict(parser.parse_args(['--o'] + args.cfg_options).o)
    work_dir = osp.join(args.out, f'{variant}_seed{seed}')
    cfg.work_dir = work_dir
    cfg.randomness = dict(seed=seed)
    for split in ('train', 'val', 'test'):
        cfg[f'{split}_dataloader'].dataset.crops = args.crops
    if args.iters:
        cfg.train_cfg.max_iters = args.iters
        warmup = min(cfg.param_scheduler[0].end, args.iters // 2)
        cfg.param_scheduler[0].end = cfg.param_scheduler[1].begin = warmup
        cfg.param_scheduler[1].end = args.iters
    # No validation during the run: the test cells are evaluated once.
    cfg.train_cfg.val_interval = cfg.train_cfg.max_iters + 1
    if args.confusion:
        cfg.test_evaluator.out_dir = osp.join(work_dir, 'confusion')
    runner = Runner.from_cfg(cfg)
    start = time.perf_counter()
    runner.train()
    train_min = (time.perf_counter() - start) / 60
    start = time.perf_counter()
    metrics = runner.test()
    test_min = (time.perf_counter() - start) / 60
    record = dict(
        variant=variant,
        seed=seed,
        iters=cfg.train_cfg.max_iters,
        train_cells=len(runner.train_dataloader.dataset.cell_ids),
        test_cells=len(runner.test_dataloader.dataset.cell_ids),
        test_crops=runner.test_dataloader.dataset.num_crops,
        train_min=train_min,
        test_min=test_min,
        type_acc=100 * metrics['crop/accuracy'],
        macro_f1=100 * metrics['crop/macro_f1'],
        polarity_acc=100 * metrics.get('crop/polarity_acc', float('nan')),
    )
    with open(osp.join(work_dir, 'result.json'), 'w') as f:
        json.dump(record, f, indent=1)
    return record


def spread(values) -> str:
    values = np.asarray(values, float)
    if len(values) == 1:
        return f'{values[0]:.2f}'
    return f'{values.mean():.2f} ({values.min():.2f}-{values.max():.2f})'


def table(records) -> str:
    lines = [
        '| variant | seeds | type acc % | macro F1 % | polarity acc % '
        '| train min / model |',
        '| --- | --: | --: | --: | --: | --: |',
    ]
    for variant in dict.fromkeys(r['variant'] for r in records):
        rows = [r for r in records if r['variant'] == variant]
        lines.append(
            f'| {VARIANTS[variant][0]} | {len(rows)} '
            f'| {spread([r["type_acc"] for r in rows])} '
            f'| {spread([r["macro_f1"] for r in rows])} '
            f'| {spread([r["polarity_acc"] for r in rows])} '
            f'| {spread([r["train_min"] for r in rows])} |'
        )
    lines.append(
        f'| Varifocal-Net (paper, 1,909 cases) | | '
        f'{VARIFOCAL["type_acc"]:.2f} | | {VARIFOCAL["polarity_acc"]:.2f} '
        '| |'
    )
    return '\n'.join(lines)


def main():
    args = parse_args()
    if args.one:
        run_one(args, args.one[0], int(args.one[1]))
        return
    os.makedirs(args.out, exist_ok=True)
    jobs = [(v, s) for v in args.variants for s in args.seeds]
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONUNBUFFERED='1')
    running, records = [], []
    while jobs or running:
        while jobs and len(running) < args.jobs:
            variant, seed = jobs.pop(0)
            cmd = [sys.executable, __file__, '--one', variant, str(seed)]
            cmd += ['--crops', args.crops, '--out', args.out]
            if args.iters:
                cmd += ['--iters', str(args.iters)]
            if args.cfg_options:
                cmd += ['--cfg-options', *args.cfg_options]
            if args.confusion and not records and not running:
                cmd += ['--confusion', args.confusion]
            log = open(osp.join(args.out, f'{variant}_seed{seed}.log'), 'w')
            proc = subprocess.Popen(
                cmd, cwd=REPO_ROOT, env=env, stdout=log, stderr=log
            )
            running.append((proc, variant, seed, log))
            print(f'started {variant} seed {seed}', flush=True)
        time.sleep(5)
        for item in list(running):
            proc, variant, seed, log = item
            if proc.poll() is None:
                continue
            running.remove(item)
            log.close()
            path = osp.join(args.out, f'{variant}_seed{seed}', 'result.json')
            if proc.returncode or not osp.isfile(path):
                print(f'{variant} seed {seed} FAILED (see its log)')
                continue
            record = json.load(open(path))
            records.append(record)
            print(json.dumps(record), flush=True)
    records.sort(key=lambda r: (args.variants.index(r['variant']), r['seed']))
    with open(osp.join(args.out, 'results.json'), 'w') as f:
        json.dump(records, f, indent=1)
    if args.confusion and records:
        src = osp.join(
            args.out,
            f'{records[0]["variant"]}_seed{records[0]["seed"]}',
            'confusion',
        )
        os.makedirs(args.confusion, exist_ok=True)
        for name in ('confusion_matrix.png', 'confusion_matrix.csv'):
            if osp.isfile(osp.join(src, name)):
                os.replace(
                    osp.join(src, name),
                    osp.join(args.confusion, f'crop_{name}'),
                )
    if records:
        first = records[0]
        print(
            f'\n{first["train_cells"]} training cells, {first["test_cells"]}'
            f' test cells ({first["test_crops"]} crops), '
            f'{first["iters"]} iterations of 2 cells, one torch thread\n'
        )
        print(table(records))


if __name__ == '__main__':
    main()
