"""Where a training step of a config spends its time, and what a setting costs.

One training step (forward, loss, backward, optimiser step) of a config's
model on two images of the config's own training set (the on-the-fly
datasets need no files), profiled with ``torch.profiler``: the operators
that take the most CPU time. With ``--compare KEY V1 V2 ...`` the model is
also built with each value of one config key (dotted, as
``--cfg-options`` takes it) and the steps are timed interleaved, median of
``--repeats``, printed as ratios to the first value. The models share
their initial weights and use lr 0 with a reseeded sampler, so every
variant sees the same proposals and RoIs. ``--checkpoint`` starts them
from trained weights: a trained RPN proposes, and the sampler draws RoIs,
as in late training (with the initial weights proposals are random).

No assertions: timings depend on the machine. Usage::

    python benchmarks/step_profile.py \\
        configs/deepacc/deepacc_r18-c32_fpn_2100it_synth-cpu.py \\
        --compare model.roi_head.bbox_roi_extractor.roi_layer.sampling_ratio \\
        0 2 1
    # the backbone's width, with the neck's input widths that go with it
    python benchmarks/step_profile.py \\
        configs/deepacc/deepacc_r18-c32_fpn_2100it_synth-cpu.py \\
        --compare model.backbone.base_channels 64 32 \\
        --also model.neck.in_channels "[64, 128, 256, 512]" \\
        "[32, 64, 128, 256]"
"""

import argparse
import ast
import os.path as osp
import statistics
import sys
import time

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))

from head_overhead import train_step  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument(
        '--compare',
        nargs='+',
        metavar=('KEY', 'VALUE'),
        help='a config key and the values to time it at',
    )
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--top', type=int, default=12, help='ops listed')
    parser.add_argument('--threads', type=int, default=None)
    parser.add_argument(
        '--checkpoint',
        help='start every variant from these weights (a trained model '
        'proposes and samples RoIs as late training does; default: the '
        "config's initial weights)",
    )
    parser.add_argument(
        '--also',
        nargs='+',
        action='append',
        default=[],
        metavar=('KEY', 'VALUE'),
        help='another key set with each --compare value, one value per '
        '--compare value (e.g. the neck widths that go with a backbone '
        'width); may be repeated',
    )
    return parser.parse_args()


def build(config: str, settings=None, checkpoint=None):
    """The config (with ``settings``, ``{dotted key: value}``, merged) and
    its model (lr-0 SGD), with the weights of ``checkpoint`` if one is
    given."""
    import torch
    from mmdet.registry import MODELS
    from mmdet.utils import register_all_modules
    from mmengine.config import Config
    from mmengine.logging import MMLogger

    import deepacc  # noqa: F401

    register_all_modules()
    cfg = Config.fromfile(config)
    if settings:
        cfg.merge_from_dict(settings)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    MMLogger.get_current_instance().setLevel('WARNING')
    model.init_weights()
    if checkpoint:
        from mmengine.runner import load_checkpoint

        load_checkpoint(model, checkpoint, map_location='cpu')
    optim = torch.optim.SGD(model.parameters(), lr=0.0, momentum=0.9)
    return cfg, model, optim


def training_batch(cfg) -> dict:
    """Two items of the config's training set, collated."""
    from mmdet.registry import DATASETS

    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    items = [dataset[i] for i in range(2)]
    return {k: [item[k] for item in items] for k in items[0]}


def literal(text: str):
    """``'2'`` -> 2, ``'[1, 2]'`` -> [1, 2]; anything else stays text."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def main():
    import torch
    from torch.profiler import profile

    args = parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f'{args.config}, {torch.get_num_threads()} torch threads')
    if args.compare and len(args.compare) < 2:
        raise SystemExit('--compare needs a key and at least one value')
    key = args.compare[0] if args.compare else None
    values = [literal(v) for v in args.compare[1:]] if key else [None]
    also = []
    for item in args.also:
        if len(item) != len(values) + 1:
            raise SystemExit(
                f'--also {item[0]}: {len(item) - 1} values for '
                f'{len(values)} --compare values'
            )
        also.append((item[0], [literal(v) for v in item[1:]]))
    runs = {}
    for k, v in enumerate(values):
        settings = {key: v} if key else {}
        settings.update({name: vs[k] for name, vs in also})
        runs[str(v)] = build(args.config, settings, args.checkpoint)
    first = str(values[0])
    # One batch for all: a setting that changes the data is not compared.
    batch = training_batch(runs[first][0])
    for _, model, optim in runs.values():
        train_step(model, optim, batch)  # warm-up
    _, model, optim = runs[first]
    with profile() as prof:
        train_step(model, optim, batch)
    what = f' ({key}={first})' if key else ''
    print(f'\nOne step{what}, by operator:')
    print(
        prof.key_averages().table(
            sort_by='self_cpu_time_total', row_limit=args.top
        )
    )
    times = {v: [] for v in runs}
    for _ in range(args.repeats):
        for v, (_, model, optim) in runs.items():
            start = time.perf_counter()
            train_step(model, optim, batch)
            times[v].append(time.perf_counter() - start)
    base = statistics.median(times[first])
    print(f'median of {args.repeats} interleaved steps:')
    for v, ts in times.items():
        label = f'{key}={v}' if key else args.config
        median = statistics.median(ts)
        print(f'  {label}: {median:.3f} s ({median / base:.3f})')


if __name__ == '__main__':
    main()
