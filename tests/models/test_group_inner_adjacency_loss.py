import pytest
import torch

from deepacc.chromosomes import CLASSES
from deepacc.models.losses import GroupInnerAdjacencyLoss
from deepacc.models.losses.group_inner_adjacency_loss import (
    DENVER_LABEL_GROUPS,
    adjacency_matrix,
)

# Two groups {0, 1} and {2, 3}; column 4 is the background.
GROUPS = [[0, 1], [2, 3]]


def _loss(**kwargs):
    kwargs.setdefault('loss_weight', 1.0)
    return GroupInnerAdjacencyLoss(groups=GROUPS, **kwargs)


def test_zero_when_same_group_vectors_are_orthogonal():
    prob = torch.tensor([[1.0, 0, 0, 0, 0], [0, 1.0, 0, 0, 0]])
    loss = _loss()(prob, torch.tensor([0, 1]))
    assert loss.item() == 0


def test_hand_computed_value_ignores_other_groups():
    prob = torch.tensor(
        [
            [0.6, 0.4, 0.0, 0.0, 0.0],  # label 0
            [0.2, 0.8, 0.0, 0.0, 0.0],  # label 1
            [0.3, 0.3, 0.4, 0.0, 0.0],  # label 2
            [0.1, 0.1, 0.1, 0.7, 0.0],  # label 3
            [0.5, 0.5, 0.0, 0.0, 0.0],  # background: no term, not counted
        ]
    )
    labels = torch.tensor([0, 1, 2, 3, 4])
    # Centres (best > 0.5): class 0 -> row 0, 1 -> row 1, 3 -> row 3; the
    # best for class 2 (row 2, 0.4) is not confident: skipped.
    # row 0: p0 . p1 = .6*.2 + .4*.8 = .44 (row 3 is another group)
    # row 1: p1 . p0 = .44;  row 2: p2 . p3 = .03 + .03 + .04 = .10
    # row 3: class 2 has no centre -> 0.  Mean over 4 positives.
    expected = (0.44 + 0.44 + 0.10 + 0.0) / 4
    loss = _loss(loss_weight=0.1)(prob, labels)
    assert loss.item() == pytest.approx(0.1 * expected, rel=1e-6)
    per_roi = _loss()(prob, labels, reduction_override='none')
    assert per_roi.tolist() == pytest.approx(
        [0.44, 0.44, 0.10, 0, 0], abs=1e-6
    )


def test_positive_when_not_orthogonal_and_gradients_flow():
    prob = torch.tensor(
        [[0.7, 0.3, 0, 0, 0], [0.3, 0.7, 0, 0, 0]], requires_grad=True
    )
    loss = _loss()(prob, torch.tensor([0, 1]))
    assert loss.item() == pytest.approx(0.7 * 0.3 * 2, rel=1e-6)
    loss.backward()
    assert prob.grad.abs().sum() > 0


def test_centres_are_per_image():
    # Image 0 holds a confident class-1 proposal; image 1 does not.
    prob = torch.tensor(
        [
            [0.6, 0.4, 0, 0, 0],
            [0.2, 0.8, 0, 0, 0],
            [0.6, 0.4, 0, 0, 0],
            [0.6, 0.4, 0, 0, 0],
        ]
    )
    labels = torch.tensor([0, 1, 0, 0])
    per_roi = _loss()(
        prob,
        labels,
        img_inds=torch.tensor([0, 0, 1, 1]),
        reduction_override='none',
    )
    assert per_roi.tolist() == pytest.approx([0.44, 0.44, 0.0, 0.0], abs=1e-6)
    mixed = _loss()(prob, labels, reduction_override='none')
    assert mixed[2].item() == pytest.approx(0.44, abs=1e-6)


def test_a_proposal_is_not_its_own_centre_and_thresholds():
    # Row 0 (label 0) is also the best class-1 proposal: skipped.
    prob = torch.tensor([[0.3, 0.7, 0, 0, 0]])
    assert _loss()(prob, torch.tensor([0])).item() == 0
    prob = torch.tensor([[0.6, 0.4, 0, 0, 0], [0.55, 0.45, 0, 0, 0]])
    labels = torch.tensor([0, 0])
    # No class-1 centre above 0.5; with center_thr=0 row 1 serves (for
    # row 0) and row 0 serves for row 1.
    assert _loss()(prob, labels).item() == 0
    loss = _loss(center_thr=0.0)(prob, labels, reduction_override='none')
    dot = 0.6 * 0.55 + 0.4 * 0.45
    assert loss.tolist() == pytest.approx([dot, 0.0], abs=1e-6)
    # center_scores pick the centres instead of the probabilities.
    scores = torch.tensor([[0.0, 0.0, 0, 0, 0], [0.0, 0.9, 0, 0, 0]])
    loss = _loss()(
        prob, labels, center_scores=scores, reduction_override='none'
    )
    assert loss.tolist() == pytest.approx([dot, 0.0], abs=1e-6)


def test_empty_and_no_positive():
    prob = torch.zeros(0, 5, requires_grad=True)
    assert _loss()(prob, torch.zeros(0, dtype=torch.long)).item() == 0
    prob = torch.tensor([[0.5, 0.5, 0, 0, 0]])
    assert _loss()(prob, torch.tensor([4])).item() == 0


def test_denver_groups_default():
    adjacent = adjacency_matrix(DENVER_LABEL_GROUPS, len(CLASSES) + 1)
    one, two, x, y = (CLASSES.index(c) for c in ('1', '2', 'X', 'Y'))
    assert adjacent[one, two] and adjacent[x, CLASSES.index('7')]
    assert adjacent[y, CLASSES.index('21')]
    assert not adjacent[one, one] and not adjacent[one, x]
    assert not adjacent[len(CLASSES)].any()  # background
    assert int(adjacent.sum()) == sum(
        len(g) * (len(g) - 1) for g in DENVER_LABEL_GROUPS
    )
    with pytest.raises(ValueError, match='names label'):
        adjacency_matrix([[0, 9]], 5)
