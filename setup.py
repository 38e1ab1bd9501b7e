"""Build hook: ship ``configs/`` and ``tools/`` inside the package.

Everything else is in ``pyproject.toml``. As mmdet's ``add_mim_extension``
does for ``mmdet/.mim``, a built wheel (``pip install .``) gets copies of
the repository's ``configs/`` and ``tools/`` under ``deepacc/.mim/``,
where :func:`deepacc.utils.get_config_path` finds them. An editable
install (``pip install -e .``) copies nothing: it reads the checkout's
own folders.
"""

import os.path as osp
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

MIM_FOLDERS = ('configs', 'tools')


class BuildPyWithMim(build_py):
    """``build_py`` that also copies :data:`MIM_FOLDERS` into
    ``deepacc/.mim/`` of the build."""

    def run(self):
        super().run()
        if self.editable_mode:
            return
        here = osp.dirname(osp.abspath(__file__))
        for folder in MIM_FOLDERS:
            target = osp.join(self.build_lib, 'deepacc', '.mim', folder)
            # An earlier build's copy may hold files removed since.
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(
                osp.join(here, folder),
                target,
                ignore=shutil.ignore_patterns('__pycache__', '*.pyc'),
            )


setup(cmdclass={'build_py': BuildPyWithMim})
