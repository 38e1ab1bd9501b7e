"""Learning curves of the CPU recipes: mAP and Acc vs minutes of training.

For each config: train it with ``tools/train.py`` (its own validation
points are the curve; skipped with ``--reuse`` when the work dir already
holds a finished run), test the last checkpoint with ``tools/test.py`` on
the config's test set, and report, per validation point, the iteration,
the minutes of training up to it (the sum of the logged per-iteration
times, so validation itself is not counted) and the val metrics; then the
test metrics. Writes ``learning_curve.md`` (table) and
``learning_curve.png`` (mAP and Acc vs minutes, one line per config) into
``--out`` and prints the table.

    python benchmarks/learning_curve.py \\
        configs/deepacc/deepacc_r18-c32_fpn_2100it_synth-cpu.py \\
        configs/faster_rcnn/faster-rcnn_r18-c32_fpn_2100it_synth-cpu.py \\
        --out work_dirs/learning_curve
"""

import argparse
import glob
import json
import os
import os.path as osp
import sys
from typing import Dict, List

from _common import REPO_ROOT

from deepacc.utils import read_test_metrics, run_step

KEYS = ('mAP', 'mAP_max', 'Acc', 'AER', 'whole_cell_correct', 'polarity_acc')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('configs', nargs='+', help='config files')
    parser.add_argument('--out', default='work_dirs/learning_curve')
    parser.add_argument(
        '--reuse',
        action='store_true',
        help='read finished runs in --out instead of training again',
    )
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        default=[],
        help='passed to tools/train.py and tools/test.py',
    )
    return parser.parse_args()


def read_curve(work_dir: str, all_runs: bool = False) -> List[dict]:
    """Validation points of the newest run in ``work_dir``.

    With ``all_runs``, a run resumed from a checkpoint (a later mmengine
    run in the same work dir) continues the earlier ones: each earlier
    run gives its points before the later run's first one. Only the
    newest run's ``minutes`` are then meaningful, not the sum.

    Returns:
        list[dict]: ``iter``, ``minutes`` (training time up to that
        iteration) and the ``chromosome/`` metrics without prefix, plus
        the last logged training ``acc`` and centre statistics before it.
    """
    runs = sorted(glob.glob(osp.join(work_dir, '2*', 'vis_data')))
    if not runs:
        raise SystemExit(f'no mmengine run under {work_dir}')
    if not all_runs:
        return _run_curve(runs[-1])
    curve = []
    for run in runs:
        later = _run_curve(run)
        if later:
            curve = [p for p in curve if p['iter'] < later[0]['iter']]
        curve += later
    return curve


def _run_curve(vis_data: str) -> List[dict]:
    with open(osp.join(vis_data, 'scalars.json')) as f:
        records = [json.loads(line) for line in f if line.strip()]
    curve, seconds, last_iter, last_train = [], 0.0, 0, {}
    for rec in records:
        if 'time' in rec and 'iter' in rec:
            # The logged time is the mean over the iterations since the
            # previous log line.
            seconds += rec['time'] * (rec['iter'] - last_iter)
            last_iter = rec['iter']
            last_train = rec
        elif any(k.startswith('chromosome/') for k in rec):
            point = dict(iter=last_iter, minutes=seconds / 60)
            point.update(
                {
                    k.split('/', 1)[1]: v
                    for k, v in rec.items()
                    if k.startswith('chromosome/')
                }
            )
            for key in ('acc', 'center_frac', 'center_acc', 'loss_gia'):
                if key in last_train:
                    point[f'train_{key}'] = last_train[key]
            curve.append(point)
    return curve


def fmt(value, percent=True):
    if value is None:
        return 'n/a'
    return f'{100 * value:.1f}' if percent else f'{value:.1f}'


def table(results: Dict[str, dict]) -> str:
    lines = []
    for name, res in results.items():
        lines += [
            f'**{name}**',
            '',
            '| iteration | min of training | mAP | mAP_max | Acc | AER '
            '| whole cell | polarity | train acc | centres used '
            '| centre right |',
            '|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
        ]
        for p in res['curve']:
            lines.append(
                f'| {p["iter"]} | {p["minutes"]:.1f} | '
                + ' | '.join(fmt(p.get(k)) for k in KEYS)
                + f' | {fmt(p.get("train_acc"), False)}'
                + f' | {fmt(p.get("train_center_frac"))}'
                + f' | {fmt(p.get("train_center_acc"))} |'
            )
        test = res.get('test')
        if test:
            lines.append(
                f'| **test** | {res["curve"][-1]["minutes"]:.1f} | '
                + ' | '.join(fmt(test.get(f'chromosome/{k}')) for k in KEYS)
                + ' | | | |'
            )
        lines.append('')
    return '\n'.join(lines)


def plot(results: Dict[str, dict], path: str) -> None:
    import matplotlib

    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, key in zip(axes, ('mAP', 'Acc')):
        for name, res in results.items():
            xs = [0.0] + [p['minutes'] for p in res['curve']]
            ys = [0.0] + [100 * (p.get(key) or 0.0) for p in res['curve']]
            (line,) = ax.plot(xs, ys, marker='o', label=name)
            test = (res.get('test') or {}).get(f'chromosome/{key}')
            if test is not None:
                ax.plot(
                    [xs[-1]],
                    [100 * test],
                    marker='*',
                    markersize=14,
                    color=line.get_color(),
                    linestyle='none',
                )
    finish_plot(
        fig,
        axes,
        ('mAP', 'Acc'),
        'minutes of training (2 CPU cores)',
        '{} (%)',
        '{}: validation (dots), test (star)',
        path,
    )


def finish_plot(fig, axes, keys, xlabel, ylabel, title, path) -> None:
    """Label the percent panels (``ylabel`` and ``title`` are formatted
    with each panel's key), put the legend in the first and save."""
    import matplotlib.pyplot as plt

    for ax, key in zip(axes, keys):
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel.format(key))
        ax.set_ylim(0, 100)
        ax.grid(alpha=0.3)
        ax.set_title(title.format(key))
    axes[0].legend(fontsize=8, loc='lower right')
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> int:
    args = parse_args()
    out = osp.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    python = sys.executable
    options = ['--cfg-options', *args.cfg_options] if args.cfg_options else []
    results = {}
    for config in args.configs:
        name = osp.splitext(osp.basename(config))[0]
        work_dir = osp.join(out, name)
        finished = glob.glob(osp.join(work_dir, 'iter_*.pth'))
        if not (args.reuse and finished):
            run_step(
                f'train {name}',
                [python, 'tools/train.py', config, '--work-dir', work_dir]
                + options,
                osp.join(out, f'{name}.train.log'),
                cwd=REPO_ROOT,
            )
        ckpt = osp.join(work_dir, 'last_checkpoint')
        with open(ckpt) as f:
            checkpoint = f.read().strip()
        test_dir = osp.join(work_dir, 'test')
        run_step(
            f'test {name}',
            [
                python,
                'tools/test.py',
                config,
                checkpoint,
                '--work-dir',
                test_dir,
            ]
            + options,
            osp.join(out, f'{name}.test.log'),
            cwd=REPO_ROOT,
        )
        results[name] = dict(
            curve=read_curve(work_dir), test=read_test_metrics(test_dir)
        )
    text = table(results)
    with open(osp.join(out, 'learning_curve.md'), 'w') as f:
        f.write(text + '\n')
    plot(results, osp.join(out, 'learning_curve.png'))
    print('\n' + text)
    print(f'wrote {out}/learning_curve.md and learning_curve.png')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
