"""Why chromosomes get no call: low score or no box.

A chromosome is *missed* in Acc/AER when no call (top-1 detection with
score >= 0.5 after class-agnostic NMS, matched one-to-one at IoU 0.5)
lands on it. This splits the missed ones of a test run into those that do
have a top-1 box at IoU >= 0.5 whose score is under the call threshold (an
uncertain classification), those whose well-scored box was suppressed or
taken by a neighbour, and those with no such box at all (a detection
failure), with a histogram of the best such score. Ground truth comes from
the config's test dataset (on-the-fly test sets have no annotation file).

    python tools/test.py CONFIG CKPT --out work_dirs/results.pkl
    python benchmarks/missed_calls.py CONFIG work_dirs/results.pkl
"""

import argparse

import numpy as np

from deepacc.cli.confusion import load_top1_results
from deepacc.evaluation.functional.inputs import to_numpy
from deepacc.evaluation.functional.karyotype_errors import match_calls
from deepacc.structures import (
    bbox_overlaps,
    select_calls,
    top1_from_multiclass,
)

SCORE_BINS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)  # under the call threshold


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', help='config whose test set was run')
    parser.add_argument('results', help='.pkl from tools/test.py --out')
    parser.add_argument('--score-thr', type=float, default=0.5)
    parser.add_argument('--nms-iou', type=float, default=0.7)
    parser.add_argument('--iou-thr', type=float, default=0.5)
    return parser.parse_args()


def ground_truth(config, split: str = 'test') -> dict:
    """``img_id`` -> ``bboxes`` (G, 4) and ``labels`` (G,) of the
    ``split`` set (``'test'`` or ``'val'``) of a config (file or
    ``Config``)."""
    from mmdet.registry import DATASETS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import deepacc  # noqa: F401

    cfg = config if isinstance(config, Config) else Config.fromfile(config)
    init_default_scope('mmdet')
    dataset = DATASETS.build(cfg[f'{split}_dataloader'].dataset)
    truth = {}
    for i in range(len(dataset)):
        sample = dataset[i]['data_samples']
        truth[sample.img_id] = dict(
            img_id=sample.img_id,
            bboxes=to_numpy(sample.gt_instances.bboxes, np.float64).reshape(
                -1, 4
            ),
            labels=to_numpy(sample.gt_instances.labels, np.int64).reshape(-1),
        )
    return truth


def main():
    args = parse_args()
    gts = ground_truth(args.config)
    preds = load_top1_results(args.results, top1_from_multiclass)
    total = low_score = taken = no_box = 0
    best_scores = []
    for pred in preds:
        if pred['img_id'] not in gts:
            raise SystemExit(
                f'{args.results}: image {pred["img_id"]!r} is not in the '
                f'test set of {args.config}'
            )
        gt = gts[pred['img_id']]['bboxes']
        keep = select_calls(
            pred['bboxes'],
            pred['scores'],
            pred['labels'],
            args.score_thr,
            args.nms_iou,
        )
        matched = match_calls(pred['bboxes'][keep], gt, args.iou_thr)
        missed = np.setdiff1d(np.arange(len(gt)), matched[matched >= 0])
        total += len(gt)
        if not len(missed):
            continue
        if not len(pred['bboxes']):
            no_box += len(missed)
            continue
        ious = bbox_overlaps(gt[missed], pred['bboxes'])
        for row in ious:
            hit = row >= args.iou_thr
            if not hit.any():
                no_box += 1
            elif pred['scores'][hit].max() >= args.score_thr:
                taken += 1  # suppressed by NMS or matched to a neighbour
            else:
                low_score += 1
                best_scores.append(pred['scores'][hit].max())
    missed = low_score + taken + no_box
    print(
        f'{len(preds)} images, {total} chromosomes, {missed} missed '
        f'({100 * missed / max(total, 1):.2f}%):\n'
        f'  {low_score} have a top-1 box at IoU >= {args.iou_thr} scored '
        f'under {args.score_thr}\n'
        f'  {taken} have one scored higher that NMS removed or that a '
        f'neighbour took\n'
        f'  {no_box} have no top-1 box at IoU >= {args.iou_thr}'
    )
    if best_scores:
        counts, edges = np.histogram(best_scores, bins=SCORE_BINS)
        print('best score of the low-scored ones:')
        for k, n in enumerate(counts):
            print(f'  [{edges[k]:.1f}, {edges[k + 1]:.1f}): {n}')


if __name__ == '__main__':
    main()
