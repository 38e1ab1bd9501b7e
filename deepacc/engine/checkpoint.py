"""Weights-only loading of the checkpoints mmengine's Runner writes.

torch >= 2.6 loads with ``weights_only=True`` by default, and the Runner's
checkpoints carry a few non-tensor objects in their ``message_hub`` and
``meta`` (mmengine's ``HistoryBuffer``, numpy arrays and scalars). Rather
than switching the safety off (``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1`` runs
arbitrary pickled code), we allow exactly those types; anything else in a
checkpoint is still refused.
"""
from typing import List

import numpy as np
import torch


def checkpoint_safe_globals() -> List[object]:
    """The non-tensor types an mmengine Runner checkpoint contains."""
    from mmengine.logging.history_buffer import HistoryBuffer

    try:  # numpy >= 2
        from numpy._core.multiarray import _reconstruct, scalar
    except ImportError:  # numpy 1.x
        from numpy.core.multiarray import _reconstruct, scalar
    dtype_classes = [type(np.dtype(t)) for t in np.sctypeDict.values()]
    return [HistoryBuffer, _reconstruct, scalar, np.ndarray, np.dtype
            ] + sorted(set(dtype_classes), key=lambda c: c.__name__)


def register_checkpoint_safe_globals() -> None:
    """Allow the Runner's checkpoint types for ``torch.load``."""
    add = getattr(torch.serialization, 'add_safe_globals', None)
    if add is not None:  # torch < 2.4 loads everything anyway
        add(checkpoint_safe_globals())
