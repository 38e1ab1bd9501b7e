import numpy as np
import pytest

from deepacc.testing import (
    TINY_CROP_SIZE,
    make_tiny_crops,
    write_untrained_crop_classifier,
)

# Five cells, so that a 3:1:1 split by cell has a cell in every part.
CELLS = {
    f'case{i}.cell{i}': ('1', '2', '7', '13', '18', '21', 'X', 'Y')
    for i in range(5)
}
TINY_SIZE = TINY_CROP_SIZE


@pytest.fixture(scope='session')
def crops_root(tmp_path_factory):
    root = tmp_path_factory.mktemp('crops')
    return make_tiny_crops(str(root), CELLS)


# A cell of four crops whose hand-made class probabilities make each
# crop's own most probable class give three copies of chromosome 1 and
# one of chromosome 2: the third crop is a 2 called 1 (0.60 against
# 0.35). Read together as a karyotype (two of each autosome) it is a 2.
JOINT_CELL = {'case9.cell9': ('1', '1', '2', '2')}
JOINT_TRUTH = [0, 0, 1, 1]
JOINT_INDEPENDENT = [0, 0, 0, 1]


def hand_made_scores() -> np.ndarray:
    """(4, 24) class probabilities of :data:`JOINT_CELL`'s crops."""
    scores = np.full((4, 24), 0.1 / 23)
    scores[[0, 1], 0] = 0.9
    scores[3, 1] = 0.9
    scores[2] = 0.05 / 22
    scores[2, :2] = 0.6, 0.35
    return scores


@pytest.fixture(scope='session')
def joint_root(tmp_path_factory):
    root = tmp_path_factory.mktemp('joint_crops')
    return make_tiny_crops(str(root), JOINT_CELL)


@pytest.fixture(scope='session')
def untrained(tmp_path_factory):
    """The default crop-classification config shrunk to the tiny model
    (``config.py``) and its untrained weights (``weights.pth``)."""
    folder = tmp_path_factory.mktemp('untrained')
    return write_untrained_crop_classifier(str(folder))


@pytest.fixture
def hand_made(monkeypatch):
    """Make the crop classifier answer :func:`hand_made_scores` for every
    four-crop cell (its other outputs, polarity included, are the
    model's own)."""
    import torch

    from deepacc.models import ChromosomeCropClassifier

    original = ChromosomeCropClassifier.predict

    def predict(self, inputs, data_samples=None):
        results = original(self, inputs, data_samples)
        for result in results:
            assert len(result['scores']) == 4
            scores = torch.from_numpy(hand_made_scores()).float()
            best, labels = scores.max(dim=1)
            result.update(scores=scores, pred_scores=best, pred_labels=labels)
        return results

    monkeypatch.setattr(ChromosomeCropClassifier, 'predict', predict)
