"""A checkpoint to ship (weights and meta only); same as ``deepacc publish``.

    python tools/model_converters/publish_model.py \
        work_dirs/run/iter_2100.pth published.pth --fp16
"""

import sys

from deepacc.cli import main

if __name__ == '__main__':
    sys.exit(main(['publish'] + sys.argv[1:]))
