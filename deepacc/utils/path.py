"""Where deepacc's configs and tools are: in the checkout or installed."""

import os.path as osp

# The folder of the deepacc package (``deepacc/``).
PACKAGE_DIR = osp.dirname(osp.dirname(osp.abspath(__file__)))


def _shipped_folder(name: str) -> str:
    """``deepacc/.mim/<name>`` of a wheel install, else the checkout's
    ``<name>/`` beside the package (a clone or an editable install)."""
    installed = osp.join(PACKAGE_DIR, '.mim', name)
    if osp.isdir(installed):
        return installed
    return osp.join(osp.dirname(PACKAGE_DIR), name)


def get_config_path(relative: str = '') -> str:
    """Absolute path of a config shipped with deepacc.

    The repository's ``configs/`` is the copy users browse; ``setup.py``
    copies it into ``deepacc/.mim/configs`` of a wheel (as mmdet ships
    ``mmdet/.mim/configs``), so ``pip install .`` finds the same files.
    ``_base_`` paths inside them are relative, so inheritance works from
    either place.

    Args:
        relative (str): Path under ``configs/``, e.g.
            ``'deepacc/deepacc_r18-c32_fpn_2100it_synth-cpu.py'``; empty
            for the folder itself.

    Returns:
        str: The absolute path (whether or not such a file exists).
    """
    root = _shipped_folder('configs')
    return osp.join(root, relative) if relative else root


def get_tool_path(relative: str = '') -> str:
    """Absolute path of a script of ``tools/`` (``'train.py'``), found as
    :func:`get_config_path` finds configs.

    Args:
        relative (str): Path under ``tools/``; empty for the folder.

    Returns:
        str: The absolute path (whether or not such a file exists).
    """
    root = _shipped_folder('tools')
    return osp.join(root, relative) if relative else root
