from typing import List, Optional, Sequence

import numpy as np
from mmdet.registry import METRICS
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from deepacc.clusters import CHROMOSOME_TYPES, CLUSTER_TYPES
from deepacc.clusters.types import two_way

from ..functional import cluster_type_scores, type_confusion
from ..functional.inputs import to_numpy


@METRICS.register_module()
class ClusterTypeMetric(BaseMetric):
    """Cluster-type identification scores (Lin et al., ResNeXt-WSL).

    Values are fractions in [0, 1] under the ``cluster/`` prefix:

    * ``accuracy``, ``sensitivity``, ``specificity`` -- over every typed
      object (see :func:`cluster_type_scores`; the last two are macro
      averages over the types present);
    * ``paper_accuracy``, ``paper_sensitivity``, ``paper_specificity`` --
      the same over the objects that are chromosomes (the paper's four
      types: single, touching, overlapping, touching+overlapping); a
      chromosome object called debris or nucleus is an error;
      (specificity among the chromosome objects);
    * ``two_way_accuracy`` -- over those objects, single vs cluster
      (any of the three cluster types), debris / nucleus calls wrong;
    * ``sensitivity_<type>``, ``specificity_<type>`` -- per type, over
      every typed object;
    * ``num_objects``, ``num_fragments`` -- objects scored, and pieces
      of chromosomes left out (no type).

    Args:
        classes (list[str]): Type names, in label order.
        collect_device (str): ``'cpu'`` or ``'gpu'``.
        prefix (str, optional): Key prefix; defaults to ``cluster``.
    """

    default_prefix: Optional[str] = 'cluster'

    def __init__(
        self,
        classes: Sequence[str] = CLUSTER_TYPES,
        collect_device: str = 'cpu',
        prefix: Optional[str] = None,
    ) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.classes = tuple(classes)

    def process(self, data_batch, data_samples: Sequence) -> None:
        for sample in data_samples:
            self.results.append(
                dict(
                    truth=to_numpy(sample.get('gt_labels'), np.int64),
                    pred=to_numpy(sample.get('pred_labels'), np.int64),
                )
            )

    def compute_metrics(self, results: List[dict]) -> dict:
        truth = np.concatenate([r['truth'].reshape(-1) for r in results])
        pred = np.concatenate([r['pred'].reshape(-1) for r in results])
        out = cluster_metrics(truth, pred, self.classes)
        # Scalars only for the logger; the benchmark and the CLI draw it.
        self.confusion = out.pop('confusion')
        logger = MMLogger.get_current_instance()
        logger.info(
            'cluster types: '
            + ', '.join(
                f'{name} sens {out[f"sensitivity_{name}"]:.3f} spec '
                f'{out[f"specificity_{name}"]:.3f}'
                for name in self.classes
            )
        )
        return out


def cluster_metrics(
    truth: np.ndarray, pred: np.ndarray, classes: Sequence[str]
) -> dict:
    """The metric's flat dict of numbers from true and predicted labels.

    Args:
        truth (np.ndarray): (N,) true type indices (-1: fragment).
        pred (np.ndarray): (N,) predicted type indices.
        classes (list[str]): Type names.

    Returns:
        dict: See :class:`ClusterTypeMetric`, plus ``confusion`` (the
        (C, C) matrix over every typed object).
    """
    num = len(classes)
    truth = np.asarray(truth, np.int64).reshape(-1)
    pred = np.asarray(pred, np.int64).reshape(-1)
    confusion = type_confusion(truth, pred, num)
    every = cluster_type_scores(confusion)
    chrom = truth < len(CHROMOSOME_TYPES)
    chrom &= truth >= 0
    paper = cluster_type_scores(type_confusion(truth[chrom], pred[chrom], num))
    coarse = two_way(pred[chrom]) == two_way(truth[chrom])
    out = dict(
        accuracy=every['accuracy'],
        sensitivity=every['macro_sensitivity'],
        specificity=every['macro_specificity'],
        paper_accuracy=paper['accuracy'],
        paper_sensitivity=paper['macro_sensitivity'],
        paper_specificity=paper['macro_specificity'],
        two_way_accuracy=float(coarse.mean()) if coarse.size else np.nan,
        num_objects=every['num_objects'],
        num_fragments=int((truth < 0).sum()),
    )
    for k, name in enumerate(classes):
        out[f'sensitivity_{name}'] = float(every['sensitivity'][k])
        out[f'specificity_{name}'] = float(every['specificity'][k])
    out['confusion'] = confusion
    return out
