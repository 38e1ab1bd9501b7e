from .formatting import PackChromosomeInputs
from .loading import LoadChromosomeAnnotations

__all__ = ['LoadChromosomeAnnotations', 'PackChromosomeInputs']
