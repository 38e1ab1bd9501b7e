"""The Python API: an image in, its objects and their cluster types out.

>>> from deepacc.clusters.inferencer import ClusterTyper
>>> typer = ClusterTyper('work_dirs/clusters/synth/iter_600.pth')
>>> record = typer('metaphase.png')       # or an (H, W[, 3]) uint8 array
>>> [(o['type'], o['score']) for o in record['objects']][:3]

A trained checkpoint is required: without one there is no type, only
objects (:func:`deepacc.clusters.find_objects`). The config is read from
the checkpoint (mmengine's Runner stores it) unless one is given.
"""

import os
import os.path as osp
from typing import Optional, Sequence, Tuple, Union

import numpy as np

from deepacc.scale import model_scale, robust_scale_factor, scale_record
from deepacc.utils.image_io import as_bgr, read_image
from deepacc.utils.model_config import load_model_config

from .objects import ImageObjects, find_objects, object_polygon
from .patches import FEATURE_NAMES
from .sample import object_inputs
from .shape import shape_types
from .types import CLUSTER_TYPES

ImageLike = Union[str, os.PathLike, np.ndarray]


class ClusterTyper:
    """A trained cluster-type classifier applied to whole images.

    Args:
        checkpoint (str): Checkpoint written by the Runner.
        config (str | Config, optional): Config; default: the one stored
            in the checkpoint.
        device (str): ``'cpu'`` or ``'cuda[:N]'``.
        polarity (str, optional): ``'auto'``, ``'dark'`` or ``'light'``;
            default: the training data's setting.
        min_area (int, optional): Smallest object; default: the training
            data's setting.
        scale (str | float): ``'auto'`` (default): measure each image's
            chromosome width (:mod:`deepacc.scale`) and read its objects'
            sizes as if at the model's training width; ``'none'``: as
            they are; a number: as if the image were resized by it. The
            patches are size-free (each object fills its patch), so the
            factor enters through the objects' size feature.
        shape (bool): Read each object the model calls a cluster by its
            shape too, and call it single when its outline is one
            unbranched band (:func:`deepacc.clusters.shape.shape_types`):
            on real prometaphase objects the model alone calls long
            singles clusters. Default True.
    """

    def __init__(
        self,
        checkpoint: str,
        config=None,
        device: str = 'cpu',
        polarity: Optional[str] = None,
        min_area: Optional[int] = None,
        scale='auto',
        shape: bool = True,
    ) -> None:
        from mmdet.registry import MODELS
        from mmengine.runner import load_checkpoint

        cfg = load_model_config(checkpoint, config, 'ClusterTypeClassifier')
        data = cfg.get('test_dataloader', {}).get('dataset', {})
        self.polarity = polarity or data.get('polarity', 'auto')
        self.min_area = int(min_area or data.get('min_area', 12))
        self.patch_size = int(data.get('patch_size', 64))
        self.classes = tuple(CLUSTER_TYPES)
        self.checkpoint = os.fspath(checkpoint)
        self.model = MODELS.build(cfg.model)
        load_checkpoint(
            self.model, self.checkpoint, map_location='cpu', logger='silent'
        )
        self.model.to(device).eval()
        self.device = device
        self.scale, self.model_width, self.width_reference = model_scale(
            scale, cfg, self.checkpoint
        )
        self.shape = bool(shape)

    def classify(
        self, objects: ImageObjects, factor: Optional[float] = None
    ) -> Tuple[np.ndarray, np.ndarray]:
        """Types and scores of found objects.

        Args:
            objects (ImageObjects): The image's objects.
            factor (float, optional): Read the objects as if the image
                were resized by this factor.

        Returns:
            tuple[np.ndarray, np.ndarray]: (N,) type indices and (N,)
            the model's probabilities of those types.
        """
        return self._read(objects, factor)[:2]

    def _read(self, objects: ImageObjects, factor: Optional[float]):
        """Types, their probabilities and the shapes read (see
        :func:`shape_types`; all None with ``shape=False``)."""
        import torch

        inputs = object_inputs(objects, self.patch_size)
        if factor is not None:
            inputs['features'][:, FEATURE_NAMES.index('log_scale')] += np.log(
                factor
            )
        with torch.no_grad():
            logits = self.model(
                {
                    k: torch.from_numpy(v).to(self.device)
                    for k, v in inputs.items()
                },
                mode='tensor',
            )
        probs = logits.softmax(-1).cpu().numpy()
        labels = probs.argmax(1) if len(probs) else np.zeros(0, np.int64)
        shapes = [None] * len(labels)
        if self.shape:
            labels, shapes = shape_types(labels, objects)
        return labels, probs[np.arange(len(labels)), labels], shapes

    def predict(self, image: ImageLike) -> Tuple[dict, ImageObjects]:
        """The record of one image and its objects.

        Raises:
            ImageReadError: The file is not a readable image.
            BlankImageError: No contrast in the image.
            NoForegroundError: No object found.
        """
        if isinstance(image, (str, os.PathLike)):
            path = os.fspath(image)
            array = read_image(path)
        else:
            path, array = None, as_bgr(image)
        objects = find_objects(array, self.polarity, self.min_area)
        factor, width, scale_flag = robust_scale_factor(
            array,
            self.scale,
            self.model_width,
            self.polarity,
            objects,
            self.width_reference,
        )
        labels, scores, shapes = self._read(objects, factor)
        record = objects_record(objects, labels, scores, self.classes, shapes)
        record.update(
            image=path,
            height=int(array.shape[0]),
            width=int(array.shape[1]),
            model=osp.basename(self.checkpoint),
            scale=scale_record(
                self.scale,
                factor,
                width,
                self.model_width,
                scale_flag,
                self.width_reference,
            ),
        )
        return record, objects

    def __call__(self, image: ImageLike) -> dict:
        return self.predict(image)[0]


def objects_record(
    objects: ImageObjects,
    labels: np.ndarray,
    scores: np.ndarray,
    classes=CLUSTER_TYPES,
    shapes: Optional[Sequence] = None,
) -> dict:
    """Plain-JSON description of typed objects.

    Args:
        objects (ImageObjects): The image's objects.
        labels (np.ndarray): (N,) type indices.
        scores (np.ndarray): (N,) their scores.
        classes (list[str]): Type names.
        shapes (list[ObjectShape | None], optional): Per object, the
            shape read (:func:`shape_types`) or None.

    Returns:
        dict: ``polarity``, ``threshold``, ``num_objects``, ``counts``
        (per type), ``num_small`` (specks under the minimum area, not
        listed) and ``objects``: per object ``id``, ``type``, ``score``,
        ``area``, ``bbox`` ``[x, y, w, h]``, ``polygon`` (outline) and,
        where the shape was read, ``shape``: ``ends``, ``holes`` and
        ``neck`` of its centre line and ``one_band`` (then the type is
        single whatever the model's most probable type; ``score`` is the
        model's probability of the type given).
    """
    items = []
    for k in range(len(objects)):
        item = dict(
            id=k,
            type=classes[int(labels[k])],
            score=round(float(scores[k]), 4),
            area=int(objects.areas[k]),
            bbox=[int(v) for v in objects.boxes[k]],
            polygon=object_polygon(objects, k),
        )
        if shapes is not None and shapes[k] is not None:
            item['shape'] = dict(
                ends=shapes[k].ends,
                holes=shapes[k].holes,
                neck=round(shapes[k].neck, 3),
                one_band=shapes[k].one_band,
            )
        items.append(item)
    return dict(
        polarity=objects.polarity,
        threshold=round(float(objects.threshold), 4),
        num_objects=len(items),
        counts={c: sum(o['type'] == c for o in items) for c in classes},
        num_small=int(objects.num_small),
        objects=items,
    )


def objects_of_boxes(boxes: np.ndarray, objects: ImageObjects) -> np.ndarray:
    """The object each box is about: the one with most pixels inside it.

    Args:
        boxes (np.ndarray): (M, 4) xyxy boxes in image pixels.
        objects (ImageObjects): The image's objects.

    Returns:
        np.ndarray: (M,) object indices, -1 where a box holds no object
        pixel.
    """
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
    height, width = objects.labels.shape
    out = np.full(len(boxes), -1, np.int64)
    for i, (x1, y1, x2, y2) in enumerate(boxes):
        x1, y1 = max(int(np.floor(x1)), 0), max(int(np.floor(y1)), 0)
        x2, y2 = min(int(np.ceil(x2)), width), min(int(np.ceil(y2)), height)
        if x1 >= x2 or y1 >= y2:
            continue
        counts = np.bincount(
            objects.labels[y1:y2, x1:x2].ravel(), minlength=len(objects) + 1
        )[1:]
        if counts.any():
            out[i] = int(np.argmax(counts))
    return out
