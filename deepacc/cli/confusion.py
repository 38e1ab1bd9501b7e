"""``deepacc confusion``: the confusion matrix of a test run, PNG + CSV.

Input is the pickle that ``python tools/test.py CONFIG CKPT --out
results.pkl`` writes (mmdet's ``DumpDetResults``: one dict per image,
ground truth removed), plus the annotation json it was run on; images are
matched by ``img_id`` and the json is read through ``ChromosomeCOCO``, so
category names are normalised. Calls and matching are those of Acc/AER:
top-1 detections (``pred_top1_instances``, or the best class per identical
box), score >= ``--score-thr``, class-agnostic NMS, one-to-one matching at
``--iou-thr``. Rows: true classes + 'spurious'; columns: called classes +
'missed'.
"""

import os
import os.path as osp


def add_arguments(parser) -> None:
    parser.add_argument(
        'results', help='results .pkl from tools/test.py --out'
    )
    parser.add_argument(
        '--ann-file', required=True, help='COCO json of the evaluated images'
    )
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument('--score-thr', type=float, default=0.5)
    parser.add_argument('--nms-iou', type=float, default=0.7)
    parser.add_argument('--iou-thr', type=float, default=0.5)
    parser.add_argument(
        '--canonical-order',
        action='store_true',
        help='classes in 1..22, X, Y order instead of by Denver group',
    )
    parser.add_argument('--title', default=None, help='figure title')


def run(args) -> int:
    from deepacc.chromosomes import CLASSES
    from deepacc.evaluation.functional import karyotype_errors
    from deepacc.structures import top1_from_multiclass
    from deepacc.visualization import plot_confusion_matrix, save_confusion_csv

    preds = load_top1_results(args.results, top1_from_multiclass)
    gts, dropped = load_ground_truth(args.ann_file)
    if dropped:
        print(
            f'{args.ann_file}: {dropped} annotation(s) with zero area or '
            f"a side under 1 px are skipped, as mmdet's CocoDataset does"
        )
    known = {g['img_id'] for g in gts}
    unknown = sorted(p['img_id'] for p in preds if p['img_id'] not in known)
    if unknown:
        raise SystemExit(
            f'{args.results}: results for {len(unknown)} image id(s) that '
            f'{args.ann_file} does not have: {unknown[:10]}'
        )
    have = {p['img_id'] for p in preds}
    missing = sorted(i for i in known if i not in have)
    if missing:
        raise SystemExit(
            f'{args.results}: no results for {len(missing)} image id(s) of '
            f'{args.ann_file}: {missing[:10]}; pass the annotation file '
            f'the test run used'
        )
    errors = karyotype_errors(
        preds, gts, len(CLASSES), args.score_thr, args.nms_iou, args.iou_thr
    )
    os.makedirs(args.out, exist_ok=True)
    denver = not args.canonical_order
    png = osp.join(args.out, 'confusion_matrix.png')
    csv_path = osp.join(args.out, 'confusion_matrix.csv')
    title = args.title or (
        f'{osp.basename(args.results)}: {errors["num_images"]} images, '
        f'Acc {100 * errors["Acc"]:.2f}%, AER {100 * errors["AER"]:.2f}%'
    )
    plot_confusion_matrix(errors['confusion'], png, title, denver)
    save_confusion_csv(errors['confusion'], csv_path, denver)
    print(
        f'{errors["num_images"]} images, {errors["num_gt"]} chromosomes, '
        f'{errors["num_pred"]} calls: Acc {100 * errors["Acc"]:.2f}%, AER '
        f'{100 * errors["AER"]:.2f}%, within-group errors '
        f'{100 * errors["err_within_group"]:.2f}%, across-group '
        f'{100 * errors["err_across_group"]:.2f}%'
    )
    print(f'wrote {png}\nwrote {csv_path}')
    return 0


def load_top1_results(path: str, top1_fn) -> list:
    """Per-image top-1 predictions from a ``DumpDetResults`` pickle.

    Args:
        path (str): The ``.pkl`` file.
        top1_fn (callable): :func:`top1_from_multiclass`, used for records
            without ``pred_top1_instances``.

    Returns:
        list[dict]: ``img_id``, ``bboxes``, ``scores``, ``labels`` (numpy)
        and, where the model gave them, ``class_scores`` (N, classes + 1:
        the softmax of each detection's proposal).
    """
    import pickle

    import numpy as np

    from deepacc.evaluation.functional.inputs import to_numpy

    with open(path, 'rb') as f:
        records = pickle.load(f)
    if not isinstance(records, (list, tuple)):
        raise SystemExit(
            f'{path}: expected a list of per-image results '
            f'(tools/test.py --out), got {type(records)}'
        )
    preds = []
    for k, rec in enumerate(records):
        if (
            not isinstance(rec, dict)
            or 'img_id' not in rec
            or (
                'pred_instances' not in rec
                and 'pred_top1_instances' not in rec
            )
        ):
            raise SystemExit(
                f'{path}: record {k} has no img_id / pred_instances; is '
                f'this a tools/test.py --out pickle?'
            )
        inst = rec.get('pred_top1_instances')
        derived = inst is None
        inst = rec['pred_instances'] if derived else inst
        pred = dict(
            img_id=rec['img_id'],
            bboxes=to_numpy(inst['bboxes'], np.float64).reshape(-1, 4),
            scores=to_numpy(inst['scores'], np.float64).reshape(-1),
            labels=to_numpy(inst['labels'], np.int64).reshape(-1),
        )
        if not derived and 'class_scores' in inst:
            pred['class_scores'] = to_numpy(inst['class_scores'], np.float64)
        if derived:
            bboxes, scores, labels = top1_fn(
                pred['bboxes'], pred['scores'], pred['labels']
            )
            pred.update(bboxes=bboxes, scores=scores, labels=labels)
        preds.append(pred)
    return preds


def load_ground_truth(ann_file: str):
    """Per-image ground truth from a COCO json, categories by name.

    Boxes are filtered as mmdet's ``CocoDataset.parse_data_info`` does
    (zero-area or sub-pixel boxes skipped, ``iscrowd`` boxes ignored).

    Args:
        ann_file (str): COCO json.

    Returns:
        tuple[list[dict], int]: Ground truth per image (``img_id``,
        ``bboxes`` xyxy, ``labels``, ``bboxes_ignore``, ``labels_ignore``)
        and the number of skipped boxes.
    """
    import numpy as np

    from deepacc.datasets.chromosome_dataset import ChromosomeCOCO

    coco = ChromosomeCOCO(ann_file)
    gts, dropped = [], 0
    for img_id in sorted(coco.getImgIds()):
        info = coco.loadImgs([img_id])[0]
        boxes, labels, ignore, ignore_labels = [], [], [], []
        for ann in coco.loadAnns(coco.getAnnIds(imgIds=[img_id])):
            x, y, w, h = ann['bbox']
            inter_w = max(0, min(x + w, info['width']) - max(x, 0))
            inter_h = max(0, min(y + h, info['height']) - max(y, 0))
            if (
                inter_w * inter_h == 0
                or ann.get('area', w * h) <= 0
                or w < 1
                or h < 1
            ):
                dropped += 1
                continue
            if ann.get('iscrowd', 0):
                ignore.append([x, y, x + w, y + h])
                ignore_labels.append(ann['category_id'] - 1)
            else:
                boxes.append([x, y, x + w, y + h])
                labels.append(ann['category_id'] - 1)
        gts.append(
            dict(
                img_id=img_id,
                bboxes=np.asarray(boxes, np.float64).reshape(-1, 4),
                labels=np.asarray(labels, np.int64),
                bboxes_ignore=np.asarray(ignore, np.float64).reshape(-1, 4),
                labels_ignore=np.asarray(ignore_labels, np.int64),
            )
        )
    return gts, dropped
