"""Cluster-type identification on held-out metaphases, against the
ResNeXt-WSL paper (Lin et al. 2021: 94.09% accuracy, 92.79% sensitivity,
98.03% specificity over single / touching / overlapping /
touching+overlapping).

For each trained model (``--runs NAME=CONFIG:CHECKPOINT[:TRAIN_LOG]``; the
log defaults to the Runner's own, beside the checkpoint),
the config's test set (fixed held-out cells: other synthetic seeds, or
the test cells of the crops' cell split) is split into objects, typed by
the model and scored with :func:`cluster_metrics`. Printed and written to
``--out``: the paper's figures over chromosome objects, the two-way
single vs cluster accuracy, the majority-class baseline (every
chromosome object called single: what the class balance alone gives),
per-type sensitivity and specificity, the confusion matrix (PNG) and the
training minutes read from the Runner's log.

    C=configs/cluster_types W=work_dirs/clusters
    python benchmarks/cluster_types.py --out work_dirs/cluster_bench --runs \\
        synth=$C/cluster-type_r18_600it_synth-cpu.py:$W/synth/iter_600.pth \\
        crops=$C/cluster-type_r18_600it_gband-crops-cpu.py:$W/crops/iter_600.pth
"""

import argparse
import json
import os
import os.path as osp
import re
import sys
import time
from datetime import datetime

import numpy as np

PAPER = dict(accuracy=94.09, sensitivity=92.79, specificity=98.03)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--runs',
        nargs='+',
        required=True,
        metavar='NAME=CONFIG:CHECKPOINT[:LOG]',
    )
    parser.add_argument('--out', default='work_dirs/cluster_bench')
    parser.add_argument(
        '--num-images',
        type=int,
        default=None,
        help='override the test set size (synthetic sets only)',
    )
    return parser.parse_args()


def train_minutes(log: str):
    """Minutes from the Runner's start of training to its last
    checkpoint, from the timestamps of its log (None without a log)."""
    if not log or not osp.isfile(log):
        return None
    stamps = []
    # The console says 11/24 22:45:31, the Runner's file 2026/11/24 ...
    pattern = re.compile(r'^(?:\d{4}/)?(\d\d/\d\d \d\d:\d\d:\d\d) - mmengine')
    for line in open(log, errors='replace'):
        m = pattern.match(line)
        if m and (
            'Checkpoints will be saved' in line or 'Saving checkpoint' in line
        ):
            stamps.append(datetime.strptime(m.group(1), '%m/%d %H:%M:%S'))
    if len(stamps) < 2:
        return None
    return (stamps[-1] - stamps[0]).total_seconds() / 60


def runner_log(checkpoint: str):
    """The newest ``<work_dir>/<timestamp>/<timestamp>.log`` of the run
    that wrote ``checkpoint`` (None if there is none)."""
    import glob

    logs = sorted(glob.glob(osp.join(osp.dirname(checkpoint), '*', '*.log')))
    return logs[-1] if logs else None


def evaluate(config: str, checkpoint: str, num_images=None) -> dict:
    """True and predicted types of every object of the config's test set.

    Returns:
        dict: ``truth``, ``pred`` ((N,) arrays: the model's types),
        ``pred_shape`` (the same read with the objects' shapes, as
        ``deepacc clusters`` does by default), ``images``, ``seconds``.
    """
    import torch
    from mmdet.registry import DATASETS, MODELS
    from mmengine.config import Config
    from mmengine.runner import load_checkpoint
    from tqdm import tqdm

    import deepacc  # noqa: F401
    from deepacc.clusters import find_objects
    from deepacc.clusters.shape import shape_types

    cfg = Config.fromfile(config)
    dataset_cfg = cfg.test_dataloader.dataset
    if num_images:
        dataset_cfg.metaphases.num_samples = num_images
    dataset = DATASETS.build(dataset_cfg)
    model = MODELS.build(cfg.model)
    load_checkpoint(model, checkpoint, map_location='cpu', logger='silent')
    model.eval()
    truth, pred, pred_shape = [], [], []
    start = time.time()
    for i in tqdm(range(len(dataset)), desc=osp.basename(config)):
        item = dataset[i]
        with torch.no_grad():
            logits = model(item['inputs'], mode='tensor')
        truth.append(item['data_samples'].gt_labels.numpy())
        pred.append(logits.argmax(1).numpy())
        # The objects the dataset typed (the same render, the same
        # threshold), for their shapes.
        metaphases = dataset.metaphases
        image = metaphases.render(i, metaphases.image_rng(i))[0]
        objects = find_objects(image, dataset.polarity, dataset.min_area)
        pred_shape.append(shape_types(pred[-1], objects)[0])
    return dict(
        truth=np.concatenate(truth),
        pred=np.concatenate(pred),
        pred_shape=np.concatenate(pred_shape),
        images=len(dataset),
        seconds=time.time() - start,
    )


def main() -> int:
    from deepacc.clusters import CHROMOSOME_TYPES, CLUSTER_TYPES
    from deepacc.evaluation.metrics import cluster_metrics
    from deepacc.visualization import plot_confusion_matrix

    args = parse_args()
    os.makedirs(args.out, exist_ok=True)
    table = []
    for run in args.runs:
        name, _, rest = run.partition('=')
        parts = rest.split(':')
        if len(parts) not in (2, 3):
            sys.exit(f'--runs {run!r}: expected NAME=CONFIG:CHECKPOINT[:LOG]')
        config, checkpoint = parts[:2]
        log = parts[2] if len(parts) == 3 else runner_log(checkpoint)
        res = evaluate(config, checkpoint, args.num_images)
        # The model's types, and the same read with the objects' shapes
        # (the default of `deepacc clusters`).
        truth = res['truth']
        chrom = (truth >= 0) & (truth < len(CHROMOSOME_TYPES))
        counts = {
            c: int((truth == k).sum()) for k, c in enumerate(CLUSTER_TYPES)
        }
        for label, key in ((name, 'pred'), (f'{name}+shape', 'pred_shape')):
            m = cluster_metrics(truth, res[key], CLUSTER_TYPES)
            row = dict(
                name=label,
                config=config,
                checkpoint=checkpoint,
                images=res['images'],
                objects=m['num_objects'],
                fragments=m['num_fragments'],
                counts=counts,
                majority_baseline=float((truth[chrom] == 0).mean()),
                train_minutes=train_minutes(log),
                test_seconds=round(res['seconds'], 1),
                **{k: v for k, v in m.items() if k != 'confusion'},
            )
            table.append(row)
            png = osp.join(args.out, f'cluster_confusion_{label}.png')
            plot_confusion_matrix(
                m['confusion'],
                png,
                title=(
                    f'{label}: {res["images"]} held-out images, '
                    f'{m["num_objects"]} objects, accuracy '
                    f'{100 * m["accuracy"]:.1f}%'
                ),
                names=CLUSTER_TYPES,
            )
            print(f'wrote {png}')
    with open(osp.join(args.out, 'cluster_types.json'), 'w') as f:
        json.dump(table, f, indent=1, default=float)
    pct = lambda v: f'{100 * v:.2f}'  # noqa: E731
    print(
        '\n| data | images | chromosome objects (S/T/O/T+O) | accuracy | '
        'sensitivity | specificity | two-way | all singles | '
        'train min |\n|---|---|---|---|---|---|---|---|---|'
    )
    print(
        f'| paper (clinical) | 6592 samples | | {PAPER["accuracy"]} | '
        f'{PAPER["sensitivity"]} | {PAPER["specificity"]} | | | |'
    )
    for r in table:
        c = r['counts']
        split = '/'.join(str(c[t]) for t in CHROMOSOME_TYPES)
        minutes = f'{r["train_minutes"]:.1f}' if r['train_minutes'] else 'n/a'
        print(
            f'| {r["name"]} | {r["images"]} | {split} | '
            f'{pct(r["paper_accuracy"])} | {pct(r["paper_sensitivity"])} | '
            f'{pct(r["paper_specificity"])} | '
            f'{pct(r["two_way_accuracy"])} | '
            f'{pct(r["majority_baseline"])} | {minutes} |'
        )
    print('\nPer type (all objects; sensitivity / specificity, %):')
    print('| data | ' + ' | '.join(CLUSTER_TYPES) + ' | all-object acc |')
    print('|---' * (len(CLUSTER_TYPES) + 2) + '|')
    for r in table:
        cells = []
        for t in CLUSTER_TYPES:
            if r['counts'][t]:
                cells.append(
                    f'{pct(r[f"sensitivity_{t}"])} / '
                    f'{pct(r[f"specificity_{t}"])} (n={r["counts"][t]})'
                )
            else:
                cells.append('-')
        print(
            f'| {r["name"]} | ' + ' | '.join(cells) + f' | '
            f'{pct(r["accuracy"])} |'
        )
    return 0


if __name__ == '__main__':
    sys.exit(main())
