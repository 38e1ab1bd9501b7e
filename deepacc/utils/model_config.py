"""The config of a trained model: given, or the one in its checkpoint."""

import os
import os.path as osp
from typing import Optional, Sequence, Union


def load_model_config(
    checkpoint,
    config=None,
    model_type: Optional[Union[str, Sequence[str]]] = None,
):
    """The model config: ``config`` (file or Config), else the one the
    Runner stored in ``checkpoint`` (``meta['cfg']``).

    Args:
        checkpoint (str): Checkpoint written by an mmengine Runner.
        config (str | Config, optional): Config file or object.
        model_type (str | Sequence[str], optional): The model type (or
            types) the config must build (e.g.
            ``'ClusterTypeClassifier'``); checked when given.

    Raises:
        FileNotFoundError: No checkpoint file.
        ValueError: Neither a config nor one inside the checkpoint, or a
            config whose model is not ``model_type``.
    """
    import torch
    from mmengine.config import Config

    if not osp.isfile(os.fspath(checkpoint)):
        raise FileNotFoundError(f'checkpoint {checkpoint}: no such file')
    if config is None:
        meta = torch.load(checkpoint, map_location='cpu').get('meta', {})
        text = meta.get('cfg')
        if not text:
            raise ValueError(
                f'{checkpoint}: holds no config (not written by an '
                'mmengine Runner?); pass its config'
            )
        config = Config.fromstring(text, '.py')
    elif not isinstance(config, Config):
        config = Config.fromfile(os.fspath(config))
    found = str(config.model.get('type', '')).split('.')[-1]
    types = [model_type] if isinstance(model_type, str) else model_type
    if types is not None and found not in types:
        raise ValueError(
            f'{checkpoint}: its model is {config.model.get("type")!r}, '
            f'not a {" or ".join(types)}'
        )
    return config
