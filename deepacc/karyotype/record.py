"""The karyotype record of one image, built from top-1 detections.

The record is plain JSON (lists, numbers, strings) so it can be written
next to the pictures, collected into a CSV, or returned from the Python
API. Calls are selected with :func:`deepacc.structures.select_calls`, the
selection the metrics use, but with class-agnostic NMS at
``DEFAULT_NMS_IOU`` (0.4) where the paper's Acc and AER use 0.7. At 0.7
a chromosome that two proposals read as different classes keeps both
calls (a spurious extra copy). Chosen on 60 validation cells of the
synthetic recipe: the whole-cell reading got 45 ISCN strings right
at 0.4 and 0.45, 39 at 0.7, and 40 at 0.3, where touching chromosomes
begin to merge. On its 60 test cells: 49 right at 0.4 against 41 at 0.7
(normal cells 43 vs 36 of 46, aneuploid 6 vs 5 of 14). Chromosome AER
went 8.8 -> 7.6 for the reading and 13.7 -> 10.7 for the calls
(benchmarks/README.md, "Whole-cell reading"). Given each detection's class
probabilities and ``penalties``, the record reads the cell as a whole
(:func:`deepacc.karyotype.assignment.assign_karyotype`): its detections,
counts and karyotype are then that reading, and the calls' own karyotype
stays in ``calls_karyotype``.
"""

from typing import Dict, List, Optional, Tuple

import numpy as np

from deepacc.chromosomes import CLASSES, GROUP_OF_LABEL, NUM_CLASSES
from deepacc.karyotype.assignment import assign_karyotype, assignment_changes
from deepacc.karyotype.iscn import (
    NORMAL_TOTAL,
    counts_to_dict,
    numerical_karyotype,
)
from deepacc.structures import count_by_class, select_calls

DEFAULT_NMS_IOU = 0.4
# The whole-cell reading never adds a detection scored under this: a
# reading that fills a cell to 46 from proposals the detector scored
# 0.00 makes the count say nothing (issue 31). The record lists the
# scores of the detections it added (``reading['added_scores']``).
DEFAULT_CANDIDATE_FLOOR = 0.1


def build_record(
    bboxes: np.ndarray,
    scores: np.ndarray,
    labels: np.ndarray,
    image_size: tuple,
    image_path: Optional[str] = None,
    score_thr: float = 0.5,
    nms_iou: float = DEFAULT_NMS_IOU,
    low_conf: float = 0.7,
    polarity: Optional[np.ndarray] = None,
    class_scores: Optional[np.ndarray] = None,
    penalties: Optional[Tuple[float, float]] = None,
    candidate_floor: float = DEFAULT_CANDIDATE_FLOOR,
    call_score: str = 'class',
) -> dict:
    """Select the calls of one image and describe them.

    Args:
        bboxes (np.ndarray): (N, 4) xyxy top-1 boxes in image pixels, one
            per proposal.
        scores (np.ndarray): (N,) top-1 scores.
        labels (np.ndarray): (N,) top-1 class indices (0..23).
        image_size (tuple[int, int]): Image (height, width).
        image_path (str, optional): Where the image came from (None for an
            array).
        score_thr (float): Minimum score of a call.
        nms_iou (float): Class-agnostic NMS IoU threshold.
        low_conf (float): Calls scored below this are flagged.
        polarity (np.ndarray, optional): (N,) probability that each
            detection's p-arm is its upper end (models with a polarity
            output).
        class_scores (np.ndarray, optional): (N, 25) softmax of each
            detection's proposal (background last).
        penalties (tuple[float, float], optional): With
            ``class_scores``, read the cell as a whole with these (gain,
            loss) penalties (nats per copy more / fewer than a normal
            cell has): every detection of any score (after the same NMS)
            may be a chromosome, and each gets the class of the
            least-cost reading. None: the calls as they are.
        candidate_floor (float): A detection scored under this is no
            candidate of the whole-cell reading (never added).
        call_score (str): What ``score_thr`` and ``candidate_floor``
            apply to. ``'class'``: the top-1 class probability (the
            selection of the paper's Acc and AER). ``'object'``: the
            probability that the detection is a chromosome at all, 1 -
            its background probability (needs ``class_scores``), so a
            chromosome whose class is uncertain is still counted (and
            flagged low-confidence by its class probability).

    Returns:
        dict: With keys ``image`` (path or None), ``height``, ``width``,
        ``detections`` (list of dicts: ``bbox`` xyxy, ``label``, ``class``,
        ``group``, ``score`` (its class probability), ``low_confidence``,
        given ``class_scores`` ``object_score``, and given ``polarity``:
        ``p_arm`` (``'up'`` or ``'down'``: where the p-arm lies along the
        chromosome's long axis in the image) with ``p_arm_confidence``
        (the probability of that answer, 0.5..1); highest score first),
        ``counts`` ({class name: count} for all 24 classes), ``total``,
        ``karyotype`` (ISCN string), ``num_low_confidence``, ``flags``
        (list of human-readable strings; empty when nothing is unusual)
        and ``settings`` (the thresholds used). A whole-cell reading
        (``penalties``) adds ``calls_karyotype`` (the ISCN string of the
        calls alone), ``reading`` (``relabelled``, ``added``,
        ``removed``: how many calls it changed, ``added_scores``: the
        selection scores of the added ones) and, per detection,
        ``detector_class`` and ``detector_score`` (the top-1 class and the
        score the calls were selected by, see ``call_score``) and
        ``reading`` (``'call'``, ``'relabelled'`` or ``'added'``); a
        detection's ``score`` is then the probability of its class.
    """
    if call_score not in ('class', 'object'):
        raise ValueError(
            f"call_score must be 'class' or 'object', got {call_score!r}"
        )
    bboxes = np.asarray(bboxes, dtype=np.float64).reshape(-1, 4)
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    bad = labels[(labels < 0) | (labels >= NUM_CLASSES)]
    if len(bad):
        raise ValueError(
            f'detection label {int(bad[0])} outside '
            f'0..{NUM_CLASSES - 1} for {image_path}'
        )
    object_scores = None
    if class_scores is not None:
        class_scores = _class_scores(class_scores, len(scores), image_path)
        object_scores = 1.0 - class_scores[:, NUM_CLASSES]
    if call_score == 'object' and object_scores is None:
        raise ValueError(
            f"call_score 'object' needs class_scores for {image_path}: "
            "the model gives no background probability; use 'class'"
        )
    # What the thresholds apply to.
    select = object_scores if call_score == 'object' else scores
    keep = select_calls(
        bboxes, select, labels, score_thr=score_thr, nms_iou=nms_iou
    )
    reading = None
    if penalties is not None and class_scores is not None:
        calls_counts = count_by_class(labels[keep], NUM_CLASSES)
        keep, labels, scores, per_call, reading = read_whole_cell(
            bboxes,
            select,
            labels,
            class_scores,
            penalties,
            score_thr,
            nms_iou,
            image_path,
            candidate_floor=candidate_floor,
        )
    if polarity is not None:
        polarity = np.asarray(polarity, dtype=np.float64).reshape(-1)
        if len(polarity) != len(scores):
            raise ValueError(
                f'{len(polarity)} polarities for {len(scores)} detections '
                f'of {image_path}'
            )
    detections = []
    for i in keep:
        label = int(labels[i])
        detections.append(
            dict(
                bbox=[round(float(v), 2) for v in bboxes[i]],
                label=label,
                **{'class': CLASSES[label]},
                group=GROUP_OF_LABEL[label],
                score=round(float(scores[i]), 4),
                low_confidence=bool(scores[i] < low_conf),
            )
        )
        if object_scores is not None:
            detections[-1]['object_score'] = round(float(object_scores[i]), 4)
        if reading is not None:
            detections[-1].update(per_call[len(detections) - 1])
        if polarity is not None:
            up = bool(polarity[i] >= 0.5)
            detections[-1].update(
                p_arm='up' if up else 'down',
                p_arm_confidence=round(
                    float(polarity[i] if up else 1.0 - polarity[i]), 4
                ),
            )
    counts = counts_to_dict(count_by_class(labels[keep], NUM_CLASSES))
    height, width = (int(v) for v in image_size[:2])
    num_low = sum(d['low_confidence'] for d in detections)
    record = dict(
        image=image_path,
        height=height,
        width=width,
        detections=detections,
        counts=counts,
        total=len(detections),
        karyotype=numerical_karyotype(counts),
        num_low_confidence=num_low,
        flags=record_flags(counts, num_low, low_conf),
        settings=dict(
            score_thr=score_thr,
            nms_iou=nms_iou,
            low_conf=low_conf,
            call_score=call_score,
        ),
    )
    if reading is not None:
        record['calls_karyotype'] = numerical_karyotype(calls_counts)
        record['reading'] = reading
        record['settings']['penalties'] = dict(
            gain=penalties[0], loss=penalties[1]
        )
        record['settings']['candidate_floor'] = candidate_floor
        if any(reading[k] for k in ('relabelled', 'added', 'removed')):
            record['flags'].append(
                'whole-cell reading changed {relabelled} relabelled, '
                '{added} added, {removed} removed; the calls alone '
                'read {calls}'.format(
                    calls=record['calls_karyotype'], **reading
                )
            )
    return record


def _class_scores(class_scores, num: int, image_path) -> np.ndarray:
    """``class_scores`` as a float array, checked to be (num, 25)."""
    class_scores = np.asarray(class_scores, dtype=np.float64)
    if class_scores.shape != (num, NUM_CLASSES + 1):
        raise ValueError(
            f'class_scores of shape {class_scores.shape} for {num} '
            f'detections of {image_path}; expected ({num}, {NUM_CLASSES + 1})'
        )
    return class_scores


def read_whole_cell(
    bboxes: np.ndarray,
    scores: np.ndarray,
    labels: np.ndarray,
    class_scores: np.ndarray,
    penalties: Tuple[float, float],
    score_thr: float,
    nms_iou: float,
    image_path: Optional[str] = None,
    candidate_floor: float = DEFAULT_CANDIDATE_FLOOR,
) -> tuple:
    """The whole-cell reading of one image's top-1 detections.

    Every detection scored at least ``candidate_floor``, after
    class-agnostic NMS at ``nms_iou``, is a candidate of
    :func:`deepacc.karyotype.assignment.assign_karyotype`.

    Returns:
        tuple: ``keep`` (indices of the chromosomes of the reading, most
        probable first), ``labels`` and ``scores`` (copies of the inputs
        where the kept entries hold the reading's class and its
        probability), one dict per kept chromosome (``detector_class``,
        ``detector_score``, ``reading``: ``'call'``, ``'relabelled'`` or
        ``'added'``) and the changes (``relabelled``, ``added``,
        ``removed``, and ``added_scores``: the detector's scores of the
        added chromosomes, highest first).
    """
    class_scores = _class_scores(class_scores, len(scores), image_path)
    if candidate_floor < 0:
        raise ValueError(
            f'candidate_floor must be >= 0, got {candidate_floor}'
        )
    # Calls are always candidates, whatever the floor.
    floor = min(candidate_floor, score_thr)
    candidates = select_calls(
        bboxes, scores, labels, score_thr=floor, nms_iou=nms_iou
    )
    assigned, _ = assign_karyotype(class_scores[candidates], *penalties)
    called = scores[candidates] >= score_thr
    changes = assignment_changes(labels[candidates], assigned, called)
    chosen = assigned >= 0
    changes['added_scores'] = sorted(
        (round(float(v), 4) for v in scores[candidates][chosen & ~called]),
        reverse=True,
    )
    keep = candidates[chosen]
    new_labels, new_scores = labels.copy(), scores.copy()
    new_labels[keep] = assigned[chosen]
    new_scores[keep] = class_scores[keep, assigned[chosen]]
    order = np.argsort(-new_scores[keep], kind='stable')
    per_call = []
    for i, was_called in zip(keep[order], called[chosen][order]):
        kind = 'call' if labels[i] == new_labels[i] else 'relabelled'
        per_call.append(
            dict(
                detector_class=CLASSES[int(labels[i])],
                detector_score=round(float(scores[i]), 4),
                reading=kind if was_called else 'added',
            )
        )
    return keep[order], new_labels, new_scores, per_call, changes


def record_flags(
    counts: Dict[str, int], num_low: int, low_conf: float
) -> List[str]:
    """Human-readable warnings for a cell (empty list: nothing unusual)."""
    flags = []
    total = sum(counts.values())
    if total != NORMAL_TOTAL:
        flags.append(f'count {total} != {NORMAL_TOTAL}')
    if counts['X'] + counts['Y'] == 0 and total > 0:
        flags.append('no sex chromosome called')
    if num_low:
        flags.append(
            f'{num_low} low-confidence call'
            f'{"s" if num_low > 1 else ""} (score < {low_conf:g})'
        )
    return flags


_CLUSTERS = ('touching', 'overlapping', 'touching+overlapping')


def attach_clusters(
    record: dict, clusters: dict, call_objects: List[int]
) -> dict:
    """Add the image's typed objects and say which calls lie in clusters.

    Args:
        record (dict): From :func:`build_record` (modified in place).
        clusters (dict): From :meth:`deepacc.clusters.inferencer.
            ClusterTyper.predict`.
        call_objects (list[int]): Per detection of ``record``, the index
            of its object in ``clusters['objects']`` (-1: none).

    Returns:
        dict: ``record`` with ``clusters`` (the objects record) and, per
        detection, ``object`` (index or None) and ``cluster_type`` (that
        object's type or None); a flag counts the calls in touching or
        overlapping clusters (where a reviewer should look first).
    """
    objects = clusters['objects']
    if len(call_objects) != len(record['detections']):
        raise ValueError(
            f'{len(call_objects)} object indices for '
            f'{len(record["detections"])} detections'
        )
    in_cluster = 0
    for det, k in zip(record['detections'], call_objects):
        k = int(k)
        det['object'] = k if k >= 0 else None
        det['cluster_type'] = objects[k]['type'] if k >= 0 else None
        in_cluster += det['cluster_type'] in _CLUSTERS
    record['clusters'] = clusters
    if in_cluster:
        record['flags'].append(
            f'{in_cluster} call{"s" if in_cluster > 1 else ""} in '
            'touching/overlapping clusters'
        )
    return record
