"""Registered metric of the crop classifier."""

import os
import os.path as osp
from typing import List, Optional, Sequence

import numpy as np
from mmdet.registry import METRICS
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from deepacc.chromosomes import CLASSES
from deepacc.visualization import plot_confusion_matrix, save_confusion_csv

from ..functional.crop_classification import crop_classification_scores


@METRICS.register_module()
class CropClassificationMetric(BaseMetric):
    """Accuracy, per-class F1 and polarity accuracy of classified crops.

    Values are fractions under the ``crop/`` prefix: ``accuracy``,
    ``macro_f1`` (mean F1 over the classes present), ``polarity_acc``
    (crops with a known polarity; only for models that predict it) and,
    with ``classwise=True``, ``f1_<class>`` per class. The math is
    :func:`deepacc.evaluation.functional.crop_classification_scores`.

    Args:
        classwise (bool): Also return and log the per-class table.
        out_dir (str, optional): Write ``confusion_matrix.png`` and
            ``.csv`` (counts, Denver-group order) there.
        collect_device (str): See :class:`~mmengine.evaluator.BaseMetric`.
        prefix (str, optional): Key prefix; defaults to ``'crop'``.
    """

    default_prefix: Optional[str] = 'crop'

    def __init__(
        self,
        classwise: bool = False,
        out_dir: Optional[str] = None,
        collect_device: str = 'cpu',
        prefix: Optional[str] = None,
    ) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.classwise = classwise
        self.out_dir = out_dir

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Keep each cell's called and true labels and polarity.

        Args:
            data_batch (dict): The batch (unused).
            data_samples (list[dict]): The classifier's per-cell outputs
                (``pred_labels``, ``gt_labels``, optionally
                ``polarity_probs`` and ``gt_polarity``).
        """
        for sample in data_samples:
            result = dict(
                pred_labels=_numpy(sample['pred_labels']),
                gt_labels=_numpy(sample['gt_labels']),
            )
            if 'polarity_probs' in sample and 'gt_polarity' in sample:
                result.update(
                    polarity_probs=_numpy(sample['polarity_probs']),
                    gt_polarity=_numpy(sample['gt_polarity']),
                )
            self.results.append(result)

    def compute_metrics(self, results: List[dict]) -> dict:
        """The scores over all processed cells."""
        scores = crop_scores(results)
        metrics = dict(
            accuracy=scores['accuracy'], macro_f1=scores['macro_f1']
        )
        if scores['num_polarity']:
            metrics['polarity_acc'] = scores['polarity_acc']
        logger = MMLogger.get_current_instance()
        if self.classwise:
            for name, f1 in zip(CLASSES, scores['f1']):
                metrics[f'f1_{name}'] = float(f1)
            logger.info('\n' + classwise_table(scores))
        if self.out_dir:
            paths = save_crop_confusion(scores['confusion'], self.out_dir)
            logger.info(f'confusion matrix: {", ".join(paths)}')
        return metrics


def _numpy(value) -> np.ndarray:
    if hasattr(value, 'detach'):
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def crop_scores(results: Sequence[dict]) -> dict:
    """:func:`crop_classification_scores` over per-cell result dicts.

    Args:
        results (list[dict]): ``pred_labels``, ``gt_labels`` and
            optionally ``polarity_probs`` / ``gt_polarity`` per cell.

    Returns:
        dict: The scores (see :func:`crop_classification_scores`).
    """

    def cat(key):
        if not results or any(key not in r for r in results):
            return None
        return np.concatenate([_numpy(r[key]).reshape(-1) for r in results])

    return crop_classification_scores(
        cat('pred_labels'),
        cat('gt_labels'),
        cat('polarity_probs'),
        cat('gt_polarity'),
    )


def classwise_table(scores: dict) -> str:
    """Per-class precision, recall, F1 and support as aligned text.

    Args:
        scores (dict): Output of :func:`crop_classification_scores`.

    Returns:
        str: The table.
    """
    lines = [f'{"class":>5} {"prec":>6} {"recall":>6} {"F1":>6} {"n":>5}']
    for k, name in enumerate(CLASSES):
        lines.append(
            f'{name:>5} {scores["precision"][k]:6.3f} '
            f'{scores["recall"][k]:6.3f} {scores["f1"][k]:6.3f} '
            f'{int(scores["support"][k]):5d}'
        )
    return '\n'.join(lines)


def save_crop_confusion(
    confusion: np.ndarray, out_dir: str, title: Optional[str] = None
) -> List[str]:
    """Save a crop confusion matrix as PNG and CSV.

    The detector's picture (:mod:`deepacc.visualization.confusion_matrix`)
    is reused; its 'spurious' row and 'missed' column stay empty for
    crops, which are all chromosomes and all called.

    Args:
        confusion (np.ndarray): (num_classes, num_classes) counts.
        out_dir (str): Output folder.
        title (str, optional): Figure title.

    Returns:
        list[str]: The PNG and CSV paths.
    """
    n = len(confusion)
    matrix = np.zeros((n + 1, n + 1), np.int64)
    matrix[:n, :n] = confusion
    os.makedirs(out_dir, exist_ok=True)
    png = osp.join(out_dir, 'confusion_matrix.png')
    csv_path = osp.join(out_dir, 'confusion_matrix.csv')
    plot_confusion_matrix(
        matrix,
        png,
        title=title or f'crop classification ({int(confusion.sum())} crops)',
    )
    save_confusion_csv(matrix, csv_path)
    return [png, csv_path]
