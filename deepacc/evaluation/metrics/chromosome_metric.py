from typing import List, Optional, Sequence

import numpy as np
from mmdet.registry import METRICS
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from deepacc.chromosomes import CLASSES
from deepacc.structures import top1_from_multiclass

from ..functional import AP_STYLES, eval_class_ap, karyotype_errors
from ..functional.inputs import to_numpy

_SUMMARY_KEYS = (
    'mAP',
    'mAP_max',
    'Acc',
    'AER',
    'whole_cell_correct',
    'err_within_group',
    'err_across_group',
    'missed',
    'spurious',
)


@METRICS.register_module()
class ChromosomeMetric(BaseMetric):
    """The DeepACC paper's metrics plus karyotype-level numbers.

    All values are fractions in [0, 1] (AER can exceed 1), under the
    ``chromosome/`` prefix:

    * ``mAP`` -- AP at ``iou_thr`` over the 24 classes of mmdet's usual
      output (one box per proposal and class);
    * ``mAP_max`` -- the same over the top-1 detections
      (``pred_top1_instances``; each proposal only with its best class);
    * ``Acc``, ``AER`` -- top-1 calls with score >= ``score_thr`` after
      class-agnostic NMS at ``nms_iou``, matched one-to-one to the ground
      truth at ``iou_thr`` (see
      :mod:`deepacc.evaluation.functional.karyotype_errors`): Acc = TP /
      calls, AER = (FP + FN) / chromosomes, a found but misclassified
      chromosome counting once (``strict=True``: twice);
    * ``whole_cell_correct`` -- fraction of images whose per-class call
      counts equal the truth;
    * ``err_within_group`` / ``err_across_group`` -- misclassified
      chromosomes whose call is in the same / another Denver group,
      ``missed`` -- chromosomes no call found, ``spurious`` -- calls on no
      chromosome, each as a fraction of the chromosomes. In the default
      convention AER is their sum.
    * ``polarity_acc`` -- only for models that predict polarity
      (``pred_top1_instances.polarity``): over the correct calls (the TPs
      of Acc) whose chromosome has a known polarity
      (``gt_instances.polarity`` 0 or 1), the fraction whose p-arm end is
      right (probability >= 0.5 means "p-arm up"); NaN when no TP has a
      known polarity.

    Ground truth is read from each sample (``gt_instances`` and
    ``ignored_instances``), not from an annotation file. Samples without
    ``pred_top1_instances`` (one-stage detectors) get their top-1 set from
    ``pred_instances`` by keeping the best class of bit-identical boxes
    (exact for class-agnostic box regression, e.g. RetinaNet).

    Args:
        iou_thr (float): IoU threshold of AP and of call matching.
        score_thr (float): Minimum score of a call (Acc, AER, cells).
        nms_iou (float): Class-agnostic NMS threshold between calls.
        strict (bool): Count a misclassified chromosome as FP and FN.
        ap_style (str): ``'voc'`` (mmdet ``eval_map``, area under the
            curve) or ``'coco'`` (pycocotools, 101 recall points).
        classwise (bool): Also print per-class AP and report
            ``AP_<class>`` keys.
        collect_device (str): ``'cpu'`` or ``'gpu'``.
        prefix (str, optional): Key prefix; defaults to ``chromosome``.
    """

    default_prefix: Optional[str] = 'chromosome'

    def __init__(
        self,
        iou_thr: float = 0.5,
        score_thr: float = 0.5,
        nms_iou: float = 0.7,
        strict: bool = False,
        ap_style: str = 'voc',
        classwise: bool = False,
        collect_device: str = 'cpu',
        prefix: Optional[str] = None,
    ) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if ap_style not in AP_STYLES:
            raise ValueError(
                f'ChromosomeMetric: ap_style={ap_style!r}; '
                f'use one of {AP_STYLES}'
            )
        self.iou_thr = iou_thr
        self.score_thr = score_thr
        self.nms_iou = nms_iou
        self.strict = strict
        self.ap_style = ap_style
        self.classwise = classwise

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Keep each sample's boxes as small numpy arrays.

        Args:
            data_batch (dict): The batch from the dataloader (unused).
            data_samples (Sequence[dict]): Outputs of the model, with
                ``img_id``, ``pred_instances``, ``gt_instances``, optional
                ``ignored_instances`` and ``pred_top1_instances``.
        """
        for sample in data_samples:
            img_id = sample.get('img_id')
            if 'gt_instances' not in sample:
                raise KeyError(
                    f'ChromosomeMetric: sample {img_id!r} has no '
                    f'gt_instances; the test pipeline must load '
                    f'annotations (LoadAnnotations after Resize)'
                )
            gt = sample['gt_instances']
            ignored = sample.get('ignored_instances') or {}
            gt_rec = dict(
                img_id=img_id,
                bboxes=to_numpy(gt['bboxes'], np.float32).reshape(-1, 4),
                labels=to_numpy(gt['labels'], np.int64).reshape(-1),
            )
            if 'polarity' in gt:
                gt_rec['polarity'] = to_numpy(gt['polarity'], np.int64)
            if len(ignored) and len(ignored.get('labels', [])):
                gt_rec['bboxes_ignore'] = to_numpy(
                    ignored['bboxes'], np.float32
                ).reshape(-1, 4)
                gt_rec['labels_ignore'] = to_numpy(
                    ignored['labels'], np.int64
                ).reshape(-1)
            pred = _instances(sample['pred_instances'], img_id)
            top1 = sample.get('pred_top1_instances')
            derived = top1 is None
            if derived:
                bboxes, scores, labels = top1_from_multiclass(
                    pred['bboxes'], pred['scores'], pred['labels']
                )
                top1 = dict(
                    img_id=img_id, bboxes=bboxes, scores=scores, labels=labels
                )
            else:
                top1 = _instances(top1, img_id)
            self.results.append((gt_rec, pred, top1, derived))

    def compute_metrics(self, results: List[tuple]) -> dict:
        """Compute the metrics from the processed samples.

        Args:
            results (list[tuple]): ``(gt, pred, top1, derived)`` per image.

        Returns:
            dict: The metric values (without the prefix).
        """
        logger: MMLogger = MMLogger.get_current_instance()
        gts = [r[0] for r in results]
        preds = [r[1] for r in results]
        top1 = [r[2] for r in results]
        num_derived = sum(bool(r[3]) for r in results)
        num_classes = len(CLASSES)
        ap = eval_class_ap(
            preds, gts, num_classes, self.iou_thr, self.ap_style
        )
        ap_max = eval_class_ap(
            top1, gts, num_classes, self.iou_thr, self.ap_style
        )
        errors = karyotype_errors(
            top1,
            gts,
            num_classes,
            self.score_thr,
            self.nms_iou,
            self.iou_thr,
            self.strict,
        )
        metrics = dict(mAP=ap['mAP'], mAP_max=ap_max['mAP'])
        for key in _SUMMARY_KEYS[2:]:
            metrics[key] = errors[key]
        if any('polarity' in t for t in top1):
            metrics['polarity_acc'] = errors['polarity_acc']
        if num_derived:
            logger.info(
                f'ChromosomeMetric: {num_derived} of {len(results)} images '
                f'had no pred_top1_instances; their top-1 detections were '
                f'derived from pred_instances (best class per identical box)'
            )
        absent = [
            CLASSES[c] for c in range(num_classes) if ap['num_gts'][c] == 0
        ]
        if absent:
            logger.info(
                'ChromosomeMetric: classes without ground truth, '
                'left out of mAP: ' + ', '.join(absent)
            )
        logger.info('\n' + self._summary_table(metrics, errors))
        if self.classwise:
            logger.info('\n' + _class_table(ap, ap_max))
            for c, name in enumerate(CLASSES):
                if not np.isnan(ap['ap'][c]):
                    metrics[f'AP_{name}'] = float(ap['ap'][c])
        return {k: float(v) for k, v in metrics.items()}

    def _summary_table(self, metrics: dict, errors: dict) -> str:
        convention = 'strict' if self.strict else 'default'
        lines = [
            f'Chromosome metrics (%), IoU {self.iou_thr}, calls: score >= '
            f'{self.score_thr}, NMS {self.nms_iou}, AER {convention}, '
            f'AP {self.ap_style}',
            f'{"metric":<20}{"value":>8}',
        ]
        for key in _SUMMARY_KEYS + ('polarity_acc',):
            if key in metrics:
                lines.append(f'{key:<20}{100 * metrics[key]:>8.2f}')
        lines.append(
            f'images {errors["num_images"]}, chromosomes {errors["num_gt"]}'
            f', calls {errors["num_pred"]}, correct {errors["tp"]}, '
            f'misclassified {errors["misclassified"]}, whole cells correct '
            f'{errors["num_cells_correct"]}'
        )
        if 'polarity_acc' in metrics:
            lines.append(
                f'polarity over {errors["polarity_known"]} correct calls '
                'of known polarity'
            )
        return '\n'.join(lines)


def _instances(instances, img_id) -> dict:
    out = dict(
        img_id=img_id,
        bboxes=to_numpy(instances['bboxes'], np.float32).reshape(-1, 4),
        scores=to_numpy(instances['scores'], np.float32).reshape(-1),
        labels=to_numpy(instances['labels'], np.int64).reshape(-1),
    )
    if 'polarity' in instances:
        out['polarity'] = to_numpy(instances['polarity'], np.float32)
    return out


def _class_table(ap: dict, ap_max: dict) -> str:
    lines = [f'{"class":<6}{"gts":>6}{"dets":>8}{"AP":>8}{"AP_max":>8}']
    for c, name in enumerate(CLASSES):
        lines.append(
            f'{name:<6}{ap["num_gts"][c]:>6}{ap["num_dets"][c]:>8}'
            f'{_pct(ap["ap"][c]):>8}{_pct(ap_max["ap"][c]):>8}'
        )
    return '\n'.join(lines)


def _pct(value: float) -> str:
    return '-' if np.isnan(value) else f'{100 * value:.2f}'
