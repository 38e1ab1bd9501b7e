"""The second stage: a crop classifier names the detector's calls."""

import numpy as np
import pytest

from deepacc.chromosomes import NUM_CLASSES
from deepacc.karyotype import Karyotyper


class StubClassifier:
    """Answers fixed class and polarity probabilities and keeps the crops
    it was given."""

    checkpoint = 'work/stub.pth'

    def __init__(self, scores, polarity=None, scale_mode='none'):
        self.scores = np.asarray(scores, np.float64)
        self.polarity = polarity
        self.scale_mode, self.model_width = scale_mode, 15.0
        # A crop classifier's width is read one crop at a time.
        self.width_reference = None
        # None: brought to the training width; a length: the classifier
        # measures its cut-outs itself.
        self.cell_length = None
        self.crops = self.factor = None

    def classify(self, crops, factor=None):
        self.crops, self.factor = list(crops), factor
        assert len(crops) == len(self.scores)
        out = dict(scores=self.scores, factor=factor)
        if self.polarity is not None:
            out['polarity_probs'] = np.asarray(self.polarity)
        return out


def bars_image():
    """A white 200x200 image with a dark horizontal bar (x 40-160,
    y 95-105) and four vertical ones (x 90-100, y 20-80; x 140-150,
    y 120-180; x 20-30, y 130-190; x 170-180, y 10-70), all 10 px
    wide."""
    image = np.full((200, 200, 3), 235, np.uint8)
    image[95:105, 40:160] = 60
    image[20:80, 90:100] = 60
    image[120:180, 140:150] = 60
    image[130:190, 20:30] = 60
    image[10:70, 170:180] = 60
    return image


def found_of(class_scores=True):
    """Three detections: the horizontal bar (object score 0.8), the
    vertical bar (0.4: no call at 0.5, but a candidate of the reading
    above its 0.1 floor) and a speck of background (0.05)."""
    probs = np.zeros((3, NUM_CLASSES + 1))
    probs[0, [0, 1, NUM_CLASSES]] = 0.5, 0.3, 0.2
    probs[1, [2, NUM_CLASSES]] = 0.4, 0.6
    probs[2, [3, NUM_CLASSES]] = 0.05, 0.95
    return dict(
        bboxes=np.array(
            [[38, 93, 162, 107], [88, 18, 102, 82], [0, 0, 10, 10]], float
        ),
        scores=probs[:, :NUM_CLASSES].max(1),
        labels=np.array([0, 2, 3]),
        polarity=None,
        class_scores=probs if class_scores else None,
    )


@pytest.fixture(scope='module')
def karyotyper(tiny_checkpoint):
    config, checkpoint, _ = tiny_checkpoint
    return Karyotyper(config, checkpoint)


def test_name_replaces_the_classes_of_possible_calls(karyotyper):
    # Classifier: the horizontal bar 0.7 "6" / 0.3 "7", the vertical one
    # an X; each times its object score (0.8, 0.4), background kept.
    scores = np.zeros((2, NUM_CLASSES))
    scores[0, [5, 6]] = 0.7, 0.3
    scores[1, 22] = 1.0
    stub = StubClassifier(scores, polarity=[0.9, 0.2], scale_mode='auto')
    karyotyper.classifier = stub
    try:
        named = karyotyper.name(found_of(), bars_image())
    finally:
        karyotyper.classifier = None
    expected = found_of()['class_scores']
    expected[0, :NUM_CLASSES] = 0.0
    expected[0, [5, 6]] = 0.8 * 0.7, 0.8 * 0.3
    expected[1, :NUM_CLASSES] = 0.0
    expected[1, 22] = 0.4
    np.testing.assert_allclose(named['class_scores'], expected)
    assert named['labels'].tolist() == [5, 22, 3]  # the speck keeps "4"
    np.testing.assert_allclose(named['scores'], [0.56, 0.4, 0.05])
    np.testing.assert_allclose(named['polarity'], [0.9, 0.2, 0.5])
    np.testing.assert_array_equal(named['bboxes'], found_of()['bboxes'])
    # Crops resized by the classifier's training width (15 px) over the
    # image's chromosome width (the bars: 10 px).
    assert stub.factor == pytest.approx(1.5, rel=0.1)
    assert named['named'] == dict(
        model='stub.pth',
        named=2,
        scale_factor=round(stub.factor, 4),
        cell_length=None,
    )
    # The crops went to the classifier upright: the horizontal bar too.
    for crop in stub.crops:
        mask = crop < 150
        rows, cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
        assert np.ptp(rows) > 4 * np.ptp(cols), crop.shape


def test_crops_are_resized_by_a_width_read_as_the_classifier_s(
    karyotyper, monkeypatch
):
    """The karyotyper reads the image's width at its detector's reference
    size; a classifier whose training width was read in one pass gets
    the image read in one pass too, not the detector's reading."""
    import deepacc.scale.normalize

    # A reading that tells the two ways apart: 10 px in one pass, 12 at
    # the reference size.
    readings = []

    def width(image, polarity='auto', objects=None, reference=None):
        readings.append(reference)
        return 10.0 if reference is None else 12.0

    monkeypatch.setattr(
        deepacc.scale.normalize, 'estimate_chromosome_width', width
    )
    scores = np.zeros((2, NUM_CLASSES))
    scores[:, 9] = 1.0
    stub = StubClassifier(scores, scale_mode='auto')
    monkeypatch.setattr(karyotyper, 'classifier', stub)
    monkeypatch.setattr(karyotyper, 'scale', 'auto')
    monkeypatch.setattr(karyotyper, 'model_width', 18.0)
    monkeypatch.setattr(karyotyper, 'width_reference', 24.0)
    monkeypatch.setattr(karyotyper, 'detect', lambda *_: found_of())
    record, _ = karyotyper.predict(bars_image())
    assert record['scale']['factor'] == 1.5  # 18 / 12
    assert record['scale']['image_width_px'] == 12.0
    assert record['scale']['width_reference_px'] == 24.0
    assert readings == [24.0, None]
    assert stub.factor == pytest.approx(15.0 / 10.0)
    # A classifier read at the detector's reference: one reading serves.
    stub.width_reference = 24.0
    readings.clear()
    karyotyper.predict(bars_image())
    assert readings == [24.0]
    assert stub.factor == pytest.approx(15.0 / 12.0)
    # A classifier that brings each cell to a median length: no width is
    # read for it, and it gets no factor (it measures the cut-outs).
    stub.width_reference, stub.cell_length = None, 60.0
    readings.clear()
    karyotyper.predict(bars_image())
    assert readings == [24.0]
    assert stub.factor is None


def test_name_without_class_probabilities(karyotyper):
    # A detector without background probabilities: its top-1 score is
    # the object score (0.5, 0.4 and 0.05 here).
    scores = np.zeros((2, NUM_CLASSES))
    scores[:, 9] = 1.0
    karyotyper.classifier = stub = StubClassifier(scores)
    try:
        named = karyotyper.name(found_of(class_scores=False), bars_image())
    finally:
        karyotyper.classifier = None
    assert named['labels'].tolist() == [9, 9, 3]
    np.testing.assert_allclose(named['scores'], [0.5, 0.4, 0.05])
    np.testing.assert_allclose(
        named['class_scores'][:, NUM_CLASSES], [0.5, 0.6, 0.95]
    )
    assert named['polarity'] is None
    assert stub.factor is None  # scale 'none': the classifier's own rule


def test_a_detector_is_refused_as_crop_classifier(tiny_checkpoint):
    from deepacc.utils import load_model_config

    config, checkpoint, _ = tiny_checkpoint
    with pytest.raises(ValueError, match='not a ChromosomeCropClassifier'):
        load_model_config(checkpoint, None, 'ChromosomeCropClassifier')
    with pytest.raises(FileNotFoundError, match='no such file'):
        load_model_config(checkpoint + '.missing', config)
