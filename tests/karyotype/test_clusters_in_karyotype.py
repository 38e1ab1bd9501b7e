"""``deepacc karyotype --clusters-checkpoint``: which calls lie in
clusters, in the JSON and the overlay."""

import json

import numpy as np
import pytest

from deepacc.clusters import find_objects
from deepacc.clusters.inferencer import objects_of_boxes, objects_record
from deepacc.karyotype import build_record, draw_overlay
from deepacc.karyotype.record import attach_clusters


def _scene():
    """A lone bar at x 10..15 and two touching bars at x 40..51, with
    room on the right for the touching object's label (its width is the
    font's: OpenCV 5 draws it wider than 4 did)."""
    image = np.full((60, 120), 220, np.uint8)
    image[10:40, 10:16] = 60
    image[10:40, 40:46] = 60
    image[10:40, 46:52] = 60
    return image


def test_calls_are_assigned_to_the_object_under_most_of_their_box():
    objects = find_objects(_scene())
    lone = int(np.argmin(objects.boxes[:, 0]))
    pair = 1 - lone
    boxes = np.array(
        [
            [9, 9, 17, 41],  # the lone bar
            [39, 9, 47, 41],  # left bar of the pair
            [44, 9, 70, 41],  # mostly background, some of the pair
            [60, 45, 79, 59],  # nothing
        ],
        np.float64,
    )
    assert objects_of_boxes(boxes, objects).tolist() == [lone, pair, pair, -1]


def test_attach_clusters_and_overlay():
    image = _scene()
    objects = find_objects(image)
    lone = int(np.argmin(objects.boxes[:, 0]))
    types = np.array([0, 1]) if lone == 0 else np.array([1, 0])
    clusters = objects_record(objects, types, np.array([0.9, 0.8]))
    assert clusters['counts']['touching'] == 1
    boxes = np.array([[9, 9, 17, 41], [39, 9, 47, 41], [45, 9, 53, 41]])
    record = build_record(
        boxes, np.array([0.9, 0.8, 0.7]), np.array([0, 1, 1]), image.shape
    )
    plain = draw_overlay(image, record)
    attach_clusters(
        record,
        clusters,
        objects_of_boxes([d['bbox'] for d in record['detections']], objects),
    )
    kinds = sorted(d['cluster_type'] for d in record['detections'])
    assert kinds == ['single', 'touching', 'touching']
    assert '2 calls in touching/overlapping clusters' in record['flags']
    assert record['clusters']['objects'][lone]['type'] == 'single'
    json.dumps(record)
    outlined = draw_overlay(image, record)
    assert outlined.shape == plain.shape
    # Only the touching object is outlined and labelled (its label may
    # be pushed left to fit); the lone bar (x < 20) is not.
    changed = np.any(outlined != plain, axis=2)
    header = outlined.shape[0] - image.shape[0]
    cols = np.flatnonzero(changed[header:].any(0))
    assert cols.min() >= 20 and cols.max() >= 51
    with pytest.raises(ValueError, match='object indices'):
        attach_clusters(record, clusters, [0])


def test_karyotype_cli_with_clusters(
    tiny_checkpoint, tiny_cluster_checkpoint, tmp_path, capsys
):
    from deepacc.cli import main

    config, checkpoint, images = tiny_checkpoint
    _, cluster_ckpt, _ = tiny_cluster_checkpoint
    out = tmp_path / 'out'
    status = main(
        [
            'karyotype',
            config,
            checkpoint,
            f'{images}/tiny_0001.png',
            '--out',
            str(out),
            '--score-thr',
            '0',
            '--cfg-options',
            'model.test_cfg.rcnn.score_thr=0.0',
            'model.test_cfg.rcnn.max_per_img=30',
            '--clusters-checkpoint',
            cluster_ckpt,
        ]
    )
    assert status == 0, capsys.readouterr()
    record = json.load(open(out / 'tiny_0001.json'))
    assert record['clusters']['num_objects'] == len(
        record['clusters']['objects']
    )
    assert record['detections']
    for det in record['detections']:
        assert 'object' in det and 'cluster_type' in det
    assert (out / 'tiny_0001_overlay.png').is_file()
