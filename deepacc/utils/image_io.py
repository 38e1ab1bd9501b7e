"""Reading the images users bring: files or arrays, as (H, W, 3) BGR.

Every inference path (:class:`deepacc.karyotype.Karyotyper`,
:class:`deepacc.clusters.inferencer.ClusterTyper`) reads through here, so
a file that is not an image gets one clear error naming it.
"""

import os
import os.path as osp
from typing import Union

import cv2
import numpy as np


class ImageReadError(ValueError):
    """An input that is not a readable image (the message says why)."""


def read_image(path: Union[str, os.PathLike]) -> np.ndarray:
    """Read an image file as (H, W, 3) BGR uint8.

    Raises:
        ImageReadError: Naming the file and what is wrong with it.
    """
    path = os.fspath(path)
    if not osp.exists(path):
        raise ImageReadError(f'{path}: no such file')
    if not osp.isfile(path):
        raise ImageReadError(f'{path}: not a regular file')
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError as err:
        raise ImageReadError(f'{path}: cannot be read ({err})') from err
    if data.size == 0:
        raise ImageReadError(f'{path}: empty file')
    image = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if image is None or image.size == 0:
        raise ImageReadError(
            f'{path}: not a readable image (OpenCV cannot '
            f'decode its {data.size} bytes)'
        )
    return image


def as_bgr(image: np.ndarray, name: str = 'image') -> np.ndarray:
    """Check an array image and return it as (H, W, 3) uint8."""
    image = np.asarray(image)
    if image.dtype != np.uint8:
        raise ImageReadError(
            f'{name}: expected a uint8 array, got {image.dtype}'
        )
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.ndim == 3 and image.shape[2] == 4:
        return np.ascontiguousarray(image[..., :3])
    if image.ndim == 3 and image.shape[2] == 3:
        return image
    raise ImageReadError(
        f'{name}: expected an (H, W) or (H, W, 3) image, '
        f'got shape {image.shape}'
    )
