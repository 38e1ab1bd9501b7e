from .checkpoint import (
    checkpoint_safe_globals,
    publish_checkpoint,
    register_checkpoint_safe_globals,
)
from .distributed import init_cpu_distributed
from .hooks import ChromosomeScaleHook
from .mmdet_tools import run_mmdet_tool

__all__ = [
    'ChromosomeScaleHook',
    'checkpoint_safe_globals',
    'publish_checkpoint',
    'register_checkpoint_safe_globals',
    'init_cpu_distributed',
    'run_mmdet_tool',
]
