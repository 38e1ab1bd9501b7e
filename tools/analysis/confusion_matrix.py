"""Confusion matrix (PNG + CSV) of a test run; same as ``deepacc confusion``.

    python tools/test.py CONFIG CKPT --out results.pkl
    python tools/analysis/confusion_matrix.py results.pkl \
        --ann-file data/chromosome/annotations/test.json --out work_dirs/cm
"""

import sys

from deepacc.cli import main

if __name__ == '__main__':
    sys.exit(main(['confusion'] + sys.argv[1:]))
