"""The detector deepacc ships: trained on generated cells alone.

Its weights (float16, ``deepacc publish --fp16``) lie beside this file;
its model card (config, data, seed, measured figures) is this folder's
``README.md``. ``deepacc karyotype IMAGES --out DIR`` and ``make demo``
use it when no config and checkpoint are given. It is trained only on
what deepacc's own generator draws (no crops of any lab), which is why
it may be shipped.
"""

import os.path as osp
from typing import Tuple

from deepacc.utils.path import get_config_path

# Under configs/.
PRETRAINED_CONFIG = (
    'deepacc/deepacc_r18-c32_fpn_2100it_synth-real-look-wide-gaps-cpu.py'
)
PRETRAINED_WEIGHTS = osp.join(
    osp.dirname(osp.abspath(__file__)),
    'deepacc_r18-c32_fpn_2100it_synth-real-look-wide-gaps_fp16.pth',
)


def pretrained_detector() -> Tuple[str, str]:
    """The shipped detector's config and weights.

    Returns:
        tuple[str, str]: Absolute paths of the config and the checkpoint.

    Raises:
        FileNotFoundError: Either file is missing (an install without the
            package data).
    """
    config = get_config_path(PRETRAINED_CONFIG)
    for path in (config, PRETRAINED_WEIGHTS):
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'{path}: the shipped detector is missing from this '
                'install; pass a config and a checkpoint instead'
            )
    return config, PRETRAINED_WEIGHTS
