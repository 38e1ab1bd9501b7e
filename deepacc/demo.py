"""The main job on built-in data: ``make demo`` (``python -m deepacc.demo``).

1. take the detector deepacc ships (:mod:`deepacc.pretrained`: trained
   on generated cells alone, no training here), or with ``--train`` train
   the CPU DeepACC recipe
   (``configs/deepacc/deepacc_r18-c32_fpn_2100it_synth-cpu.py``, or
   ``--config``) with ``tools/train.py`` (mmengine's Runner) on synthetic
   metaphases rendered on the fly, a new cell at every draw, for
   ``--iters`` iterations at peak rate ``--lr``, with the local centres
   from the first iteration (:func:`center_warmup_options`);
2. write a held-out test set of other synthetic cells with the model's
   own test-set generator settings (another seed);
3. evaluate the checkpoint on it with ``tools/test.py`` (all
   ``chromosome/`` metrics) and draw the confusion matrix;
4. run karyotype inference (``deepacc karyotype``) on every test cell:
   overlay and karyogram pictures, JSON records, a CSV summary, and how
   many cells get the right ISCN string, from the whole-cell reading
   (:mod:`deepacc.karyotype.assignment`) and from the calls alone;
5. print a short summary: where everything is, the metrics table.

Everything lands in one folder (``--out``, default ``work_dirs/demo``).
With the shipped detector the demo takes a few minutes on 2 CPU cores;
``--train`` adds about 14 minutes (``--iters``, ``--lr``,
``--num-images`` and ``--config`` change it; on a GPU, raise them).
Re-running reuses the data and a checkpoint already trained in
``--out`` with the same settings; ``--force`` regenerates both.
"""

import argparse
import copy
import csv
import glob
import json
import os
import os.path as osp
import sys
import time
from typing import Dict, List, Optional

from mmengine.config import Config

from deepacc.karyotype.iscn import NORMAL_KARYOTYPES
from deepacc.pretrained import pretrained_detector
from deepacc.utils import (
    get_config_path,
    get_tool_path,
    read_test_metrics,
    run_step,
    schedule_options,
)

DEFAULT_CONFIG = 'deepacc/deepacc_r18-c32_fpn_2100it_synth-cpu.py'
# 13.6 minutes in all on 2 CPU cores (measured, alone on the cores):
# 1000 iterations against 800's 10.9 minutes took the test mAP from 67.4
# to 81.8 and AER from 52.0 to 30.0 (benchmarks/README.md).
DEFAULT_ITERS = 1000
# Twice the recipe's rate: at 600 iterations of the synthetic recipe's
# schedule, 2e-3 was at validation mAP 49.2% where 1e-3 was at 40.8 and
# 39.7 (benchmarks/README.md); over a full budget it did not end higher.
DEFAULT_LR = 2e-3
TEST_SEED = 1002  # the recipe's own test cells
METRIC_ORDER = ('mAP', 'mAP_max', 'Acc', 'AER', 'whole_cell_correct')


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog='python -m deepacc.demo',
        description='Evaluate the shipped DeepACC detector (or, with '
        '--train, one trained here on CPU) on held-out synthetic '
        'metaphases and draw karyograms, all into one folder.',
    )
    parser.add_argument(
        '--train',
        action='store_true',
        help='train a detector first (the synthetic CPU recipe, or '
        '--config) instead of taking the shipped one',
    )
    parser.add_argument(
        '--out',
        default='work_dirs/demo',
        help='output folder (default: %(default)s)',
    )
    parser.add_argument(
        '--config',
        default=None,
        help='with --train (implied): config under configs/ or a path; it '
        'must train on SynthMetaphaseDataset (default: '
        f'{DEFAULT_CONFIG})',
    )
    parser.add_argument(
        '--iters',
        type=int,
        default=DEFAULT_ITERS,
        help='with --train: training iterations (batch 2; default: '
        '%(default)s)',
    )
    parser.add_argument(
        '--num-images',
        type=int,
        default=30,
        help='held-out synthetic test cells (default: %(default)s)',
    )
    parser.add_argument(
        '--karyotype-images',
        type=int,
        default=None,
        help='test images to draw karyograms for (default: all)',
    )
    parser.add_argument(
        '--lr',
        type=float,
        default=DEFAULT_LR,
        help='with --train: peak AdamW rate of the short schedule '
        '(default: %(default)s)',
    )
    parser.add_argument(
        '--seed', type=int, default=0, help='with --train: training seed'
    )
    parser.add_argument(
        '--device', default='cpu', help='device for karyotype inference'
    )
    parser.add_argument(
        '--force',
        action='store_true',
        help='regenerate the data and retrain even if the '
        'output folder already has them',
    )
    args = parser.parse_args(argv)
    if args.config is not None:
        args.train = True
    return args


def center_warmup_options(base_cfg: Config) -> dict:
    """Options giving a DeepACC head its local centres from the first
    iteration (the paper's reading), empty for a head without them.

    The recipe holds the centres off for 700 of its 2100 iterations; on
    a demo budget of 800 that left the model no time to adapt to them,
    or switched them on before the margin branch could pick them
    (measured, 30 test cells, seed 0, mAP / AER / karyotypes right):
    centres from iteration 0, 67.4 / 52.0 / 19; from 267 (a third of
    800), 39.3 / 65.6 / 16; from 700, 59.6 / 47.3 / 11
    (benchmarks/README.md). The default 1000 iterations keep the choice
    (not re-measured with a warm-up at 1000).

    Args:
        base_cfg (Config): The recipe.

    Returns:
        dict: Options for ``Config.merge_from_dict``.
    """
    if 'center_warmup_iters' not in base_cfg.model.roi_head.bbox_head:
        return {}
    return dict(
        model=dict(roi_head=dict(bbox_head=dict(center_warmup_iters=0)))
    )


def demo_config(
    base_cfg: Config,
    data_root: str,
    iters: Optional[int] = None,
    seed: int = 0,
    lr: float = DEFAULT_LR,
) -> Config:
    """The demo's config: the recipe ``base_cfg`` (trained and validated
    on cells rendered on the fly) on the budget ``iters`` at peak rate
    ``lr`` (:func:`schedule_options`), its centres from the start
    (:func:`center_warmup_options`), tested on the demo's synthetic files
    in ``data_root``.

    Args:
        base_cfg (Config): The recipe (not modified).
        data_root (str): Folder of ``annotations/all.json`` and
            ``images/``.
        iters (int, optional): Training iterations; None leaves the
            training settings as the recipe has them (a model not trained
            here).
        seed (int): Training seed.
        lr (float): Peak learning rate.

    Returns:
        Config: The derived config.
    """
    cfg = copy.deepcopy(base_cfg)
    data_root = osp.abspath(data_root).rstrip('/') + '/'
    test_dataset = dict(
        _delete_=True,
        type='ChromosomeDataset',
        data_root=data_root,
        ann_file='annotations/all.json',
        data_prefix=dict(img='images/'),
        test_mode=True,
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='Resize', scale=cfg.synth_size, keep_ratio=True),
            dict(type='LoadChromosomeAnnotations', with_bbox=True),
            dict(
                type='PackChromosomeInputs',
                meta_keys=(
                    'img_id',
                    'img_path',
                    'ori_shape',
                    'img_shape',
                    'scale_factor',
                ),
            ),
        ],
    )
    cfg.merge_from_dict(
        dict(data_root=data_root, test_dataloader=dict(dataset=test_dataset))
    )
    if iters is not None:
        cfg.merge_from_dict(schedule_options(iters, lr))
        cfg.merge_from_dict(dict(randomness=dict(seed=seed)))
        cfg.merge_from_dict(center_warmup_options(base_cfg))
    return cfg


def held_out_synth(cfg: Config) -> Optional[dict]:
    """The generator settings of ``cfg``'s test set (a recipe that draws
    its chromosomes larger, ``chromosome_scale``, sets them there), or
    None when its test set is not generated."""
    synth = cfg.test_dataloader.dataset.get('synth')
    if synth is None:
        return None
    return synth.to_dict()


def _same_settings(path: str, settings: dict) -> bool:
    """Whether the test cells were made with ``settings`` (as written to
    ``path`` when they were made)."""
    if not osp.isfile(path):
        return False
    with open(path) as f:
        return json.load(f) == json.loads(json.dumps(settings))


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    from deepacc.converters.coco import class_counts
    from deepacc.karyotype.iscn import numerical_karyotype
    from deepacc.synthesis import generate_dataset

    out = osp.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    data_root = osp.join(out, 'data')
    started = time.time()
    if args.train:
        name = args.config or DEFAULT_CONFIG
        base = name if osp.isfile(name) else get_config_path(name)
    else:
        base, checkpoint = pretrained_detector()
    base_cfg = Config.fromfile(base)
    synth = held_out_synth(base_cfg)
    if synth is None:
        raise SystemExit(
            f'{base}: no `synth` settings in its test set; the demo needs '
            'a config that trains on SynthMetaphaseDataset'
        )
    config = osp.join(out, 'demo_config.py')
    iters = args.iters if args.train else None
    cfg = demo_config(base_cfg, data_root, iters, args.seed, args.lr)
    text = cfg.pretty_text
    previous = None
    if osp.exists(config):
        with open(config) as f:
            previous = f.read()
    cfg.dump(config)

    python = sys.executable
    if args.train:
        train_dir = osp.join(out, 'train')
        checkpoint = osp.join(train_dir, f'iter_{args.iters}.pth')
        # A checkpoint trained with other settings (--config, --lr,
        # --seed) is not reused.
        stale = osp.exists(checkpoint) and previous != text
        if stale:
            print(
                f'\n{checkpoint} was trained with other settings than '
                f'{config} now has: training again'
            )
        if args.force or stale or not osp.exists(checkpoint):
            run_step(
                f'1. training on fresh synthetic cells, {args.iters} '
                'iterations (tools/train.py)',
                [
                    python,
                    get_tool_path('train.py'),
                    config,
                    '--work-dir',
                    train_dir,
                ],
                osp.join(out, 'train.log'),
            )
        else:
            print(f'\n=== 1. reusing {checkpoint} (--force retrains)')
    else:
        print(
            f'\n=== 1. the shipped detector {checkpoint} (trained on '
            'generated cells alone; --train trains one here instead)'
        )

    ann = osp.join(data_root, 'annotations', 'all.json')
    settings = dict(synth, num_images=args.num_images, seed=TEST_SEED)
    made_with = osp.join(data_root, 'settings.json')
    if args.force or not _same_settings(made_with, settings):
        print(
            f'\n=== 2. synthesizing {args.num_images} held-out test cells '
            f'into {data_root}',
            flush=True,
        )
        generate_dataset(
            data_root,
            args.num_images,
            seed=TEST_SEED,
            force=True,
            **synth,
        )
        with open(made_with, 'w') as f:
            json.dump(settings, f, indent=1, sort_keys=True)
    else:
        print(f'\n=== 2. reusing {ann} (--force regenerates it)')

    test_dir = osp.join(out, 'test')
    results = osp.join(test_dir, 'results.pkl')
    run_step(
        '3. evaluation (tools/test.py)',
        [
            python,
            get_tool_path('test.py'),
            config,
            checkpoint,
            '--work-dir',
            test_dir,
            '--out',
            results,
        ],
        osp.join(out, 'test.log'),
    )
    metrics = read_test_metrics(test_dir)
    confusion_dir = osp.join(out, 'confusion')
    run_step(
        '3b. confusion matrix (deepacc confusion)',
        [
            python,
            '-m',
            'deepacc.cli',
            'confusion',
            results,
            '--ann-file',
            ann,
            '--out',
            confusion_dir,
        ],
        osp.join(out, 'confusion.log'),
    )

    with open(ann) as f:
        coco = json.load(f)
    # The truth in the same ISCN writer as the predictions.
    truth = {
        osp.splitext(img['file_name'])[0]: numerical_karyotype(counts)
        for img, counts in zip(coco['images'], class_counts(coco))
    }
    test_images = [
        osp.join(data_root, 'images', name + '.png') for name in truth
    ][: args.karyotype_images]
    karyo_dir = osp.join(out, 'karyotype')
    run_step(
        '4. karyotypes of the held-out cells (deepacc karyotype)',
        [
            python,
            '-m',
            'deepacc.cli',
            'karyotype',
            config,
            checkpoint,
            *test_images,
            '--out',
            karyo_dir,
            '--device',
            args.device,
        ],
        osp.join(out, 'karyotype.log'),
    )
    print_summary(
        out,
        metrics,
        karyo_dir,
        confusion_dir,
        truth,
        time.time() - started,
    )
    return 0


def normal_guess(calls_karyotype: str) -> str:
    """The normal karyotype of the sex the calls suggest: what the count
    prior alone would say, without looking at the autosomes."""
    fields = calls_karyotype.split(',')
    return '46,XY' if len(fields) > 1 and 'Y' in fields[1] else '46,XX'


def karyotype_agreement(summary_csv: str, truth: Dict[str, str]) -> list:
    """``(image, read, called, true)`` for every image of ``summary.csv``:
    the ISCN string of the whole-cell reading, of the calls alone, and of
    the truth."""
    rows = []
    with open(summary_csv) as f:
        for row in csv.DictReader(f):
            name = osp.splitext(osp.basename(row.get('image', '')))[0]
            read = row.get('karyotype', '')
            called = row.get('calls_karyotype') or read
            rows.append((name, read, called, truth.get(name)))
    return rows


def print_summary(
    out: str,
    metrics: Dict[str, float],
    karyo_dir: str,
    confusion_dir: str,
    truth: Dict[str, str],
    seconds: float,
) -> None:
    print('\n' + '=' * 72)
    print(
        f'deepacc demo finished in {seconds / 60:.1f} min; everything is '
        f'in {out}'
    )
    print('\nTest-set metrics (held-out cells, percent):')
    keys = [k for k in METRIC_ORDER if f'chromosome/{k}' in metrics]
    keys += sorted(
        k.split('/', 1)[1]
        for k in metrics
        if k.startswith('chromosome/') and k.split('/', 1)[1] not in keys
    )
    for key in keys:
        print(f'  {key:<24} {100 * metrics["chromosome/" + key]:6.2f}')
    summary = osp.join(karyo_dir, 'summary.csv')
    if osp.exists(summary):
        rows = karyotype_agreement(summary, truth)
        right = sum(read == true for _, read, _, true in rows)
        called = sum(calls == true for _, _, calls, true in rows)
        abnormal = [
            read == true
            for _, read, _, true in rows
            if true not in NORMAL_KARYOTYPES
        ]
        prior = sum(normal_guess(calls) == true for _, _, calls, true in rows)
        print(
            f'\nKaryotypes of the held-out cells: {right} of {len(rows)} '
            f'right (whole-cell reading; the calls alone: {called} of '
            f'{len(rows)}); aneuploid cells read right: {sum(abnormal)} of '
            f'{len(abnormal)}. For scale, a normal karyotype for every '
            f'cell (46,XY where a Y is called, else 46,XX) would be right '
            f'for {prior} of {len(rows)}.\n  read / calls alone / true:'
        )
        for name, read, calls, true in rows:
            mark = 'ok' if read == true else '--'
            print(f'  {mark} {name:<20} {read:<16} {calls:<22} {true}')
    print('\nPictures:')
    for pattern in ('*_overlay.png', '*_karyogram.png'):
        for path in sorted(glob.glob(osp.join(karyo_dir, pattern)))[:2]:
            print(f'  {path}')
    for path in sorted(glob.glob(osp.join(confusion_dir, '*.png'))):
        print(f'  {path}')
    print('=' * 72)


if __name__ == '__main__':
    sys.exit(main())
