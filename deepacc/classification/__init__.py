"""Single-chromosome crops classified one cell at a time.

:class:`CropClassifier` is the Python API of ``deepacc classify predict``;
:mod:`.cell_reading` reads a cell's crops together as a karyotype. Nothing
here is registered in mmdet's registries (the model is
:class:`deepacc.models.ChromosomeCropClassifier`), so ``import deepacc``
does not import this package.
"""

from .cell_reading import cell_karyotype, compare_readings, read_cell
from .inferencer import CropClassifier

__all__ = [
    'CropClassifier',
    'cell_karyotype',
    'compare_readings',
    'read_cell',
]
