"""The count-aware reading of a cell: exact, and it behaves as a
cytogeneticist pairing homologues would."""

import itertools

import numpy as np
import pytest

from deepacc.chromosomes import CLASSES, NUM_CLASSES
from deepacc.karyotype.assignment import (
    assign_karyotype,
    assignment_changes,
    reading_cost,
    sex_distance,
)

BG = NUM_CLASSES  # background column


def label(name):
    return CLASSES.index(name)


def rows(*specs):
    """Softmax rows from ``{class name or 'bg': probability}`` dicts; the
    rest of each row is spread evenly over the other columns."""
    q = np.zeros((len(specs), NUM_CLASSES + 1))
    for i, spec in enumerate(specs):
        cols = [BG if k == 'bg' else label(k) for k in spec]
        q[i, cols] = list(spec.values())
        rest = [c for c in range(NUM_CLASSES + 1) if c not in cols]
        q[i, rest] = (1 - sum(spec.values())) / len(rest)
    return q


def normal_cell(sex='XY', confidence=0.9):
    """One candidate per chromosome of a normal cell, each confident."""
    names = [n for n in CLASSES[:22] for _ in range(2)] + list(sex)
    return names, rows(*[{n: confidence} for n in names])


def test_sex_changes_by_hand():
    # (copies gained, copies lost) from the nearer of XX and XY.
    assert sex_distance(2, 0) == sex_distance(1, 1) == (0, 0)
    assert sex_distance(1, 0) == (0, 1)  # 45,X
    assert sex_distance(2, 1) == (1, 0)  # 47,XXY
    assert sex_distance(1, 2) == (1, 0)  # 47,XYY
    assert sex_distance(3, 0) == (1, 0)  # 47,XXX
    assert sex_distance(0, 0) == (0, 2)
    assert sex_distance(0, 1) == (0, 1)  # 45,Y: XY less an X
    assert sex_distance(3, 1) == (2, 0)  # 48,XXXY


@pytest.mark.parametrize('seed', range(3))
@pytest.mark.parametrize('gain,loss', [(0, 0), (0.7, 2.5), (3, 0.5)])
def test_the_reading_is_the_least_cost_one_of_all(seed, gain, loss):
    # Three candidates, every one of the 25**3 readings tried.
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(3, NUM_CLASSES + 1)) * 3
    # Make the sex chromosomes likely, so that X/Y hypotheses compete.
    logits[:, [label('X'), label('Y')]] += 2
    q = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    labels, cost = assign_karyotype(q, gain, loss)
    answers = list(range(-1, NUM_CLASSES))
    best = min(
        reading_cost(q, np.array(r), gain, loss)
        for r in itertools.product(answers, repeat=3)
    )
    assert cost == pytest.approx(best, abs=1e-6)
    assert reading_cost(q, labels, gain, loss) == pytest.approx(best, abs=1e-6)


def test_reading_cost_by_hand():
    # 46,XXY,-1: certain answers (nll 0), one copy gained (the Y next to
    # XX) and one lost (a single 1).
    names = ['1'] + [n for n in CLASSES[1:22] for _ in range(2)]
    names += ['X', 'X', 'Y']
    q = rows(*[{n: 1.0} for n in names])
    labels = np.array([label(n) for n in names])
    assert reading_cost(q, labels, 2.0, 3.0) == pytest.approx(2.0 + 3.0)


def test_a_confident_normal_cell_is_read_as_called():
    names, q = normal_cell('XX')
    labels, cost = assign_karyotype(q)
    assert [CLASSES[k] for k in labels] == names
    assert cost == pytest.approx(-np.log(0.9) * 46)


def test_a_third_copy_next_to_a_single_neighbour_is_moved():
    # Calls: three "4" and one "5"; one of the "4"s is nearly as likely
    # a 5, as a cytogeneticist would pair them.
    names, q = normal_cell('XY')
    fives = [i for i, n in enumerate(names) if n == '5']
    q[fives[0]] = rows({'4': 0.55, '5': 0.4})[0]
    labels, _ = assign_karyotype(q, 2.0, 2.0)
    assert labels[fives[0]] == label('5')
    assert (labels == label('4')).sum() == 2
    # Without the counts it stays a 4.
    labels, _ = assign_karyotype(q, 0.0, 0.0)
    assert labels[fives[0]] == label('4')


def test_a_confident_trisomy_is_kept():
    names, q = normal_cell('XX')
    q = np.vstack([q, rows({'21': 0.95})])
    labels, _ = assign_karyotype(q)
    assert (labels == label('21')).sum() == 3
    assert (labels >= 0).all()


def test_a_missing_copy_is_filled_by_an_uncertain_candidate():
    names, q = normal_cell('XY')
    sevens = [i for i, n in enumerate(names) if n == '7']
    # The second 7 scored under any call threshold: 30% chromosome.
    q[sevens[1]] = rows({'7': 0.25, 'bg': 0.7})[0]
    # And a debris-like candidate nothing is missing for.
    q = np.vstack([q, rows({'bg': 0.9})])
    labels, _ = assign_karyotype(q)
    assert labels[sevens[1]] == label('7')
    assert labels[-1] == -1
    called = np.r_[np.ones(len(names), bool), False]
    called[sevens[1]] = False
    top1 = q[:, :BG].argmax(1)
    assert assignment_changes(top1, labels, called) == dict(
        relabelled=0, added=1, removed=0
    )
    # Without the counts it is not a chromosome.
    labels, _ = assign_karyotype(q, 0.0, 0.0)
    assert labels[sevens[1]] == -1


def test_monosomy_x_is_kept_when_nothing_else_could_be_an_x():
    names, q = normal_cell('X')
    labels, _ = assign_karyotype(q)
    assert (labels == label('X')).sum() == 1
    assert (labels == label('Y')).sum() == 0


def test_zero_penalty_is_each_candidates_own_best_answer():
    rng = np.random.default_rng(7)
    logits = rng.normal(size=(40, NUM_CLASSES + 1)) * 2
    q = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    labels, _ = assign_karyotype(q, 0.0, 0.0)
    best = q.argmax(1)
    np.testing.assert_array_equal(labels, np.where(best == BG, -1, best))


def test_no_candidates():
    labels, cost = assign_karyotype(np.zeros((0, NUM_CLASSES + 1)), 1, 2)
    assert labels.shape == (0,)
    assert cost == pytest.approx(2.0 * 46)  # 46 copies missing


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match=r'\(N, 25\)'):
        assign_karyotype(np.zeros((3, 24)))
    with pytest.raises(ValueError, match='penalties must be >= 0'):
        assign_karyotype(np.full((1, 25), 0.04), -1, 2)
