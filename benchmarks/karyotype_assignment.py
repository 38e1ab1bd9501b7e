"""Whole-cell karyotypes: the detector's calls vs the count-aware reading.

For a test run of a config (``tools/test.py --out``; models with
``DeepAccRoIHead`` store every detection's class probabilities), compares
per cell the ISCN string of the truth with that of

- the calls (top-1, score >= 0.5, class-agnostic NMS at ``--nms-iou``:
  by default the karyotype tool's 0.4; 0.7 is what the paper's Acc/AER
  count), and
- :func:`deepacc.karyotype.assignment.assign_karyotype` at every pair
  of ``--gain-penalties`` and ``--loss-penalties``, over the same top-1
  detections at any score.

Prints, per reading: cells whose ISCN string is right (all, normal cells,
aneuploid cells), Acc and AER of the reading's chromosomes (matched as
the metric matches calls), and per cell how many calls it relabelled,
added (under the call threshold) and removed. Choose the penalty on the
validation cells (``--split val`` with a val run), report it on test.

    python tools/test.py CONFIG CKPT --out work_dirs/test.pkl
    python benchmarks/karyotype_assignment.py CONFIG work_dirs/test.pkl
    # validation cells of an on-the-fly synthetic config:
    python tools/test.py CONFIG CKPT --out work_dirs/val.pkl \\
        --cfg-options test_dataloader.dataset.seed=1001 \\
        test_dataloader.dataset.num_samples=20
    python benchmarks/karyotype_assignment.py CONFIG work_dirs/val.pkl \\
        --cfg-options test_dataloader.dataset.seed=1001 \\
        test_dataloader.dataset.num_samples=20
"""

import argparse
import os.path as osp
import sys

import numpy as np

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))

from missed_calls import ground_truth  # noqa: E402

from deepacc.chromosomes import CLASSES, NUM_CLASSES  # noqa: E402
from deepacc.cli.confusion import load_top1_results  # noqa: E402
from deepacc.evaluation.functional import karyotype_errors  # noqa: E402
from deepacc.karyotype.assignment import (  # noqa: E402
    assign_karyotype,
    assignment_changes,
)
from deepacc.karyotype.iscn import (  # noqa: E402
    NORMAL_KARYOTYPES,
    numerical_karyotype,
)
from deepacc.karyotype.record import DEFAULT_NMS_IOU  # noqa: E402
from deepacc.structures import (  # noqa: E402
    count_by_class,
    select_calls,
    top1_from_multiclass,
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', help='config whose test set was run')
    parser.add_argument('results', help='.pkl from tools/test.py --out')
    parser.add_argument(
        '--gain-penalties', type=float, nargs='+', default=[1, 2, 3, 4, 6]
    )
    parser.add_argument(
        '--loss-penalties', type=float, nargs='+', default=[1, 2, 3, 4, 6]
    )
    parser.add_argument(
        '--min-scores',
        type=float,
        nargs='+',
        default=[0.0],
        help='lowest top-1 score of a candidate of the reading',
    )
    parser.add_argument('--score-thr', type=float, default=0.5)
    parser.add_argument(
        '--nms-iou',
        type=float,
        default=DEFAULT_NMS_IOU,
        help='class-agnostic NMS between calls and between the '
        "reading's candidates (default: %(default)s, deepacc karyotype's)",
    )
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        default=[],
        help='key=value overrides of the config (as tools/test.py got)',
    )
    return parser.parse_args()


def config_with_options(config: str, options: list):
    from mmengine.config import Config, DictAction

    cfg = Config.fromfile(config)
    if options:
        parser = argparse.ArgumentParser()
        parser.add_argument('--o', nargs='+', action=DictAction)
        cfg.merge_from_dict(parser.parse_args(['--o', *options]).o)
    return cfg


def iscn(labels: np.ndarray) -> str:
    return numerical_karyotype(count_by_class(labels, NUM_CLASSES))


def evaluate(readings: list, gts: dict) -> dict:
    """Cells right, Acc/AER and changes of one reading of every cell."""
    preds, right, normal, normal_right, changes = [], 0, 0, 0, []
    for img_id, bboxes, labels, change in readings:
        gt = gts[img_id]
        truth = iscn(gt['labels'])
        ok = iscn(labels) == truth
        right += ok
        is_normal = truth in NORMAL_KARYOTYPES
        normal += is_normal
        normal_right += ok and is_normal
        preds.append(
            dict(
                img_id=img_id,
                bboxes=bboxes,
                scores=np.ones(len(labels)),
                labels=labels,
            )
        )
        changes.append(change)
    errors = karyotype_errors(
        preds, list(gts.values()), NUM_CLASSES, score_thr=0.0, nms_iou=1.0
    )
    n = len(readings)
    mean = {
        k: np.mean([c[k] for c in changes]) if changes and changes[0] else 0
        for k in ('relabelled', 'added', 'removed')
    }
    return dict(
        right=right,
        cells=n,
        normal_right=normal_right,
        normal=normal,
        aneuploid_right=right - normal_right,
        aneuploid=n - normal,
        Acc=errors['Acc'],
        AER=errors['AER'],
        **mean,
    )


def main():
    args = parse_args()
    cfg = config_with_options(args.config, args.cfg_options)
    gts = ground_truth(cfg)
    preds = load_top1_results(args.results, top1_from_multiclass)
    missing = [p['img_id'] for p in preds if 'class_scores' not in p]
    if missing:
        raise SystemExit(
            f'{args.results}: {len(missing)} images have no class_scores '
            '(run tools/test.py with a DeepAccRoIHead model of this '
            'version)'
        )
    for pred in preds:
        if pred['img_id'] not in gts:
            raise SystemExit(
                f'{args.results}: image {pred["img_id"]!r} is not in the '
                f'test set of {args.config} (pass the --cfg-options the '
                'run had)'
            )
    pairs = [
        (g, v, m)
        for m in args.min_scores
        for g in args.gain_penalties
        for v in args.loss_penalties
    ]
    calls, guessed, readings = [], [], {p: [] for p in pairs}
    for pred in preds:
        # Every top-1 detection, duplicates removed as between calls.
        cand = select_calls(
            pred['bboxes'], pred['scores'], pred['labels'], 0.0, args.nms_iou
        )
        boxes, top1 = pred['bboxes'][cand], pred['labels'][cand]
        called = pred['scores'][cand] >= args.score_thr
        calls.append((pred['img_id'], boxes[called], top1[called], {}))
        # The prior alone: a normal cell, male if a Y is called.
        male = (top1[called] == CLASSES.index('Y')).any()
        guess = '46,XY' if male else '46,XX'
        truth = iscn(gts[pred['img_id']]['labels'])
        guessed.append((guess == truth, truth in NORMAL_KARYOTYPES))
        for gain, loss, min_score in pairs:
            labels = np.full(len(cand), -1)
            eligible = pred['scores'][cand] >= min_score
            labels[eligible], _ = assign_karyotype(
                pred['class_scores'][cand][eligible], gain, loss
            )
            kept = labels >= 0
            readings[gain, loss, min_score].append(
                (
                    pred['img_id'],
                    boxes[kept],
                    labels[kept],
                    assignment_changes(top1, labels, called),
                )
            )
    rows = [('calls (score >= %g)' % args.score_thr, evaluate(calls, gts))]
    rows += [
        (
            f'reading, gain {g:g} / loss {v:g}, score >= {m:g}',
            evaluate(readings[g, v, m], gts),
        )
        for g, v, m in pairs
    ]
    print(
        f'{len(preds)} cells of {args.config}\n\n'
        '| reading | ISCN right | normal cells | aneuploid cells | Acc | '
        'AER | relabelled / cell | added / cell | removed / cell |\n'
        '|---|--:|--:|--:|--:|--:|--:|--:|--:|'
    )
    for name, r in rows:
        print(
            f'| {name} | {r["right"]} of {r["cells"]} | '
            f'{r["normal_right"]} of {r["normal"]} | '
            f'{r["aneuploid_right"]} of {r["aneuploid"]} | '
            f'{100 * r["Acc"]:.1f} | {100 * r["AER"]:.1f} | '
            f'{r["relabelled"]:.2f} | {r["added"]:.2f} | '
            f'{r["removed"]:.2f} |'
        )
    right = sum(ok for ok, _ in guessed)
    normal = sum(ok for ok, is_normal in guessed if is_normal)
    print(
        f'\nThe prior alone (46,XY where a Y is called, else 46,XX): '
        f'{right} of {len(guessed)} right, normal cells {normal} of '
        f'{sum(n for _, n in guessed)}, aneuploid cells 0.'
    )


if __name__ == '__main__':
    main()
