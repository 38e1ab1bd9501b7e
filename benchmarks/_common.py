"""What the benchmark scripts share.

They run from a checkout: ``tools/*.py`` and the configs' relative data
paths (``../shared/data/...``) are read from the repository root.
"""

import os.path as osp

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
