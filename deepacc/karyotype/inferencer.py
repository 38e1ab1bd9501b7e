"""The Python API: one image in, one karyotype record out.

>>> from deepacc.karyotype import Karyotyper
>>> karyotyper = Karyotyper('configs/.../config.py', 'epoch_12.pth')
>>> record = karyotyper('metaphase.png')       # or an (H, W, 3) array
>>> record['karyotype'], record['counts']['21']
('47,XX,+21', 3)

Arrays are taken as OpenCV gives them: (H, W, 3) BGR uint8 (for grey
metaphases the channel order does not matter) or (H, W) grey.
"""

import copy
import os
import os.path as osp
import warnings
from typing import Optional, Tuple, Union

import numpy as np

from deepacc.chromosomes import NUM_CLASSES, class_index
from deepacc.karyotype.assignment import DEFAULT_PENALTIES
from deepacc.karyotype.record import (
    DEFAULT_CANDIDATE_FLOOR,
    DEFAULT_NMS_IOU,
    build_record,
)
from deepacc.karyotype.upright import upright_chromosome
from deepacc.scale import (
    model_scale,
    rescale_pipeline,
    robust_scale_factor,
    scale_record,
)
from deepacc.structures import split_calls, top1_from_multiclass
from deepacc.utils.image_io import (  # noqa: F401  (ImageReadError: API)
    ImageReadError,
    as_bgr,
    read_image,
)
from deepacc.visualization import to_grey, whiten_background

ImageLike = Union[str, os.PathLike, np.ndarray]


class Karyotyper:
    """A trained detector that answers with karyotype records.

    Builds the model from a config and checkpoint with
    ``mmdet.apis.init_detector`` and runs the config's test pipeline, with
    the image-loading step replaced by an array loader and any
    ``LoadAnnotations`` step dropped (inference has no ground truth).
    Calls are the model's top-1 detections (``pred_top1_instances``; for
    heads without it, derived from ``pred_instances`` with
    :func:`deepacc.structures.top1_from_multiclass`) selected by
    :func:`deepacc.structures.select_calls`, as in the metrics (but see
    ``nms_iou``).

    Args:
        config (str | Config): Config file or object.
        checkpoint (str): Checkpoint written by the Runner.
        device (str): ``'cpu'``, ``'cuda'`` or ``'cuda:N'``.
        score_thr (float): Minimum score of a call.
        nms_iou (float): Class-agnostic NMS IoU threshold between calls
            (default 0.4, chosen for karyotypes: :mod:`deepacc.karyotype.
            record`; the paper's Acc and AER use 0.7).
        low_conf (float): Calls below this score are flagged.
        penalties (tuple[float, float], optional): Read every cell as a
            whole with these (gain, loss) penalties (:func:`deepacc.
            karyotype.assignment.assign_karyotype`; needs a
            ``DeepAccRoIHead`` model, whose detections carry class
            probabilities); None keeps the calls as they are.
        cfg_options (dict, optional): Config overrides.
        candidate_floor (float): Detections scored under this are never
            added by the whole-cell reading.
        scale (str | float): ``'auto'`` (default): resize each image so
            its chromosome width (:mod:`deepacc.scale`) matches the
            width the model was trained at; ``'none'``: the config's
            test pipeline as it is; a number: resize by that factor.
            The record's ``scale`` says what was done.
        call_score (str, optional): What ``score_thr`` applies to
            (:func:`deepacc.karyotype.build_record`): ``'object'``, the
            probability that a detection is a chromosome at all, or
            ``'class'``, its top-1 class probability. None (default):
            ``'object'`` where the model gives class probabilities (a
            ``DeepAccRoIHead`` model), else ``'class'``; the record's
            ``settings.call_score`` says which.
        classifier (CropClassifier, optional): A second stage that names
            the detections (:meth:`name`): each detection that may become
            a call is cut out and turned upright
            (:func:`~deepacc.karyotype.upright.upright_chromosome`), the
            crops of the image go through this
            :class:`deepacc.classification.CropClassifier` together, and
            its class (and polarity) probabilities replace the
            detector's, scaled by the detector's object score. The
            detector still decides what is a chromosome (the count); the
            classifier decides which one. The record's ``classifier``
            says what it did.
    """

    def __init__(
        self,
        config,
        checkpoint: str,
        device: str = 'cpu',
        score_thr: float = 0.5,
        nms_iou: float = DEFAULT_NMS_IOU,
        low_conf: float = 0.7,
        penalties: Optional[Tuple[float, float]] = DEFAULT_PENALTIES,
        cfg_options: Optional[dict] = None,
        candidate_floor: float = DEFAULT_CANDIDATE_FLOOR,
        scale='auto',
        call_score: Optional[str] = None,
        classifier=None,
    ) -> None:
        import torch
        from mmcv.transforms import Compose
        from mmdet.apis import init_detector
        from mmdet.utils import get_test_pipeline_cfg
        from mmengine.config import Config

        if str(device).startswith('cuda') and not torch.cuda.is_available():
            raise RuntimeError(
                f'device {device!r} requested but this torch '
                'has no CUDA device; use --device cpu'
            )
        if not osp.isfile(os.fspath(checkpoint)):
            raise FileNotFoundError(f'checkpoint {checkpoint}: no such file')
        if not isinstance(config, Config):
            config = Config.fromfile(os.fspath(config))
        self.score_thr = score_thr
        self.nms_iou = nms_iou
        self.low_conf = low_conf
        self.penalties = penalties
        self.candidate_floor = candidate_floor
        if call_score not in (None, 'object', 'class'):
            raise ValueError(
                "call_score must be 'object', 'class' or None, got "
                f'{call_score!r}'
            )
        self.call_score = call_score
        self.classifier = classifier
        # palette='random' keeps init_detector from building the test
        # data set just to read a palette (its files need not exist here).
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            self.model = init_detector(
                config,
                os.fspath(checkpoint),
                palette='random',
                device=device,
                cfg_options=cfg_options,
            )
        self.label_map = self._label_map(checkpoint)
        steps = []
        for step in copy.deepcopy(get_test_pipeline_cfg(self.model.cfg)):
            kind = str(step['type']).split('.')[-1]
            if 'LoadAnnotations' in kind:
                continue
            if kind.startswith('LoadImageFrom'):
                step = dict(type='mmdet.LoadImageFromNDArray')
            steps.append(step)
        self.pipeline_steps = steps
        self.pipeline = Compose(steps)
        self.scale, self.model_width, self.width_reference = model_scale(
            scale, self.model.cfg, checkpoint
        )

    def _label_map(self, checkpoint) -> np.ndarray:
        """Model label -> canonical label, from the checkpoint's classes."""
        classes = (getattr(self.model, 'dataset_meta', None) or {}).get(
            'classes'
        )
        mapped = [class_index(c) for c in classes or ()]
        if (
            classes
            and len(classes) == NUM_CLASSES
            and None not in mapped
            and len(set(mapped)) == NUM_CLASSES
        ):
            return np.asarray(mapped, dtype=np.int64)
        warnings.warn(
            f'{checkpoint}: no chromosome class names in its '
            f'meta (found {list(classes or [])[:5]}...); assuming '
            'the canonical label order 1..22, X, Y'
        )
        return np.arange(NUM_CLASSES, dtype=np.int64)

    def detect(
        self, image: np.ndarray, factor: Optional[float] = None
    ) -> dict:
        """Top-1 detections of one (H, W, 3) BGR image.

        Args:
            image (np.ndarray): (H, W, 3) BGR uint8.
            factor (float, optional): Resize the image by this factor
                in place of the test pipeline's fixed resize (boxes come
                back in the image's own pixels).

        Returns:
            dict: ``bboxes`` (N, 4) xyxy in image pixels, ``scores``
            (N,), canonical ``labels`` (N,), ``polarity`` ((N,) p-arm-up
            probabilities for a model that predicts polarity, else None)
            and ``class_scores`` ((N, 25) class probabilities in
            canonical order, background last, for a ``DeepAccRoIHead``
            model, else None).
        """
        import torch
        from mmcv.transforms import Compose

        pipeline = self.pipeline
        if factor is not None:
            pipeline = Compose(rescale_pipeline(self.pipeline_steps, factor))
        data = pipeline(dict(img=image, img_id=0))
        data = dict(
            inputs=[data['inputs']], data_samples=[data['data_samples']]
        )
        with torch.no_grad():
            sample = self.model.test_step(data)[0]
        return self.detections_of(sample)

    def detections_of(self, sample) -> dict:
        """Top-1 detections of one predicted ``DetDataSample`` (the
        model's ``test_step`` output), as :meth:`detect` returns them."""
        polarity = class_scores = None
        if 'pred_top1_instances' in sample:
            inst = sample.pred_top1_instances
            bboxes, scores, labels = split_calls(
                dict(
                    bboxes=inst.bboxes, scores=inst.scores, labels=inst.labels
                )
            )
            if 'polarity' in inst:
                polarity = inst.polarity.detach().cpu().numpy().reshape(-1)
            if 'class_scores' in inst:
                class_scores = inst.class_scores.detach().cpu().numpy()
        else:
            inst = sample.pred_instances
            bboxes, scores, labels = top1_from_multiclass(
                *split_calls(
                    dict(
                        bboxes=inst.bboxes,
                        scores=inst.scores,
                        labels=inst.labels,
                    )
                )
            )
        labels = labels.astype(np.int64)
        bad = (labels < 0) | (labels >= len(self.label_map))
        if bad.any():
            raise ValueError(
                f'the model predicted labels '
                f'{sorted(set(labels[bad].tolist()))} outside '
                f'0..{len(self.label_map) - 1}'
            )
        if class_scores is not None:
            # Columns in canonical label order, background last.
            reordered = np.empty_like(class_scores)
            reordered[:, self.label_map] = class_scores[:, :NUM_CLASSES]
            reordered[:, NUM_CLASSES] = class_scores[:, NUM_CLASSES]
            class_scores = reordered
        return dict(
            bboxes=bboxes,
            scores=scores,
            labels=self.label_map[labels],
            polarity=polarity,
            class_scores=class_scores,
        )

    def predict(self, image: ImageLike) -> Tuple[dict, np.ndarray]:
        """The record and the (H, W, 3) BGR image it describes."""
        if isinstance(image, (str, os.PathLike)):
            path = os.fspath(image)
            array = read_image(path)
        else:
            path, array = None, as_bgr(image)
        factor, width, scale_flag = robust_scale_factor(
            array, self.scale, self.model_width, reference=self.width_reference
        )
        found = self.detect(array, factor)
        if self.classifier is not None:
            same = self.classifier.width_reference == self.width_reference
            found = self.name(found, array, width if same else None)
        record = self.record_of(found, array.shape[:2], path)
        if 'named' in found:
            record['classifier'] = found['named']
        if scale_flag:
            record['flags'].append(scale_flag)
        record['scale'] = scale_record(
            self.scale,
            factor,
            width,
            self.model_width,
            scale_flag,
            self.width_reference,
        )
        return record, array

    def name(
        self, found: dict, image: np.ndarray, width: Optional[float] = None
    ) -> dict:
        """Detections named by the crop classifier (the second stage).

        Detections whose object score (1 - background probability; the
        score for a model without class probabilities) reaches
        ``min(score_thr, candidate_floor)``, the least a call or a
        reading's addition needs, are cut out of ``image`` upright and
        classified together as one cell. Their class probabilities become
        ``object score * classifier probability`` (the background
        probability stays the detector's), their label the classifier's
        most probable class and, for a classifier with polarity, their
        polarity the classifier's (the upright crop keeps the end that
        was upper in the image on top, the end the detector's polarity
        refers to). Other detections keep the detector's names.

        A classifier with ``scale='auto'`` gets its crops resized by its
        training width over the image's chromosome width (``width``, or
        measured here on the whole image: many objects, steadier than
        the crops' own estimate, which the classifier falls back to when
        the image cannot be measured); one that brings cells to a median
        chromosome length (``cell_length``) measures the cut-outs
        itself.

        Args:
            found (dict): :meth:`detect`'s detections of ``image``.
            image (np.ndarray): (H, W, 3) BGR or (H, W) grey uint8 image.
            width (float, optional): The image's chromosome width in
                pixels, when already measured as the classifier's
                training width was (its ``width_reference``).

        Returns:
            dict: ``found`` with new ``labels``, ``scores``,
            ``class_scores`` and ``polarity``, plus ``named``: ``model``
            (the classifier's checkpoint), ``named`` (detections
            classified), ``scale_factor`` (the crops' resize) and
            ``cell_length`` (the median length it brings a cell to, or
            None for a classifier read at its training width).
        """
        bboxes = np.asarray(found['bboxes'], np.float64).reshape(-1, 4)
        class_scores = found['class_scores']
        if class_scores is None:
            objectness = np.asarray(found['scores'], np.float64)
            class_scores = np.zeros((len(bboxes), NUM_CLASSES + 1))
            class_scores[np.arange(len(bboxes)), found['labels']] = objectness
            class_scores[:, NUM_CLASSES] = 1.0 - objectness
        else:
            class_scores = np.array(class_scores, np.float64)
            objectness = 1.0 - class_scores[:, NUM_CLASSES]
        todo = np.flatnonzero(
            objectness >= min(self.score_thr, self.candidate_floor)
        )
        grey = whiten_background(to_grey(image))
        crops = [
            upright_chromosome(grey, bboxes[i], orient_p_arm=False).image
            for i in todo
        ]
        factor, model_width = None, self.classifier.model_width
        by_width = self.classifier.cell_length is None
        if self.classifier.scale_mode == 'auto' and model_width and by_width:
            if width is None:
                _, width, _ = robust_scale_factor(
                    image,
                    'auto',
                    model_width,
                    reference=self.classifier.width_reference,
                )
            if width:
                factor = model_width / width
        out = self.classifier.classify(crops, factor)
        probs = np.asarray(out['scores'], np.float64)
        class_scores[todo, :NUM_CLASSES] = (
            objectness[todo, None] * probs / probs.sum(1, keepdims=True)
        )
        labels = np.array(found['labels'], np.int64)
        labels[todo] = probs.argmax(1)
        polarity = found['polarity']
        if 'polarity_probs' in out:
            polarity = (
                np.full(len(bboxes), 0.5)
                if polarity is None
                else np.array(polarity, np.float64)
            )
            polarity[todo] = out['polarity_probs']
        factor = out.get('factor')
        return dict(
            found,
            labels=labels,
            scores=class_scores[np.arange(len(bboxes)), labels],
            class_scores=class_scores,
            polarity=polarity,
            named=dict(
                model=osp.basename(self.classifier.checkpoint),
                named=len(todo),
                scale_factor=None if factor is None else round(factor, 4),
                # The median chromosome length the crops were brought to
                # (None: brought to the classifier's training width).
                cell_length=self.classifier.cell_length,
            ),
        )

    def record_of(
        self,
        found: dict,
        image_size: tuple,
        image_path: Optional[str] = None,
        call_score: Optional[str] = None,
    ) -> dict:
        """The karyotype record of :meth:`detect`'s detections with this
        karyotyper's settings (``call_score`` overrides its own)."""
        call_score = call_score or self.call_score
        if call_score is None:
            call_score = 'class' if found['class_scores'] is None else 'object'
        return build_record(
            found['bboxes'],
            found['scores'],
            found['labels'],
            image_size,
            image_path=image_path,
            polarity=found['polarity'],
            class_scores=found['class_scores'],
            penalties=self.penalties,
            score_thr=self.score_thr,
            nms_iou=self.nms_iou,
            low_conf=self.low_conf,
            candidate_floor=self.candidate_floor,
            call_score=call_score,
        )

    def __call__(self, image: ImageLike) -> dict:
        """Karyotype record of one image (path or array).

        Returns:
            dict: See :func:`deepacc.karyotype.build_record`.
        """
        return self.predict(image)[0]


_CACHE = {}


def karyotype_image(
    image: ImageLike, config, checkpoint: str, device: str = 'cpu', **kwargs
) -> dict:
    """One-call form of :class:`Karyotyper` (the model is kept for reuse).

    Args:
        image (str | np.ndarray): Image path or array.
        config (str | Config): Config file or object.
        checkpoint (str): Checkpoint file.
        device (str): Device.
        **kwargs: ``score_thr``, ``nms_iou``, ``low_conf``, ``penalties``,
            ``cfg_options``, ``call_score`` ... of :class:`Karyotyper`.

    Returns:
        dict: The image's karyotype record.
    """
    key = None
    if isinstance(config, (str, os.PathLike)) and not kwargs.get(
        'cfg_options'
    ):
        key = (
            osp.abspath(os.fspath(config)),
            osp.abspath(os.fspath(checkpoint)),
            device,
            tuple(sorted(kwargs.items())),
        )
    karyotyper = _CACHE.get(key) if key else None
    if karyotyper is None:
        karyotyper = Karyotyper(config, checkpoint, device=device, **kwargs)
        if key:
            _CACHE.clear()  # one model at a time
            _CACHE[key] = karyotyper
    return karyotyper(image)
