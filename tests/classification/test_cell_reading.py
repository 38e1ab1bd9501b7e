"""A cell's crops read together: the karyotype's copy counts fix a crop
its own most probable class gets wrong, and keep a confident aneuploidy."""

import numpy as np
import pytest

from deepacc.chromosomes import CLASSES
from deepacc.classification import cell_karyotype, compare_readings, read_cell
from deepacc.karyotype.assignment import reading_cost

from .conftest import JOINT_INDEPENDENT, JOINT_TRUTH, hand_made_scores

NAME = {name: k for k, name in enumerate(CLASSES)}


def test_joint_reading_turns_the_third_copy_into_the_missing_one():
    scores = hand_made_scores()
    assert read_cell(scores, None).tolist() == JOINT_INDEPENDENT
    assert read_cell(scores).tolist() == JOINT_TRUTH
    # By hand, in nats (gain 4, loss 6): the third crop as a 1 costs
    # -log 0.60 = 0.51 plus a gained 1 (4) and a lost 2 (6) = 10.51; as
    # a 2, -log 0.35 = 1.05. The other crops do not move.
    q = np.concatenate([scores, np.zeros((4, 1))], 1)
    independent = reading_cost(q, JOINT_INDEPENDENT, 4.0, 6.0)
    joint = reading_cost(q, JOINT_TRUTH, 4.0, 6.0)
    assert independent - joint == pytest.approx(
        10.0 + np.log(0.35 / 0.6), abs=1e-9
    )


def test_zero_penalties_keep_each_crops_most_probable_class():
    rng = np.random.default_rng(0)
    scores = rng.dirichlet(np.full(24, 0.3), size=12)
    assert (read_cell(scores, (0.0, 0.0)) == scores.argmax(1)).all()


def test_a_confident_trisomy_is_kept():
    """47,XY,+21 with every crop sure of its class: the reading does not
    force the cell to 46 chromosomes of two copies."""
    truth = [NAME[n] for n in CLASSES[:22] for _ in range(2)]
    truth += [NAME['21'], NAME['X'], NAME['Y']]
    scores = np.full((len(truth), 24), 0.01 / 23)
    scores[np.arange(len(truth)), truth] = 0.99
    labels = read_cell(scores)
    assert labels.tolist() == truth
    assert cell_karyotype(labels) == '47,XY,+21'


def test_read_cell_refuses_the_wrong_shape():
    with pytest.raises(ValueError, match=r'\(num_crops, 24\)'):
        read_cell(np.ones((3, 25)))
    assert read_cell(np.zeros((0, 24))).shape == (0,)


def test_compare_readings_scores_crops_and_whole_cells():
    scores = hand_made_scores()
    normal = np.full((46, 24), 0.01 / 23)
    normal_truth = [k for k in range(22) for _ in range(2)] + [22, 23]
    normal[np.arange(46), normal_truth] = 0.99
    results = [
        dict(
            scores=scores,
            pred_labels=scores.argmax(1),
            gt_labels=np.array(JOINT_TRUTH),
        ),
        dict(
            scores=normal,
            pred_labels=normal.argmax(1),
            gt_labels=np.array(normal_truth),
        ),
    ]
    readings = compare_readings(results)
    assert readings['independent']['karyotypes_right'] == 1
    assert readings['joint']['karyotypes_right'] == 2
    assert readings['independent']['scores']['accuracy'] == 49 / 50
    assert readings['joint']['scores']['accuracy'] == 1.0
    assert readings['joint']['labels'][0].tolist() == JOINT_TRUTH
    assert cell_karyotype(normal_truth) == '46,XY'
