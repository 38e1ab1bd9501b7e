"""Real captures: what a user's own images get from a trained model.

Three sets, all beside the repository (``../shared/data``; never copied
into it):

1. ``real-metaphases/``: 5 real 46,XY G-band cells of one lab (no boxes).
   Per cell and call score (``object``: 1 - the background probability;
   ``class``: the top-1 class probability; both >= 0.5): the calls, the
   count after the whole-cell
   reading, both ISCN strings, the measured chromosome width and the
   factor ``--scale auto`` used; the same at ``--scale none`` and at
   fixed factors, so the factor auto picks can be judged. Overlay and
   karyogram of the first cell go to ``--out`` (derived from the data:
   not for the repository).
2. ``cluster-crops/`` (Lin et al., IEEE BIBM 2020): one object per image,
   single chromosome or cluster. Single-vs-cluster accuracy with the
   sensitivity and specificity of each, at ``--scale auto`` (one width
   per case, the median over the case's objects: each image holds one
   object) and ``none``; the image read by its largest object, and also
   as a cluster when the object finder splits it into two parts.
3. ``real-metaphases/karyograms/``: the cytogeneticist's karyogram of
   each real cell cut into its 46 chromosomes (classes from the
   karyogram's layout: 24 underlined slots, 1-22, X, Y, row by row;
   p-arm up), classified by the crop classifier (``--classifier-
   checkpoint``): how well it names condensed real chromosomes when the
   cutting is right, per crop and read as a cell, and their polarity.
4. The detector's own composed test cells resized to several capture
   scales (0.5x-2x): mAP, mAP_max, Acc and AER at ``--scale auto`` and
   ``none``, so a change that helps real images and hurts the rest shows;
   and per call score the karyotype records' count error against the
   true count and the karyotypes (ISCN) right, calls alone and read.

Usage::

    python benchmarks/real_images.py --config CFG --checkpoint CKPT \
        [--cluster-checkpoint CKPT2] [--out work_dirs/real_images]

Prints markdown tables (benchmarks/README.md, "Real images") and writes
them with the raw numbers to ``--out/real_images.json``.
"""

import argparse
import glob
import json
import os
import os.path as osp
import time

import cv2
import numpy as np

CLUSTER_NAMES = ('touching', 'overlapping', 'touching+overlapping')
DATA = osp.join(
    osp.dirname(osp.abspath(__file__)), '..', '..', 'shared', 'data'
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--config', help='detector config')
    parser.add_argument('--checkpoint', help='detector checkpoint')
    parser.add_argument('--cluster-checkpoint', default=None)
    parser.add_argument(
        '--classifier-checkpoint',
        default=None,
        help='name the detections with this crop classifier (second '
        'stage: Karyotyper(classifier=...)); every table then shows the '
        'named calls',
    )
    parser.add_argument(
        '--classifier-config',
        default=None,
        help='config of --classifier-checkpoint (default: stored in it)',
    )
    parser.add_argument('--data', default=DATA, help='the shared data folder')
    parser.add_argument('--out', default='work_dirs/real_images')
    parser.add_argument(
        '--factors',
        type=float,
        nargs='+',
        default=[0.5, 0.75, 1.0, 1.5, 2.0],
        help='fixed factors tried on the real cells',
    )
    parser.add_argument(
        '--capture-scales',
        type=float,
        nargs='+',
        default=[0.5, 1.0, 2.0],
        help='capture scales of the composed test cells',
    )
    parser.add_argument(
        '--num-test', type=int, default=30, help='composed test cells used'
    )
    parser.add_argument(
        '--skip',
        nargs='*',
        default=[],
        choices=['real', 'clusters', 'karyograms', 'composed'],
    )
    return parser.parse_args()


CALL_SCORES = ('object', 'class')


def calls_of(record: dict) -> int:
    """How many calls (score >= threshold, before the reading) a record
    holds."""
    if 'reading' not in record:
        return record['total']
    return (
        sum(d['reading'] != 'added' for d in record['detections'])
        + (record['reading']['removed'])
    )


def detect(karyotyper, image, factor) -> dict:
    """The karyotyper's detections of one image, named by its crop
    classifier when it has one."""
    found = karyotyper.detect(image, factor)
    if karyotyper.classifier is not None:
        found = karyotyper.name(found, image)
    return found


def named_sample(karyotyper, sample, found):
    """``sample`` with its top-1 labels, scores and polarity replaced by
    the named detections' (for the metric)."""
    import torch

    sample = sample.clone()
    inst = sample.pred_top1_instances
    to_model = np.argsort(karyotyper.label_map)
    inst.labels = torch.as_tensor(to_model[found['labels']])
    inst.scores = torch.as_tensor(found['scores'], dtype=torch.float32)
    if found['polarity'] is not None:
        inst.polarity = torch.as_tensor(found['polarity'], dtype=torch.float32)
    return sample


def real_cells(karyotyper, folder: str, factors, out: str) -> dict:
    """Per cell and call score (``object``: 1 - background probability,
    ``class``: top-1 class probability, both at the karyotyper's
    ``score_thr``): the calls, their ISCN string and the reading's; and
    the calls at fixed factors. One detection pass per cell and factor
    serves both call scores."""
    from deepacc.karyotype import draw_karyogram, draw_overlay
    from deepacc.scale import robust_scale_factor
    from deepacc.utils.image_io import read_image

    images = sorted(glob.glob(osp.join(folder, 'images', '*.TIF')))
    if not images:
        raise FileNotFoundError(f'{folder}/images: no .TIF images')
    rows = {cs: [] for cs in CALL_SCORES}
    sweep = {cs: {} for cs in CALL_SCORES}
    arrays = [read_image(path) for path in images]
    for k, (path, image) in enumerate(zip(images, arrays)):
        factor, width, _ = robust_scale_factor(
            image,
            karyotyper.scale,
            karyotyper.model_width,
            reference=karyotyper.width_reference,
        )
        found = detect(karyotyper, image, factor)
        for cs in CALL_SCORES:
            record = karyotyper.record_of(found, image.shape[:2], path, cs)
            rows[cs].append(
                dict(
                    cell=osp.basename(path),
                    width_px=None if width is None else round(width, 2),
                    factor=None if factor is None else round(factor, 4),
                    calls=calls_of(record),
                    calls_karyotype=record.get('calls_karyotype'),
                    reading_total=record['total'],
                    karyotype=record['karyotype'],
                    added=record['reading']['added']
                    if 'reading' in record
                    else 0,
                )
            )
            if k == 0 and cs == CALL_SCORES[0]:
                os.makedirs(out, exist_ok=True)
                cv2.imwrite(
                    osp.join(out, 'real_overlay.png'),
                    draw_overlay(image, record),
                )
                cv2.imwrite(
                    osp.join(out, 'real_karyogram.png'),
                    draw_karyogram(image, record)[0],
                )
    for scale in ['none'] + list(factors):
        for cs in CALL_SCORES:
            sweep[cs][str(scale)] = []
        for path, image in zip(images, arrays):
            factor, _, _ = robust_scale_factor(
                image,
                scale,
                karyotyper.model_width,
                reference=karyotyper.width_reference,
            )
            found = detect(karyotyper, image, factor)
            for cs in CALL_SCORES:
                record = karyotyper.record_of(found, image.shape[:2], path, cs)
                sweep[cs][str(scale)].append(calls_of(record))
    return dict(rows=rows, sweep=sweep)


def karyogram_cells(folder: str) -> list:
    """The chromosomes of the karyograms beside the real cells, cut by
    :func:`deepacc.converters.karyogram.cut_karyogram` (what ``deepacc
    convert karyograms`` writes).

    Returns:
        list[dict]: Per karyogram ``cell``, ``crops`` (grey uint8 cut-
        outs, other objects whitened) and ``labels`` (class indices).
    """
    from deepacc.converters.karyogram import cut_karyogram
    from deepacc.utils.image_io import read_image

    cells = []
    for path in sorted(glob.glob(osp.join(folder, 'karyograms', '*.TIF'))):
        cut = cut_karyogram(read_image(path), path)
        cells.append(
            dict(
                cell=osp.basename(path),
                crops=[crop for crop, _ in cut],
                labels=[label for _, label in cut],
            )
        )
    return cells


def classify_karyograms(classifier, cells: list) -> dict:
    """Per-crop and whole-cell accuracy of a crop classifier on the
    karyogram cut-outs (crops p-arm up, so polarity is known)."""
    from deepacc.classification.cell_reading import cell_karyotype, read_cell

    rows = []
    right = dict(independent=0, joint=0)
    total = polar = 0
    for cell in cells:
        out = classifier.classify(cell['crops'])
        truth = np.asarray(cell['labels'])
        ind = out['scores'].argmax(1)
        joint = read_cell(out['scores'], classifier.penalties)
        right['independent'] += int((ind == truth).sum())
        right['joint'] += int((joint == truth).sum())
        total += len(truth)
        if 'polarity_probs' in out:
            polar += int((out['polarity_probs'] >= 0.5).sum())
        rows.append(
            dict(
                cell=cell['cell'],
                crops=len(truth),
                factor=out['factor'],
                independent=float((ind == truth).mean() * 100),
                joint=float((joint == truth).mean() * 100),
                independent_karyotype=cell_karyotype(ind),
                joint_karyotype=cell_karyotype(joint),
            )
        )
    return dict(
        rows=rows,
        independent=100.0 * right['independent'] / total,
        joint=100.0 * right['joint'] / total,
        polarity=100.0 * polar / total,
        crops=total,
    )


def cluster_crops(typer, folder: str) -> dict:
    """Single vs cluster on the images of ``folder``, two readings of an
    image: its largest object's type, and (keys ending ``, parts``) a
    cluster too when the object finder splits the image into two or
    more chromosome-sized parts (not specks,
    :func:`deepacc.scale.speck_area`): each image holds one object of
    the data's own segmentation, so two parts are chromosomes that our
    finder already tells apart. ``--scale auto`` reads one width per
    case, the median over its objects (each image holds one), read as
    the typer's training width was (at its reference size, or in one
    pass)."""
    from deepacc.clusters.objects import find_objects
    from deepacc.scale import object_widths, speck_area, to_reference
    from deepacc.utils.image_io import read_image

    def widths_of(image, objects):
        widths = object_widths(objects)
        if typer.width_reference is None or not (widths > 0).any():
            return widths
        resized, factor = to_reference(
            image, float(np.median(widths[widths > 0])), typer.width_reference
        )
        again = find_objects(resized, typer.polarity, typer.min_area)
        return object_widths(again) / factor

    readings = [
        (scale, shape) for scale in ('auto', 'none') for shape in (True, False)
    ]
    own_shape = typer.shape
    truth = []
    pred = {(r, parts): [] for r in readings for parts in (False, True)}
    for case in sorted(glob.glob(osp.join(folder, 'case*'))):
        items, widths = [], []
        for kind in ('chromosome', 'cluster'):
            for path in sorted(glob.glob(osp.join(case, kind, '*.TIF'))):
                image = read_image(path)
                objects = find_objects(image, typer.polarity, typer.min_area)
                parts = (objects.areas >= speck_area(objects.areas)).sum()
                items.append((objects, int(parts)))
                widths.append(widths_of(image, objects))
                truth.append(kind == 'cluster')
        widths = np.concatenate(widths)
        width = float(np.median(widths[widths > 0]))
        factor = typer.model_width / width if typer.model_width else None
        for scale, shape in readings:
            typer.shape = shape
            f = factor if scale == 'auto' else None
            for objects, parts in items:
                labels, _ = typer.classify(objects, f)
                # The image's object: its largest. A cluster: touching,
                # overlapping or both (debris and nucleus calls count as
                # not a cluster).
                main = int(np.argmax(objects.areas))
                called = typer.classes[labels[main]] in CLUSTER_NAMES
                pred[(scale, shape), False].append(called)
                pred[(scale, shape), True].append(called or parts >= 2)
    typer.shape = own_shape
    t = np.asarray(truth)
    result = {}
    for ((scale, shape), parts), calls in pred.items():
        key = scale + (', shape' if shape else ', model alone')
        key += ', parts' if parts else ''
        p = np.asarray(calls)
        result[key] = dict(
            accuracy=float((t == p).mean() * 100),
            single_recall=float((~p[~t]).mean() * 100),
            cluster_recall=float(p[t].mean() * 100),
            num_single=int((~t).sum()),
            num_cluster=int(t.sum()),
        )
    return result


def composed_cells(karyotyper, cfg, capture_scales, num_test) -> dict:
    import torch
    from mmcv.transforms import Compose
    from mmdet.registry import DATASETS
    from mmengine.structures import InstanceData

    from deepacc.evaluation.metrics import ChromosomeMetric
    from deepacc.scale import rescale_pipeline, scale_factor

    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    items = [dataset[i] for i in range(min(num_test, len(dataset)))]
    result = {}
    for capture in capture_scales:
        for mode in ('auto', 'none'):
            metric = ChromosomeMetric()
            cells = {cs: [] for cs in CALL_SCORES}
            metric.dataset_meta = dict(classes=dataset.metainfo['classes'])
            for k, item in enumerate(items):
                image = item['inputs'].permute(1, 2, 0).numpy()
                image = cv2.resize(
                    np.ascontiguousarray(image),
                    None,
                    fx=capture,
                    fy=capture,
                    interpolation=cv2.INTER_AREA
                    if capture < 1
                    else cv2.INTER_LINEAR,
                )
                factor, _ = scale_factor(
                    image,
                    mode,
                    karyotyper.model_width,
                    reference=karyotyper.width_reference,
                )
                steps = rescale_pipeline(karyotyper.pipeline_steps, factor)
                data = Compose(steps)(dict(img=image, img_id=k))
                sample = data['data_samples']
                gt = item['data_samples'].gt_instances
                sample.gt_instances = InstanceData(
                    bboxes=gt.bboxes.tensor * capture
                    if hasattr(gt.bboxes, 'tensor')
                    else gt.bboxes * capture,
                    labels=gt.labels,
                )
                with torch.no_grad():
                    out = karyotyper.model.test_step(
                        dict(inputs=[data['inputs']], data_samples=[sample])
                    )[0]
                found = karyotyper.detections_of(out)
                if karyotyper.classifier is not None:
                    found = karyotyper.name(found, image)
                    out = named_sample(karyotyper, out, found)
                metric.process({}, [out.to_dict()])
                truth = karyotyper.label_map[gt.labels.numpy()]
                for cs in CALL_SCORES:
                    record = karyotyper.record_of(
                        found, image.shape[:2], call_score=cs
                    )
                    cells[cs].append(cell_row(record, truth))
            key = f'{capture}x/{mode}'
            result[key] = metric.compute_metrics(metric.results)
            for cs in CALL_SCORES:
                result[key][cs] = cell_summary(cells[cs])
    return result


def cell_row(record: dict, truth: np.ndarray) -> dict:
    """A composed cell's record against its true chromosomes."""
    from deepacc.chromosomes import NUM_CLASSES
    from deepacc.karyotype.iscn import counts_to_dict, numerical_karyotype
    from deepacc.structures import count_by_class

    iscn = numerical_karyotype(
        counts_to_dict(count_by_class(truth, NUM_CLASSES))
    )
    return dict(
        true=len(truth),
        calls=calls_of(record),
        calls_right=record.get('calls_karyotype', record['karyotype']) == iscn,
        reading_right=record['karyotype'] == iscn,
    )


def cell_summary(rows) -> dict:
    """Count error and karyotypes right over composed cells."""
    errors = np.array([abs(r['calls'] - r['true']) for r in rows])
    return dict(
        cells=len(rows),
        count_mae=float(errors.mean()),
        within_2=int((errors <= 2).sum()),
        calls_right=int(sum(r['calls_right'] for r in rows)),
        reading_right=int(sum(r['reading_right'] for r in rows)),
    )


def main() -> int:
    args = parse_args()
    from mmengine.config import Config

    from deepacc.clusters.inferencer import ClusterTyper
    from deepacc.karyotype import Karyotyper

    start = time.time()
    report = {}
    karyotyper = None
    if args.checkpoint:
        karyotyper = Karyotyper(args.config, args.checkpoint, scale='auto')
        print(f'model chromosome width: {karyotyper.model_width}')
        if args.classifier_checkpoint:
            from deepacc.classification import CropClassifier

            karyotyper.classifier = CropClassifier(
                args.classifier_config, args.classifier_checkpoint
            )
            report['classifier'] = args.classifier_checkpoint
    if karyotyper and 'real' not in args.skip:
        real = real_cells(
            karyotyper,
            osp.join(args.data, 'real-metaphases'),
            args.factors,
            args.out,
        )
        report['real_metaphases'] = real
        print(
            '\n| cell | width px | factor | call score | calls | calls read '
            '| reading | added |\n|---|--:|--:|---|--:|---|---|--:|'
        )
        for cs in CALL_SCORES:
            for r in real['rows'][cs]:
                print(
                    f'| {r["cell"]} | {r["width_px"]} | {r["factor"]} | '
                    f'{cs} | {r["calls"]} | {r["calls_karyotype"]} | '
                    f'{r["karyotype"]} ({r["reading_total"]}) | '
                    f'{r["added"]} |'
                )
        print('\n| scale | call score | calls per cell |\n|---|---|---|')
        for cs in CALL_SCORES:
            for key, counts in real['sweep'][cs].items():
                print(f'| {key} | {cs} | {counts} |')
    if args.cluster_checkpoint and 'clusters' not in args.skip:
        typer = ClusterTyper(args.cluster_checkpoint, scale='auto')
        print(f'cluster model chromosome width: {typer.model_width}')
        clusters = cluster_crops(typer, osp.join(args.data, 'cluster-crops'))
        report['cluster_crops'] = clusters
        print(
            '\n| scale, reading | accuracy | single recall '
            '| cluster recall |\n|---|--:|--:|--:|'
        )
        for key, r in clusters.items():
            print(
                f'| {key} | {r["accuracy"]:.1f} | {r["single_recall"]:.1f} '
                f'| {r["cluster_recall"]:.1f} |'
            )
    if (
        karyotyper
        and karyotyper.classifier
        and ('karyograms' not in args.skip)
    ):
        cells = karyogram_cells(osp.join(args.data, 'real-metaphases'))
        kary = classify_karyograms(karyotyper.classifier, cells)
        report['karyograms'] = kary
        print(
            '\n| karyogram | crops | factor | per crop % | joint % '
            '| per crop reads | joint reads |\n|---|--:|--:|--:|--:|---|---|'
        )
        for r in kary['rows']:
            print(
                f'| {r["cell"]} | {r["crops"]} | {r["factor"]:.3f} '
                f'| {r["independent"]:.1f} | {r["joint"]:.1f} '
                f'| {r["independent_karyotype"]} | {r["joint_karyotype"]} |'
            )
        print(
            f'all {kary["crops"]} crops: per crop {kary["independent"]:.1f}%,'
            f' joint {kary["joint"]:.1f}%, polarity {kary["polarity"]:.1f}%'
        )
    if karyotyper and 'composed' not in args.skip:
        cfg = Config.fromfile(args.config)
        composed = composed_cells(
            karyotyper, cfg, args.capture_scales, args.num_test
        )
        report['composed'] = composed
        print(
            '\n| capture | scale | mAP % | mAP_max % | Acc % | AER % |\n'
            '|---|---|--:|--:|--:|--:|'
        )
        for key, m in composed.items():
            capture, mode = key.split('/')
            print(
                f'| {capture} | {mode} | {100 * m["mAP"]:.2f} '
                f'| {100 * m["mAP_max"]:.2f} | {100 * m["Acc"]:.2f} '
                f'| {100 * m["AER"]:.2f} |'
            )
        print(
            '\n| capture | scale | call score | count error | within 2 '
            '| calls read right | reading right |\n'
            '|---|---|---|--:|--:|--:|--:|'
        )
        for key, m in composed.items():
            capture, mode = key.split('/')
            for cs in CALL_SCORES:
                c = m[cs]
                print(
                    f'| {capture} | {mode} | {cs} | {c["count_mae"]:.2f} '
                    f'| {c["within_2"]}/{c["cells"]} '
                    f'| {c["calls_right"]}/{c["cells"]} '
                    f'| {c["reading_right"]}/{c["cells"]} |'
                )
    os.makedirs(args.out, exist_ok=True)
    with open(osp.join(args.out, 'real_images.json'), 'w') as f:
        json.dump(report, f, indent=1, default=float)
    print(f'\n{time.time() - start:.0f} s; {args.out}/real_images.json')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
