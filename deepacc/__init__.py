"""deepacc: automatic karyotyping from whole metaphase images.

``import deepacc`` registers every deepacc module (datasets, models, losses,
metrics) into mmdet's registries; configs load it with
``custom_imports = dict(imports=['deepacc'])``.
"""

__version__ = '0.1.0'

from . import datasets, evaluation, models, structures  # noqa: F401,E402
from .engine import register_checkpoint_safe_globals  # noqa: E402

register_checkpoint_safe_globals()
