"""Train a detector: ``python tools/train.py CONFIG [--work-dir DIR] ...``.

The same arguments as mmdet's ``tools/train.py``, which this runs after
registering deepacc's modules.
"""

from deepacc.engine.mmdet_tools import run_mmdet_tool

if __name__ == '__main__':
    run_mmdet_tool('train.py')
