"""Weights-only loading of the checkpoints mmengine's Runner writes.

torch >= 2.6 loads with ``weights_only=True`` by default, and the Runner's
checkpoints carry a few non-tensor objects in their ``message_hub``:
mmengine's ``HistoryBuffer`` (whose pickle refers to its statistics methods
through ``getattr(HistoryBuffer, 'mean')`` and so on) and numpy arrays and
scalars. Rather than switching the safety off
(``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1`` runs arbitrary pickled code), we
allow exactly those: the numpy types, ``HistoryBuffer``, and in place of
the builtin ``getattr`` a version that only looks up HistoryBuffer's
registered statistics methods. Anything else in a checkpoint is still
refused.
"""

import pickle
from typing import Callable, List, Tuple, Union

import numpy as np
import torch
from mmengine.logging.history_buffer import HistoryBuffer

try:  # numpy >= 2
    from numpy._core.multiarray import _reconstruct, scalar
except ImportError:  # numpy 1.x
    from numpy.core.multiarray import _reconstruct, scalar


def history_buffer_getattr(obj: object, name: str) -> Callable:
    """``getattr`` restricted to ``HistoryBuffer``'s statistics methods.

    Raises:
        pickle.UnpicklingError: For any other object or attribute.
    """
    # The four built-in statistics are registered lazily (on the first
    # HistoryBuffer), user ones with HistoryBuffer.register_statistics.
    allowed = {'min', 'max', 'current', 'mean'}
    allowed.update(HistoryBuffer._statistics_methods)
    if obj is HistoryBuffer and name in allowed:
        return getattr(HistoryBuffer, name)
    raise pickle.UnpicklingError(
        f'checkpoint asks for getattr({obj!r}, {name!r}); deepacc allows '
        'getattr only for mmengine HistoryBuffer statistics methods'
    )


def checkpoint_safe_globals() -> List[Union[object, Tuple[object, str]]]:
    """The non-tensor globals an mmengine Runner checkpoint contains."""
    # Unpickling a dtype sets state on its class (numpy.dtypes.Float64DType
    # and so on): the numeric kinds only, no object or void dtypes.
    numeric = [
        type(np.dtype(kind + str(size)))
        for kind, sizes in (
            ('b', (1,)),
            ('i', (1, 2, 4, 8)),
            ('u', (1, 2, 4, 8)),
            ('f', (2, 4, 8)),
            ('c', (8, 16)),
        )
        for size in sizes
    ]
    return [
        HistoryBuffer,
        _reconstruct,
        scalar,
        np.ndarray,
        np.dtype,
        (history_buffer_getattr, 'builtins.getattr'),
    ] + list(dict.fromkeys(numeric))


def register_checkpoint_safe_globals() -> None:
    """Allow the Runner's checkpoint globals for ``torch.load``."""
    add = getattr(torch.serialization, 'add_safe_globals', None)
    if add is not None:  # torch < 2.4 loads everything anyway
        add(checkpoint_safe_globals())


def publish_checkpoint(checkpoint: dict, fp16: bool = False) -> dict:
    """The part of a Runner checkpoint a user needs to run the model.

    As mmdet's ``tools/model_converters/publish_model.py``: the weights
    and the ``meta`` (config text, classes, the training chromosome width
    that ``--scale auto`` reads), without the optimizer state, the
    message hub and the schedulers, which only resuming needs.

    Args:
        checkpoint (dict): As ``torch.load`` reads a Runner checkpoint
            (``state_dict`` and ``meta``).
        fp16 (bool): Store floating-point weights as float16 (half the
            size; loading casts them back to the model's float32).

    Returns:
        dict: ``{'meta': ..., 'state_dict': ...}``.

    Raises:
        KeyError: No ``state_dict`` in ``checkpoint``.
    """
    if 'state_dict' not in checkpoint:
        raise KeyError(
            'not a Runner checkpoint: no state_dict (keys: '
            f'{sorted(checkpoint)})'
        )
    weights = {}
    for name, value in checkpoint['state_dict'].items():
        if fp16 and torch.is_floating_point(value):
            value = value.half()
        weights[name] = value
    return dict(meta=dict(checkpoint.get('meta', {})), state_dict=weights)
