"""The main job on built-in data: ``make demo`` (``python -m deepacc.demo``).

1. generate a synthetic G-banded metaphase set (``deepacc synth``) and
   split it 3:1:1;
2. train the CPU-sized DeepACC config with ``tools/train.py`` (mmengine's
   Runner);
3. evaluate the last checkpoint on the test split with ``tools/test.py``
   (all ``chromosome/`` metrics) and draw the confusion matrix;
4. run karyotype inference (``deepacc karyotype``) on held-out test images:
   overlay and karyogram pictures, JSON records, a CSV summary;
5. print a short summary: where everything is, the metrics table.

Everything lands in one folder (``--out``, default ``work_dirs/demo``). The
default budget (120 images, 12 epochs) takes about 11 minutes in all on 2
CPU cores; ``--epochs``, ``--num-images`` and ``--config`` change it (on a
GPU, raise them). Re-running reuses the data and the checkpoint already in
``--out``; ``--force`` regenerates both.
"""

import argparse
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import time
from typing import Dict, List, Optional

from deepacc.testing import REPO_ROOT, config_path

DEFAULT_CONFIG = 'deepacc/deepacc_r18_fpn_1x_chromosome-cpu.py'
METRIC_ORDER = ('mAP', 'mAP_max', 'Acc', 'AER', 'whole_cell_correct')


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog='python -m deepacc.demo',
        description='Synthesize data, train DeepACC on CPU, evaluate and '
        'draw karyograms, all into one folder.',
    )
    parser.add_argument(
        '--out',
        default='work_dirs/demo',
        help='output folder (default: %(default)s)',
    )
    parser.add_argument(
        '--config',
        default=DEFAULT_CONFIG,
        help='config under configs/ or a path (default: %(default)s)',
    )
    parser.add_argument(
        '--num-images',
        type=int,
        default=120,
        help='synthetic metaphases (default: %(default)s)',
    )
    parser.add_argument(
        '--epochs',
        type=int,
        default=12,
        help='training epochs (default: %(default)s)',
    )
    parser.add_argument(
        '--karyotype-images',
        type=int,
        default=4,
        help='test images to draw karyograms for',
    )
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--device', default='cpu', help='device for karyotype inference'
    )
    parser.add_argument(
        '--force',
        action='store_true',
        help='regenerate the data and retrain even if the '
        'output folder already has them',
    )
    return parser.parse_args(argv)


def demo_config_text(
    base_config: str, data_root: str, epochs: int, seed: int
) -> str:
    """A config inheriting ``base_config`` that reads the demo's data."""
    data_root = osp.abspath(data_root).rstrip('/') + '/'
    return '\n'.join(
        [
            '# Written by deepacc.demo: the CPU DeepACC config on the '
            'synthetic set.',
            f'_base_ = {base_config!r}',
            f'data_root = {data_root!r}',
            "img = 'images/'",
            'train_dataloader = dict(dataset=dict(data_root=data_root, '
            "ann_file='annotations/train.json', data_prefix=dict(img=img)))",
            'val_dataloader = dict(dataset=dict(data_root=data_root, '
            "ann_file='annotations/val.json', data_prefix=dict(img=img)))",
            'test_dataloader = dict(dataset=dict(data_root=data_root, '
            "ann_file='annotations/test.json', data_prefix=dict(img=img)))",
            f'max_epochs = {epochs}',
            # Validate once, at the end; keep the last checkpoint only.
            'train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)',
            'param_scheduler = [',
            "    dict(type='LinearLR', start_factor=0.01, by_epoch=False, "
            'begin=0, end=50),',
            "    dict(type='MultiStepLR', begin=0, end=max_epochs,",
            '         by_epoch=True, milestones=[max_epochs - 1], gamma=0.1)',
            ']',
            'default_hooks = dict(logger=dict(interval=10), '
            'checkpoint=dict(interval=max_epochs, max_keep_ckpts=1))',
            f'randomness = dict(seed={seed})',
            '',
        ]
    )


def run_step(title: str, args: List[str], log_file: str) -> str:
    """Run one command, streaming its output to the console and a log."""
    print(f'\n=== {title}\n$ {" ".join(args)}', flush=True)
    start = time.time()
    lines = []
    # mmengine imports pkg_resources, which warns on every start.
    env = dict(
        os.environ,
        PYTHONUNBUFFERED='1',
        PYTHONWARNINGS='ignore:pkg_resources is deprecated',
    )
    with (
        open(log_file, 'w') as log,
        subprocess.Popen(
            args,
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            env=env,
        ) as proc,
    ):
        for line in proc.stdout:
            log.write(line)
            lines.append(line)
            sys.stdout.write(line)
        proc.wait()
    if proc.returncode != 0:
        raise SystemExit(
            f'{title} failed (exit {proc.returncode}); see {log_file}'
        )
    print(f'--- {title}: {time.time() - start:.0f} s', flush=True)
    return ''.join(lines)


def read_test_metrics(test_dir: str) -> Dict[str, float]:
    """The metrics mmengine's Runner saved for the latest test run."""
    files = sorted(
        glob.glob(osp.join(test_dir, '*', '*.json')), key=osp.getmtime
    )
    if not files:
        raise SystemExit(f'no metrics json under {test_dir}')
    with open(files[-1]) as f:
        return json.load(f)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    from deepacc.synthesis import generate_dataset

    out = osp.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    data_root = osp.join(out, 'data')
    started = time.time()

    ann = osp.join(data_root, 'annotations', 'all.json')
    if args.force or not osp.exists(ann):
        print(
            f'=== 1. synthesizing {args.num_images} metaphases into '
            f'{data_root}',
            flush=True,
        )
        generate_dataset(
            data_root,
            args.num_images,
            seed=args.seed,
            split=(3, 1, 1),
            force=args.force,
        )
    else:
        print(
            f'=== 1. reusing the synthetic set in {data_root} '
            '(--force regenerates it)'
        )

    base = args.config if osp.isfile(args.config) else config_path(args.config)
    config = osp.join(out, 'demo_config.py')
    with open(config, 'w') as f:
        f.write(demo_config_text(base, data_root, args.epochs, args.seed))

    python = sys.executable
    train_dir = osp.join(out, 'train')
    checkpoint = osp.join(train_dir, f'epoch_{args.epochs}.pth')
    if args.force or not osp.exists(checkpoint):
        run_step(
            '2. training (tools/train.py)',
            [python, 'tools/train.py', config, '--work-dir', train_dir],
            osp.join(out, 'train.log'),
        )
    else:
        print(f'\n=== 2. reusing {checkpoint} (--force retrains)')

    test_dir = osp.join(out, 'test')
    results = osp.join(test_dir, 'results.pkl')
    run_step(
        '3. evaluation (tools/test.py)',
        [
            python,
            'tools/test.py',
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

    test_ann = osp.join(data_root, 'annotations', 'test.json')
    confusion_dir = osp.join(out, 'confusion')
    run_step(
        '4. confusion matrix (deepacc confusion)',
        [
            python,
            '-m',
            'deepacc.cli',
            'confusion',
            results,
            '--ann-file',
            test_ann,
            '--out',
            confusion_dir,
        ],
        osp.join(out, 'confusion.log'),
    )

    with open(test_ann) as f:
        test_images = [
            osp.join(data_root, 'images', img['file_name'])
            for img in json.load(f)['images']
        ][: args.karyotype_images]
    karyo_dir = osp.join(out, 'karyotype')
    run_step(
        '5. karyotypes of held-out images (deepacc karyotype)',
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
        out, metrics, karyo_dir, confusion_dir, time.time() - started
    )
    return 0


def print_summary(
    out: str,
    metrics: Dict[str, float],
    karyo_dir: str,
    confusion_dir: str,
    seconds: float,
) -> None:
    print('\n' + '=' * 72)
    print(
        f'deepacc demo finished in {seconds / 60:.1f} min; everything is '
        f'in {out}'
    )
    print('\nTest-split metrics (percent):')
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
        print('\nKaryotypes (predicted, held-out images):')
        import csv

        with open(summary) as f:
            for row in csv.DictReader(f):
                print(
                    f'  {osp.basename(row.get("image", "")):<24} '
                    f'{row.get("karyotype", "")}'
                )
    print('\nPictures:')
    for pattern in ('*_overlay.png', '*_karyogram.png'):
        for path in sorted(glob.glob(osp.join(karyo_dir, pattern)))[:2]:
            print(f'  {path}')
    for path in sorted(glob.glob(osp.join(confusion_dir, '*.png'))):
        print(f'  {path}')
    print('=' * 72)


if __name__ == '__main__':
    sys.exit(main())
