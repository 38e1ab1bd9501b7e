"""The ``deepacc`` console command.

Each subcommand lives in its own module of this package with two functions,
``add_arguments(parser)`` and ``run(args) -> int``. (``import deepacc``
registers every module with mmdet, so even ``--help`` pays for importing
mmdet: a few seconds.)
"""

import argparse
import importlib
import os.path as osp
import sys
from typing import List, Optional

# name -> (module, one-line help)
COMMANDS = {
    'synth': (
        'deepacc.cli.synth',
        'generate synthetic G-banded metaphases with COCO labels',
    ),
    'convert': (
        'deepacc.cli.convert',
        'convert VOC / YOLO / LabelMe annotations to COCO',
    ),
    'compose': (
        'deepacc.cli.compose',
        'compose metaphases from labelled single-chromosome crops',
    ),
    'split': (
        'deepacc.cli.split',
        'split a COCO file into train/val/test by image',
    ),
    'karyotype': (
        'deepacc.cli.karyotype',
        'detect, count and draw karyograms for images',
    ),
    'confusion': (
        'deepacc.cli.confusion',
        'confusion matrix (PNG + CSV) from a results file',
    ),
    'classify': (
        'deepacc.cli.classify',
        'train, evaluate and run a single-chromosome crop classifier',
    ),
    'clusters': (
        'deepacc.cli.clusters',
        'outline the objects of images, typed as single or cluster',
    ),
    'scale': (
        'deepacc.cli.scale',
        "measure a model's training chromosome width into its checkpoint",
    ),
    'publish': (
        'deepacc.cli.publish',
        'a checkpoint to ship: weights and meta only, optionally float16',
    ),
}


def add_cell_split_arguments(parser: argparse.ArgumentParser) -> None:
    """``--cell-ratios`` and ``--cell-seed``: how cells are split by id
    (:func:`deepacc.datasets.split_cells`), shared by the commands that
    read crops."""
    parser.add_argument(
        '--cell-ratios',
        type=float,
        nargs='+',
        default=[3, 1, 1],
        metavar='RATIO',
        help='train/val/test split of the cells (default: 3 1 1)',
    )
    parser.add_argument('--cell-seed', type=int, default=0)


def check_checkpoint_rewrite(
    checkpoint: str, out: Optional[str], force: bool
) -> None:
    """Before a command writes a copy of a checkpoint (``scale``,
    ``publish``): the checkpoint exists and ``out`` is not overwritten
    without ``--force``.

    Raises:
        SystemExit: Naming the file that is wrong.
    """
    if not osp.isfile(checkpoint):
        raise SystemExit(f'{checkpoint}: no such checkpoint')
    if out and osp.exists(out) and not force:
        raise SystemExit(f'{out} exists; pass --force to overwrite it')


def load_runner_checkpoint(checkpoint: str) -> dict:
    """``torch.load`` of a Runner checkpoint (a dict) on the CPU.

    Raises:
        SystemExit: The file does not hold a dict.
    """
    import torch

    import deepacc  # noqa: F401  (safe checkpoint globals)

    state = torch.load(checkpoint, map_location='cpu')
    if not isinstance(state, dict):
        raise SystemExit(f'{checkpoint}: not a Runner checkpoint')
    return state


def parse_cfg_options(pairs: Optional[List[str]]) -> Optional[dict]:
    """``--cfg-options KEY=VALUE ...`` as the dict ``Config.merge_from_dict``
    takes (mmengine's ``DictAction``, as ``tools/train.py`` reads them);
    None for no pairs."""
    if not pairs:
        return None
    from mmengine.config import DictAction

    parser = argparse.ArgumentParser()
    parser.add_argument('--o', nargs='+', action=DictAction)
    return parser.parse_args(['--o'] + list(pairs)).o


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog='deepacc',
        description='deepacc: automatic karyotyping with MMDetection.',
    )
    sub = parser.add_subparsers(dest='command', metavar='COMMAND')
    sub.required = True
    modules = {}
    for name, (module, help_text) in COMMANDS.items():
        sub_parser = sub.add_parser(
            name, help=help_text, description=help_text
        )
        mod = importlib.import_module(module)
        mod.add_arguments(sub_parser)
        modules[name] = mod
    args = parser.parse_args(argv)
    return int(modules[args.command].run(args) or 0)


if __name__ == '__main__':
    sys.exit(main())
