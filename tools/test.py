"""Evaluate a checkpoint: ``python tools/test.py CONFIG CHECKPOINT ...``.

The same arguments as mmdet's ``tools/test.py``, which this runs after
registering deepacc's modules.
"""

from deepacc.engine.mmdet_tools import run_mmdet_tool

if __name__ == '__main__':
    run_mmdet_tool('test.py')
