import os.path as osp
import runpy
import sys
from typing import List, Optional

import mmdet

from deepacc.engine.distributed import (
    close_cpu_distributed,
    init_cpu_distributed,
)


def launcher_from_argv(argv: List[str]) -> str:
    """The value of ``--launcher`` in an mmdet tool's arguments."""
    for i, arg in enumerate(argv):
        if arg == '--launcher' and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith('--launcher='):
            return arg.split('=', 1)[1]
    return 'none'


def run_mmdet_tool(name: str, argv: Optional[List[str]] = None) -> None:
    """Run one of mmdet's own tools (``train.py``, ``test.py``) unchanged.

    Every deepacc module is registered (this module is imported with
    ``deepacc``; configs also say so with ``custom_imports``), and a
    ``torchrun`` job on a CPU-only host gets a gloo process group (see
    :func:`init_cpu_distributed`), ended when the tool returns
    (:func:`close_cpu_distributed`).

    Args:
        name (str): File name under ``mmdet/.mim/tools``.
        argv (list[str], optional): The tool's arguments; defaults to
            ``sys.argv[1:]``.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    started = init_cpu_distributed(launcher_from_argv(argv))
    tool = osp.join(osp.dirname(mmdet.__file__), '.mim', 'tools', name)
    if not osp.isfile(tool):
        raise FileNotFoundError(
            f"{tool} is missing: deepacc runs mmdet {mmdet.__version__}'s "
            'own tools, installed with mmdet (pip install mmdet==3.3.0)'
        )
    sys.argv = [tool] + argv
    finished = False
    try:
        runpy.run_path(tool, run_name='__main__')
        finished = True
    finally:
        if started:
            close_cpu_distributed(finished)
