"""How long ChromosomeMetric's maths takes, against pycocotools.

A test set the size of the paper's (678 metaphases x 46 chromosomes),
100 detections per image (the detector's ``max_per_img``), random but
shaped like the real thing: chromosome-sized boxes spread over a
1600x1200 image, most detections close to a chromosome with the right or
a neighbouring class, the rest scattered. Times, on the same data:

* ours: ``eval_class_ap`` for mAP and mAP_max plus ``karyotype_errors``
  (everything ``ChromosomeMetric.compute_metrics`` does), per AP style;
* pycocotools ``COCOeval`` (bbox): ``evaluate()`` + ``accumulate()`` with
  its default 10 IoU thresholds and with IoU 0.5 only.

Prints seconds and ratios; asserts nothing. Run:
``python benchmarks/metric_speed.py [--images 678] [--repeat 3]``.
"""

import argparse
import contextlib
import io
import time

import numpy as np


def make_data(num_images=678, num_gt=46, num_dets=100, seed=0):
    """Random ground truth, multi-class and top-1 predictions."""
    rng = np.random.default_rng(seed)
    gts, preds, top1 = [], [], []
    for img_id in range(1, num_images + 1):
        wh = np.stack(
            [rng.uniform(15, 45, num_gt), rng.uniform(40, 220, num_gt)], axis=1
        )
        xy = rng.uniform(0, 1, (num_gt, 2)) * ([1600, 1200] - wh)
        gt_boxes = np.hstack([xy, xy + wh])
        gt_labels = np.concatenate(
            [np.repeat(np.arange(22), 2), rng.integers(22, 24, num_gt - 44)]
        )
        gts.append(dict(img_id=img_id, bboxes=gt_boxes, labels=gt_labels))
        # 75 detections near a chromosome, 25 scattered.
        near = rng.integers(0, num_gt, 75)
        jitter = rng.normal(0, 0.08, (75, 4)) * np.tile(wh[near], 2)
        boxes = gt_boxes[near] + jitter
        wh2 = np.stack(
            [rng.uniform(15, 45, 25), rng.uniform(40, 220, 25)], axis=1
        )
        xy2 = rng.uniform(0, 1, (25, 2)) * ([1600, 1200] - wh2)
        boxes = np.vstack([boxes, np.hstack([xy2, xy2 + wh2])])
        boxes[:, 2:] = np.maximum(boxes[:, 2:], boxes[:, :2] + 1)
        right = rng.random(75) < 0.85
        labels = np.concatenate(
            [
                np.where(
                    right,
                    gt_labels[near],
                    np.clip(gt_labels[near] + rng.integers(-2, 3, 75), 0, 23),
                ),
                rng.integers(0, 24, 25),
            ]
        )
        scores = np.concatenate([rng.beta(5, 1.5, 75), rng.beta(1.5, 5, 25)])
        pred = dict(img_id=img_id, bboxes=boxes, scores=scores, labels=labels)
        preds.append(pred)
        top1.append(pred)  # one class per proposal already
    return gts, preds, top1


def time_ours(gts, preds, top1, style):
    from deepacc.chromosomes import NUM_CLASSES
    from deepacc.evaluation.functional import eval_class_ap, karyotype_errors

    start = time.perf_counter()
    ap = eval_class_ap(preds, gts, NUM_CLASSES, style=style)
    eval_class_ap(top1, gts, NUM_CLASSES, style=style)
    karyotype_errors(top1, gts, NUM_CLASSES)
    return time.perf_counter() - start, ap['mAP']


def time_pycocotools(coco_gt, coco_dt, iou50_only):
    from pycocotools.cocoeval import COCOeval

    evaluator = COCOeval(coco_gt, coco_dt, 'bbox')
    if iou50_only:
        evaluator.params.iouThrs = np.array([0.5])
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        evaluator.evaluate()
        evaluator.accumulate()
    elapsed = time.perf_counter() - start
    prec = evaluator.eval['precision'][0, :, :, 0, -1]
    ap50 = (
        float(np.mean([p[p > -1].mean() for p in prec.T if (p > -1).any()]))
        if iou50_only
        else float('nan')
    )
    return elapsed, ap50


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--images', type=int, default=678)
    parser.add_argument('--repeat', type=int, default=3)
    args = parser.parse_args()
    from deepacc.testing import to_pycocotools

    gts, preds, top1 = make_data(args.images)
    coco_gt, coco_dt = to_pycocotools(gts, preds)
    n_det = sum(len(p['scores']) for p in preds)
    n_gt = sum(len(g['labels']) for g in gts)
    print(
        f'{args.images} images, {n_gt} chromosomes, {n_det} detections; '
        f'best of {args.repeat} runs'
    )
    ours = {}
    for style in ('voc', 'coco'):
        runs = [time_ours(gts, preds, top1, style) for _ in range(args.repeat)]
        ours[style] = min(r[0] for r in runs)
        print(
            f'ours, AP style {style!r} (mAP + mAP_max + Acc/AER): '
            f'{ours[style]:7.2f} s   mAP {100 * runs[0][1]:.2f}'
        )
    for iou50 in (False, True):
        runs = [
            time_pycocotools(coco_gt, coco_dt, iou50)
            for _ in range(args.repeat)
        ]
        best = min(r[0] for r in runs)
        label = 'IoU 0.5 only   ' if iou50 else '10 IoU (default)'
        extra = f'   AP50 {100 * runs[0][1]:.2f}' if iou50 else ''
        print(
            f'pycocotools evaluate+accumulate, {label}: {best:7.2f} s{extra}'
        )
        print(
            f'    ratio ours(voc) / pycocotools: '
            f'{ours["voc"] / best:.3f};  ours(coco) / pycocotools: '
            f'{ours["coco"] / best:.3f}'
        )
    print(
        f'per image, ours (voc): {1000 * ours["voc"] / args.images:.2f} ms'
        f' (Faster R-CNN R101 inference: ~8000 ms on 2 CPU cores, '
        f'~50-100 ms on a GPU)'
    )


if __name__ == '__main__':
    main()
