"""Pictures: the confusion matrix (matplotlib, imported lazily)."""

from .confusion_matrix import (
    confusion_labels,
    plot_confusion_matrix,
    save_confusion_csv,
)

__all__ = ['confusion_labels', 'plot_confusion_matrix', 'save_confusion_csv']
