"""Bring an image to the chromosome scale a model was trained at.

A model learns chromosomes of one size. Its training width (the median
chromosome width of its training images as the network saw them,
measured by :class:`deepacc.engine.ChromosomeScaleHook` and kept in the
checkpoint's ``meta['chromosome_width']``, or a config's top-level
``chromosome_width``) and the width measured on a new image, read the
same way (``meta['chromosome_width_reference']``: the reference size it
was read at, :func:`deepacc.scale.estimate_chromosome_width`), give the
factor by which that image is resized before the model sees it. The
factor replaces the fixed-canvas ``Resize`` of the config's test
pipeline; mmdet maps the boxes back to the original pixels.

``scale`` everywhere (``--scale`` on the command line):

- ``'auto'``: measure the image and resize it to the model's width;
- ``'none'``: the config's test pipeline as written;
- a number: resize the image by that factor.

An image enlarged by the factor is interpolated bicubically (mmdet's
``Resize(interpolation='bicubic')``): a capture at half the training
scale, brought up to it, keeps sharper bands than bilinearly
(``benchmarks/README.md``, "Composed test cells at other capture
scales": +3.6 points of mAP_max at 0.5x; 1x and 2x within a point).
"""

import copy
import os
import warnings
from typing import List, NamedTuple, Optional, Tuple, Union

import numpy as np

from deepacc.scale.estimate import (
    REFERENCE_WIDTH,
    ScaleEstimateError,
    estimate_chromosome_width,
)

Scale = Union[str, float]
SCALE_CHOICES = ('auto', 'none')


def parse_scale(value: Union[str, float, None]) -> Scale:
    """``'auto'``, ``'none'`` or a positive factor, from text or a number.

    Raises:
        ValueError: Anything else, naming the value.
    """
    if value is None:
        return 'none'
    if isinstance(value, str):
        text = value.strip().lower()
        if text in SCALE_CHOICES:
            return text
        try:
            value = float(text)
        except ValueError:
            raise ValueError(
                f'scale must be auto, none or a positive number, got {value!r}'
            ) from None
    factor = float(value)
    if not np.isfinite(factor) or factor <= 0:
        raise ValueError(f'scale factor must be positive, got {value!r}')
    return factor


def model_chromosome_width(
    cfg=None, checkpoint_meta: Optional[dict] = None
) -> Optional[float]:
    """The chromosome width a model was trained at, or None if unknown.

    The checkpoint's measurement wins over the config's key.
    """
    width = (checkpoint_meta or {}).get('chromosome_width')
    if width is None and cfg is not None:
        width = cfg.get('chromosome_width', None)
    return None if width is None else float(width)


def model_width_reference(
    cfg=None, checkpoint_meta: Optional[dict] = None
) -> Optional[float]:
    """The reference size a model's training width was read at (None:
    read in one pass, as before the reference; see
    :func:`deepacc.scale.estimate_chromosome_width`). Taken from where
    the width itself came from: the checkpoint's meta, else the config's
    ``chromosome_width_reference`` beside its ``chromosome_width``."""
    meta = checkpoint_meta or {}
    if meta.get('chromosome_width') is not None:
        reference = meta.get('chromosome_width_reference')
    elif cfg is not None:
        reference = cfg.get('chromosome_width_reference', None)
    else:
        reference = None
    return None if reference is None else float(reference)


class ModelScale(NamedTuple):
    """How an inferencer rescales images (:func:`model_scale`)."""

    scale: Scale
    width: Optional[float]
    reference: Optional[float]


def model_scale(
    scale: Union[str, float, None], cfg, checkpoint: Union[str, os.PathLike]
) -> ModelScale:
    """An inferencer's scale mode, its model's training width and the
    reference size that width was read at.

    ``'auto'`` with a model that has no width (trained before
    :class:`deepacc.engine.ChromosomeScaleHook`) becomes ``'none'``,
    with a warning naming the checkpoint.

    Returns:
        ModelScale: The parsed scale, the width (None if unknown) and
        its reference (None: a one-pass reading).
    """
    scale = parse_scale(scale)
    meta = checkpoint_meta(checkpoint)
    width = model_chromosome_width(cfg, meta)
    reference = model_width_reference(cfg, meta)
    if scale == 'auto' and width is None:
        warnings.warn(
            f'{os.fspath(checkpoint)}: no training chromosome width in its '
            'meta or config (trained before ChromosomeScaleHook?); images '
            'are not rescaled (scale none). `deepacc scale CONFIG '
            'CHECKPOINT --out NEW.pth` measures and stores it'
        )
        scale = 'none'
    return ModelScale(scale, width, reference)


def scale_record(
    scale: Scale,
    factor: Optional[float],
    width: Optional[float],
    model_width: Optional[float],
    note: Optional[str] = None,
    reference: Optional[float] = None,
) -> dict:
    """What a record says of the scale it was read at (JSON-ready)."""

    def rounded(value, digits):
        return None if value is None else round(float(value), digits)

    return dict(
        mode=scale if isinstance(scale, str) else 'factor',
        factor=rounded(factor, 4),
        image_width_px=rounded(width, 2),
        model_width_px=rounded(model_width, 2),
        width_reference_px=rounded(reference, 2),
        note=note,
    )


def checkpoint_meta(checkpoint: Union[str, os.PathLike]) -> dict:
    """The ``meta`` dict of a Runner checkpoint (weights-only load)."""
    import torch

    # ``import deepacc`` registered the Runner's safe globals.
    ckpt = torch.load(os.fspath(checkpoint), map_location='cpu')
    return dict(ckpt.get('meta', {}) or {}) if isinstance(ckpt, dict) else {}


def scale_factor(
    image: np.ndarray,
    scale: Scale,
    model_width: Optional[float],
    polarity: str = 'auto',
    objects=None,
    reference: Optional[float] = REFERENCE_WIDTH,
) -> Tuple[Optional[float], Optional[float]]:
    """The resize factor for one image under ``scale``.

    Args:
        image (np.ndarray): (H, W) grey or (H, W, 3) BGR uint8.
        scale (str | float): See the module docstring.
        model_width (float, optional): The model's training width;
            needed for ``'auto'``.
        polarity (str): Stain side for the object finder.
        objects (ImageObjects, optional): The image's objects, if found.
        reference (float, optional): The reference size the model's
            width was read at (:class:`ModelScale`; None for a one-pass
            reading); the image is read the same way.

    Returns:
        tuple: ``(factor, width)``: the factor (None for ``'none'``) and
        the image's measured chromosome width (None unless measured).

    Raises:
        ValueError: ``'auto'`` without a model width.
        ScaleEstimateError: ``'auto'`` on an image without enough
            chromosome-like objects.
    """
    scale = parse_scale(scale)
    if scale == 'none':
        return None, None
    if scale != 'auto':
        return float(scale), None
    if model_width is None:
        raise ValueError(
            'scale auto needs the chromosome width the model was trained '
            'at (checkpoint meta or config key chromosome_width); pass '
            '--scale none or a factor'
        )
    width = estimate_chromosome_width(
        image, polarity, objects, reference=reference
    )
    return model_width / width, width


def rescale_pipeline(pipeline: List[dict], factor: Optional[float]) -> list:
    """A copy of a test pipeline whose ``Resize`` steps resize by
    ``factor`` instead of to a fixed canvas (unchanged for None),
    bicubically where the factor enlarges (the module docstring).

    Raises:
        ValueError: A factor but no ``Resize`` step to apply it in.
    """
    steps = copy.deepcopy(list(pipeline))
    if factor is None:
        return steps
    found = False
    for k, step in enumerate(steps):
        if str(step['type']).split('.')[-1] in ('Resize', 'FixShapeResize'):
            steps[k] = dict(
                type='mmdet.Resize',
                scale_factor=float(factor),
                keep_ratio=True,
                interpolation='bicubic' if factor > 1 else 'bilinear',
            )
            found = True
    if not found:
        raise ValueError('the test pipeline has no Resize step to rescale')
    return steps


def robust_scale_factor(
    image: np.ndarray,
    scale: Scale,
    model_width: Optional[float],
    polarity: str = 'auto',
    objects=None,
    reference: Optional[float] = REFERENCE_WIDTH,
) -> Tuple[Optional[float], Optional[float], Optional[str]]:
    """:func:`scale_factor` that answers an unmeasurable image with no
    rescaling and a flag saying why, instead of an error.

    Returns:
        tuple: ``(factor, width, flag)``; ``flag`` is None when the
        image was measured (or needed no measuring).
    """
    try:
        factor, width = scale_factor(
            image, scale, model_width, polarity, objects, reference
        )
        return factor, width, None
    except ScaleEstimateError as err:
        return None, None, f'scale auto: not rescaled ({err})'
