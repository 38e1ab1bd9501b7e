"""Paper Table 1 ablation (a)-(f) with the CPU recipe, several seeds.

Plus a row not in the paper, (g): DeepACC (f) whose local centres start
after the warm-up of the recipe's shipped DeepACC config
(``center_warmup_iters``; (f) is the paper's literal reading, centres
from the first iteration).

Each variant is the CPU recipe of ``configs/faster_rcnn/faster-rcnn_r18-
c32_fpn_*-cpu.py`` (half-width ResNet-18 from scratch, 64-channel FPN,
data composed or rendered on the fly) whose bbox head is the variant's
paper head (from ``configs/deepacc`` or, for (a),
``configs/faster_rcnn``) narrowed to the recipe's widths, without the
polarity output; for (a), (b) and (g) that is exactly the shipped CPU
configs, for (f) the shipped DeepACC config without its centre warm-up
(tested). Every variant trains
with ``tools/train.py`` for the same number of iterations with each
seed, and ``tools/test.py`` evaluates it on the
recipe's held-out test cells. The table gives mean and spread (min-max)
over seeds, and the verdicts on DeepACC (f) against the stock head (a)
(and on (f), (g) against (a), (b), where those rows ran) are computed,
not written by hand: the mean differences in mAP_max and AER and
whether they are larger than the seeds' spread.

Every finished run is kept as one small file,
``--results/<dataset>/<variant>_seed<seed>.json`` (by default in this
folder, ``ablation_results/``, committed): its test metrics (every
``chromosome/`` value, the AER's split included), its validation curve,
its minutes and the machine it ran on. A later call, on this machine or
another, skips the runs that have a file, and the table and the picture
are made from all the files: runs made in several sessions, or on a GPU
machine beside the CPU, join without copying work directories. Into
``--out/<dataset>`` go the runs' work directories, ``ablation.md`` (the
table) and ``ablation_curves.png`` (validation mAP and Acc vs iteration
per variant, over its seeds).

    # metaphases composed from the G-band crops (not shipped), 3 seeds
    python benchmarks/ablation.py --dataset crops --seeds 0 1 2 \\
        --out work_dirs/ablation
    # synthetic metaphases
    python benchmarks/ablation.py --dataset synth --seeds 0 1 2 \\
        --out work_dirs/ablation
    # the table and picture of the saved runs, training nothing
    python benchmarks/ablation.py --dataset crops --table-only \\
        --out work_dirs/ablation
    # on a GPU machine, more data workers per run
    python benchmarks/ablation.py --dataset crops --variants e --seeds 0 \\
        --cfg-options train_dataloader.num_workers=2
"""

import argparse
import json
import os
import os.path as osp
import sys
import time
from typing import Optional

import numpy as np
from _common import REPO_ROOT
from learning_curve import finish_plot, read_curve
from mmengine.config import Config, DictAction

from deepacc.utils import (
    get_config_path,
    read_test_metrics,
    run_step,
    schedule_options,
)

RECIPES = {
    'crops': 'faster_rcnn/faster-rcnn_r18-c32_fpn_3500it_gband-crops-cpu.py',
    'synth': 'faster_rcnn/faster-rcnn_r18-c32_fpn_2100it_synth-cpu.py',
}
VARIANTS = {
    'a': ('Faster R-CNN', 'faster_rcnn/faster-rcnn_r101_fpn_2x_chromosome.py'),
    'b': (
        'Faster R-CNN (sep)',
        'deepacc/faster-rcnn-sep_r101_fpn_2x_chromosome.py',
    ),
    'c': ('+ AAM', 'deepacc/deepacc-aam_r101_fpn_2x_chromosome.py'),
    'd': ('+ siamese', 'deepacc/deepacc-siamese_r101_fpn_2x_chromosome.py'),
    'e': (
        'AAM + siamese',
        'deepacc/deepacc-aam-siamese_r101_fpn_2x_chromosome.py',
    ),
    'f': (
        'DeepACC (AAM + siamese + GIA)',
        'deepacc/deepacc_r101_fpn_2x_chromosome.py',
    ),
    # Not in the paper: (f) whose local centres start after the recipe's
    # warm-up (center_warmup_iters of its shipped DeepACC twin).
    'g': (
        'DeepACC, centres after a warm-up',
        'deepacc/deepacc_r101_fpn_2x_chromosome.py',
    ),
}
# The shipped DeepACC CPU twin of each recipe: (g) takes its warm-up.
DEEPACC_TWINS = {
    'crops': 'deepacc/deepacc_r18-c32_fpn_3500it_gband-crops-cpu.py',
    'synth': 'deepacc/deepacc_r18-c32_fpn_2100it_synth-cpu.py',
}
# Paper Table 1 (validation set, private data): mAP, mAP_max, AER, Acc.
PAPER = {
    'a': (90.82, 88.10, 18.09, 83.34),
    'b': (90.89, 88.23, 18.09, 83.33),
    'c': (87.76, 87.23, 17.64, 83.80),
    'd': (91.24, 88.63, 17.73, 83.56),
    'e': (91.28, 89.13, 16.56, 84.56),
    'f': (91.43, 89.38, 16.22, 84.85),
}
KEYS = ('mAP', 'mAP_max', 'AER', 'Acc', 'whole_cell_correct')
# What a run's file keeps of each validation point.
CURVE_KEYS = ('iter', 'minutes', 'mAP', 'mAP_max', 'AER', 'Acc')
RESULTS = osp.join(osp.dirname(osp.abspath(__file__)), 'ablation_results')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--dataset', choices=sorted(RECIPES), default='crops')
    parser.add_argument(
        '--crops',
        default=None,
        help="crops folder (default: the recipe's, "
        '../shared/data/gband-crops)',
    )
    parser.add_argument(
        '--out', default='work_dirs/ablation', help='work directories'
    )
    parser.add_argument(
        '--results',
        default=RESULTS,
        help='one JSON file per finished run, under <results>/<dataset>/ '
        '(default: benchmarks/ablation_results)',
    )
    parser.add_argument(
        '--iters',
        type=int,
        default=None,
        help="training iterations per run (default: the recipe's)",
    )
    parser.add_argument(
        '--table-only',
        action='store_true',
        help='train nothing: the table and picture of the runs saved '
        'under --results',
    )
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--variants', nargs='+', default=list(VARIANTS))
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        default={},
        help="key=value settings added to every run's config (as "
        'tools/train.py takes them), e.g. '
        'train_dataloader.num_workers=2 on a machine with more cores',
    )
    return parser.parse_args()


def variant_head(variant: str, recipe_model: dict, dataset: str) -> dict:
    """The variant's paper bbox head at the recipe's widths, without the
    polarity output (not in the paper: Table 1 rows differ only by the
    paper's parts); for (g), with the centre warm-up of the recipe's
    DeepACC twin, in iterations whatever the budget (what makes the
    centres right when they switch on is how far the margin branch has
    learnt, not the share of the schedule: a demo that switched them on
    at a third of 800 iterations lost its accuracy to wrong centres)."""
    head = _config(VARIANTS[variant][1]).model.roi_head.bbox_head
    head = head.to_dict()
    recipe_head = recipe_model['roi_head']['bbox_head']
    for key in ('in_channels', 'fc_out_channels'):
        head[key] = recipe_head[key]
    if head.get('with_polarity'):
        head['with_polarity'] = False
        head.pop('loss_polarity', None)
    if variant == 'g':
        twin = _config(DEEPACC_TWINS[dataset]).model.roi_head.bbox_head
        head['center_warmup_iters'] = twin.center_warmup_iters
    return head


def variant_config(
    variant: str,
    dataset: str,
    iters: Optional[int],
    seed: int,
    crops: Optional[str] = None,
    options: Optional[dict] = None,
) -> Config:
    """The recipe of ``dataset`` with the variant's head
    (:func:`variant_head`) and the seed; where given, the budget ``iters``
    (:func:`deepacc.utils.schedule_options` at the recipe's rate), the
    crops folder, and ``options`` (dotted keys, as ``--cfg-options``
    gives them) merged into the config's dicts."""
    cfg = _config(RECIPES[dataset])
    head = variant_head(variant, cfg.model.to_dict(), dataset)
    cfg.merge_from_dict(
        dict(
            model=dict(roi_head=dict(bbox_head=dict(_delete_=True, **head))),
            randomness=dict(seed=seed),
        )
    )
    if iters is not None:
        cfg.merge_from_dict(schedule_options(iters, cfg.lr))
    if crops is not None:
        cfg.merge_from_dict(
            {
                f'{split}_dataloader': dict(dataset=dict(crops=crops))
                for split in ('train', 'val', 'test')
            }
        )
    if options:
        cfg.merge_from_dict(options)
    return cfg


def _config(relative: str) -> Config:
    return Config.fromfile(get_config_path(relative))


RESUMED_LOG = 'train_resumed.log'


def was_resumed(vdir) -> bool:
    """Whether a run was cut and went on from its checkpoint in a later
    call (it then has :data:`RESUMED_LOG`)."""
    return osp.exists(osp.join(vdir, RESUMED_LOG))


def train_command(vdir, config):
    """``tools/train.py``'s arguments for one run, and its log file.

    A run cut short (its work dir has a ``last_checkpoint``) goes on from
    that checkpoint with ``--resume`` and logs to :data:`RESUMED_LOG`,
    so the first call's log is kept. Such a run's minutes are only this
    call's, so they are not kept as a run's time.
    """
    work_dir = osp.join(vdir, 'train')
    args = [sys.executable, 'tools/train.py', config, '--work-dir', work_dir]
    if osp.exists(osp.join(work_dir, 'last_checkpoint')):
        return args + ['--resume'], osp.join(vdir, RESUMED_LOG)
    return args, osp.join(vdir, 'train.log')


def summarise(runs):
    """Per variant and key: mean, min, max over seeds (fractions) and the
    number of seeds."""
    out = {}
    for variant, by_seed in runs.items():
        out[variant] = {}
        for key in KEYS:
            values = [
                m[key] for m in by_seed.values() if m.get(key) is not None
            ]
            if values:
                out[variant][key] = (
                    float(np.mean(values)),
                    float(np.min(values)),
                    float(np.max(values)),
                    len(values),
                )
    return out


# How the verdicts name the rows they compare.
SHORT = {
    'a': 'stock',
    'b': 'separate branches',
    'f': 'DeepACC',
    'g': 'DeepACC with warm-up',
}
# The comparisons stated under the table, when both rows are there.
VERDICTS = (('f', 'a'), ('f', 'b'), ('g', 'a'), ('g', 'b'), ('g', 'f'))


def verdict(stats, variant: str = 'f', base: str = 'a') -> str:
    """``variant`` (default DeepACC (f)) vs ``base`` (default the stock
    head (a)) in mAP_max and AER, in words."""
    if base not in stats or variant not in stats:
        return f'Verdict: needs variants ({base}) and ({variant}).'
    parts = []
    for key, better in (('mAP_max', 1), ('AER', -1)):
        if key not in stats[base] or key not in stats[variant]:
            continue
        a_mean, a_lo, a_hi, a_n = stats[base][key]
        f_mean, f_lo, f_hi, f_n = stats[variant][key]
        diff = 100 * (f_mean - a_mean)
        separated = f_lo > a_hi or f_hi < a_lo
        gain = diff * better > 0
        if max(a_n, f_n) < 2:
            spread = (
                'one seed of each, so the seed spread is not measured '
                'and the difference may be noise.'
            )
        elif min(a_n, f_n) < 2:
            if f_n < 2:
                one, many, lo, hi = variant, base, a_lo, a_hi
            else:
                one, many, lo, hi = base, variant, f_lo, f_hi
            spread = (
                f'({one}) has one seed, '
                f'{"outside" if separated else "inside"} the seed range '
                f'of ({many}) ({100 * lo:.2f}-{100 * hi:.2f}); the spread '
                f'of ({one}) is not measured.'
            )
        else:
            spread = (
                f'the seed ranges '
                f'{"do not overlap" if separated else "overlap"}, so the '
                'difference is '
                f'{"outside" if separated else "within"} the seed spread.'
            )
        parts.append(
            f'{key}: {SHORT[variant]} {100 * f_mean:.2f} vs {SHORT[base]} '
            f'{100 * a_mean:.2f} ({diff:+.2f} points, '
            f'{"better" if gain else "worse"}); {spread}'
        )
    title = (
        'Verdict.'
        if (variant, base) == ('f', 'a')
        else (f'({variant}) vs ({base}).')
    )
    return title + ' ' + ' '.join(parts)


def versus_stock(stats, variant) -> str:
    """The variant's mean mAP_max and AER minus the stock head's (a), in
    points, the way each Table 1 part is read against the baseline."""
    if variant == 'a' or 'a' not in stats:
        return ''
    diffs = []
    for key in ('mAP_max', 'AER'):
        if key in stats['a'] and key in stats[variant]:
            diffs.append(
                f'{100 * (stats[variant][key][0] - stats["a"][key][0]):+.2f}'
            )
        else:
            diffs.append('n/a')
    return ' / '.join(diffs)


def device_name() -> str:
    """The machine a run trains on, as the run's file records it."""
    import torch

    if torch.cuda.is_available():
        return torch.cuda.get_device_name(0)
    return f'{os.cpu_count()}-core CPU'


def run_record(variant, seed, metrics, curve, minutes, device) -> dict:
    """What a run's file keeps: the test metrics (``chromosome/`` values,
    without the prefix), the validation curve, the minutes (None for a run
    cut and resumed: they would be the second call's only) and the
    machine."""
    return dict(
        variant=variant,
        seed=seed,
        metrics={
            k.split('/', 1)[1]: v
            for k, v in metrics.items()
            if k.startswith('chromosome/')
        },
        curve=[
            {k: p[k] for k in CURVE_KEYS if p.get(k) is not None}
            for p in curve
        ],
        minutes=minutes,
        device=device,
    )


def run_file(results: str, dataset: str, variant: str, seed: int) -> str:
    return osp.join(results, dataset, f'{variant}_seed{seed}.json')


def load_runs(results: str, dataset: str) -> list:
    """Every run file of ``dataset`` under ``results``, in name order."""
    folder = osp.join(results, dataset)
    if not osp.isdir(folder):
        return []
    records = []
    for name in sorted(os.listdir(folder)):
        if name.endswith('.json'):
            with open(osp.join(folder, name)) as f:
                records.append(json.load(f))
    return records


def by_variant(records) -> dict:
    """``{variant: {seed: record}}``."""
    out = {}
    for rec in records:
        out.setdefault(rec['variant'], {})[int(rec['seed'])] = rec
    return out


def minutes_cell(records) -> str:
    """Mean minutes of a variant's runs per machine; runs that were cut
    and resumed (minutes None) are left out and counted."""
    per_device = {}
    cut = 0
    for rec in records:
        if rec.get('minutes') is None:
            cut += 1
        else:
            per_device.setdefault(rec.get('device'), []).append(rec['minutes'])
    parts = [
        f'{np.mean(m):.1f}' + (f' ({device})' if len(per_device) > 1 else '')
        for device, m in per_device.items()
    ]
    text = '; '.join(parts) if parts else 'n/a'
    return text + (f' ({cut} resumed run(s) left out)' if cut else '')


def format_table(stats, runs, args) -> str:
    """Markdown table in Table 1's row order, each row with the seeds it
    averages over (rows may come from different calls).

    Args:
        stats (dict): From :func:`summarise`.
        runs (dict): ``{variant: {seed: record}}`` (:func:`by_variant`).
        args: ``dataset`` and ``iters``.
    """
    lines = [
        '| | variant | seeds | mAP | mAP_max | AER | Acc | whole-cell | '
        'mAP_max / AER vs (a) | paper mAP / mAP_max / AER / Acc | '
        'min/run |',
        '|---|---|---|---|---|---|---|---|---|---|---|',
    ]
    for variant in sorted(stats):
        row = stats[variant]
        cells = []
        for key in KEYS:
            if key not in row:
                cells.append('n/a')
                continue
            mean, lo, hi, _ = row[key]
            cells.append(f'{100 * mean:.2f} ({100 * lo:.2f}-{100 * hi:.2f})')
        paper = (
            ' / '.join(f'{v:.2f}' for v in PAPER[variant])
            if variant in PAPER
            else 'not in the paper'
        )
        seeds = ' '.join(map(str, sorted(runs[variant])))
        lines.append(
            f'| ({variant}) | {VARIANTS[variant][0]} | {seeds} | '
            + ' | '.join(cells)
            + f' | {versus_stock(stats, variant)} | {paper} | '
            f'{minutes_cell(runs[variant].values())} |'
        )
    budget = args.iters or "the recipe's"
    lines += [
        '',
        f'{args.dataset} data, {budget} iterations of batch 2 per run: '
        'mean (min-max) over the seeds listed, in percent, test set of '
        'held-out cells; "vs (a)" is the difference of the means in '
        'points (AER: lower is better); min/run: training, validation and '
        'test, per machine where a row ran on several.',
        '',
        verdict(stats),
        '',
        *[
            line
            for variant, base in VERDICTS[1:]
            if variant in stats and base in stats
            for line in (verdict(stats, variant, base), '')
        ],
    ]
    return '\n'.join(lines)


def metrics_of(runs) -> dict:
    """``{variant: {seed: metrics}}`` of ``{variant: {seed: record}}``."""
    return {
        v: {seed: rec['metrics'] for seed, rec in by_seed.items()}
        for v, by_seed in runs.items()
    }


def plot_curves(runs, path: str) -> None:
    """Validation mAP and Acc vs iteration, one line per variant: the mean
    over its seeds at the iterations all of them reached, shaded from the
    lowest to the highest seed. Runs whose file has no curve are left
    out, and the legend counts the seeds drawn."""
    import matplotlib

    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for variant in sorted(runs):
        curves = [
            {p['iter']: p for p in rec['curve']}
            for _, rec in sorted(runs[variant].items())
            if rec.get('curve')
        ]
        if not curves:
            continue
        iters = sorted(set.intersection(*(set(c) for c in curves)))
        for ax, key in zip(axes, ('mAP', 'Acc')):
            values = 100 * np.array(
                [[c[i].get(key) or 0.0 for i in iters] for c in curves]
            )
            xs = [0] + iters
            (line,) = ax.plot(
                xs,
                [0.0, *values.mean(0)],
                marker='o',
                label=f'({variant}) {VARIANTS[variant][0]}, '
                f'{len(curves)} seed{"s" * (len(curves) > 1)}',
            )
            if len(curves) > 1:
                ax.fill_between(
                    xs,
                    [0.0, *values.min(0)],
                    [0.0, *values.max(0)],
                    color=line.get_color(),
                    alpha=0.15,
                )
    finish_plot(
        fig,
        axes,
        ('mAP', 'Acc'),
        'training iteration (batch 2)',
        'validation {} (%)',
        '{}: mean over seeds, band = seed range',
        path,
    )


def train_and_test(args, variant, seed, out) -> dict:
    """One run through tools/train.py and tools/test.py; its record."""
    vdir = osp.join(out, f'{variant}_seed{seed}')
    os.makedirs(vdir, exist_ok=True)
    config = osp.join(vdir, 'config.py')
    variant_config(
        variant, args.dataset, args.iters, seed, args.crops, args.cfg_options
    ).dump(config)
    name = f'({variant}) {VARIANTS[variant][0]}, seed {seed}'
    train_args, train_log = train_command(vdir, config)
    start = time.time()
    run_step(f'{name}: training', train_args, train_log, cwd=REPO_ROOT)
    with open(osp.join(vdir, 'train', 'last_checkpoint')) as f:
        ckpt = f.read().strip()
    test_dir = osp.join(vdir, 'test')
    run_step(
        f'{name}: testing',
        [
            sys.executable,
            'tools/test.py',
            config,
            ckpt,
            '--work-dir',
            test_dir,
        ],
        osp.join(vdir, 'test.log'),
        cwd=REPO_ROOT,
    )
    return run_record(
        variant,
        seed,
        read_test_metrics(test_dir),
        read_curve(osp.join(vdir, 'train'), all_runs=True),
        None if was_resumed(vdir) else (time.time() - start) / 60,
        device_name(),
    )


def main():
    args = parse_args()
    out = osp.abspath(osp.join(args.out, args.dataset))
    os.makedirs(out, exist_ok=True)
    # Seed by seed, every variant: a run cut short still compares the
    # variants on the seeds it finished.
    for seed in [] if args.table_only else args.seeds:
        for variant in args.variants:
            path = run_file(args.results, args.dataset, variant, seed)
            if osp.exists(path):
                continue  # finished in an earlier call
            record = train_and_test(args, variant, seed, out)
            os.makedirs(osp.dirname(path), exist_ok=True)
            with open(path, 'w') as f:
                json.dump(record, f, indent=1)
            print(f'results: {path}')
    runs = by_variant(load_runs(args.results, args.dataset))
    table = format_table(summarise(metrics_of(runs)), runs, args)
    print(table)
    with open(osp.join(out, 'ablation.md'), 'w') as f:
        f.write(table)
    plot_curves(runs, osp.join(out, 'ablation_curves.png'))
    print(f'validation curves: {osp.join(out, "ablation_curves.png")}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
