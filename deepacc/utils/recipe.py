"""Running a recipe in steps: a shorter schedule, logged tool runs and
their test metrics (used by the demo and the benchmarks)."""

import glob
import json
import os
import os.path as osp
import subprocess
import sys
import time
from typing import Dict, List, Optional


def schedule_options(
    max_iters: int, lr: float, warmup_iters: int = 100
) -> dict:
    """Options (for ``Config.merge_from_dict``) that give an AdamW CPU
    recipe (``configs/_base_/schedules/adamw_cpu_*.py``) another budget
    and peak rate.

    mmengine resolves the base's variables where they are written, so
    the optimizer's rate, the loop, the scheduler and the checkpoint hook
    are restated: a linear warm-up over ``warmup_iters`` (at most a
    quarter of the budget), then a cosine decay to ``lr / 100``.

    Args:
        max_iters (int): Training iterations.
        lr (float): Peak learning rate.
        warmup_iters (int): Warm-up iterations.

    Returns:
        dict: Nested options; ``param_scheduler`` replaces the recipe's.
    """
    warmup_iters = min(warmup_iters, max(max_iters // 4, 1))
    return dict(
        max_iters=max_iters,
        optim_wrapper=dict(optimizer=dict(lr=lr)),
        train_cfg=dict(max_iters=max_iters, val_interval=max_iters),
        param_scheduler=[
            dict(
                type='LinearLR',
                start_factor=0.01,
                by_epoch=False,
                begin=0,
                end=warmup_iters,
            ),
            dict(
                type='CosineAnnealingLR',
                eta_min=lr * 0.01,
                by_epoch=False,
                begin=warmup_iters,
                end=max_iters,
            ),
        ],
        default_hooks=dict(
            checkpoint=dict(
                by_epoch=False, interval=max_iters, max_keep_ckpts=1
            )
        ),
    )


def run_step(
    title: str, args: List[str], log_file: str, cwd: Optional[str] = None
) -> str:
    """Run one command, streaming its output to the console and a log.

    Args:
        title (str): What the step does, printed before and after it.
        args (list[str]): The command.
        log_file (str): Where its output is written as well.
        cwd (str, optional): Its working directory (default: this one).

    Returns:
        str: Its output (stdout and stderr).

    Raises:
        SystemExit: When the command fails.
    """
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
            cwd=cwd,
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
    """The metrics mmengine's Runner saved for the latest test run in
    the work dir ``test_dir``."""
    files = sorted(
        glob.glob(osp.join(test_dir, '*', '*.json')), key=osp.getmtime
    )
    if not files:
        raise SystemExit(f'no metrics json under {test_dir}')
    with open(files[-1]) as f:
        return json.load(f)
