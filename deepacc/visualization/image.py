"""Grey and BGR copies of an image, and a white background for display."""

import cv2
import numpy as np

WHITE = 255


def to_grey(image: np.ndarray) -> np.ndarray:
    """(H, W) uint8 grey copy of a grey, BGR or BGRA image.

    Args:
        image (np.ndarray): (H, W), (H, W, 1), (H, W, 3) BGR or (H, W, 4)
            BGRA image; not uint8 is stretched to 0..255.

    Returns:
        np.ndarray: (H, W) uint8, C-contiguous.
    """
    image = np.asarray(image)
    if image.ndim == 2:
        grey = image
    elif image.ndim == 3 and image.shape[2] == 1:
        grey = image[..., 0]
    elif image.ndim == 3 and image.shape[2] in (3, 4):
        grey = cv2.cvtColor(image[..., :3], cv2.COLOR_BGR2GRAY)
    else:
        raise ValueError(
            f'expected an (H, W), (H, W, 1), (H, W, 3) or '
            f'(H, W, 4) image, got shape {image.shape}'
        )
    if grey.dtype != np.uint8:
        grey = cv2.normalize(
            grey.astype(np.float32), None, 0, 255, cv2.NORM_MINMAX
        ).astype(np.uint8)
    return np.ascontiguousarray(grey)


def to_bgr(image: np.ndarray) -> np.ndarray:
    """(H, W, 3) BGR copy of a grey, BGR or BGRA uint8 image, to draw on.

    Args:
        image (np.ndarray): (H, W), (H, W, 1), (H, W, 3) or (H, W, 4).

    Returns:
        np.ndarray: (H, W, 3) C-contiguous copy.
    """
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    elif image.shape[2] == 4:
        image = image[..., :3]
    return np.ascontiguousarray(image.copy())


def whiten_background(grey: np.ndarray) -> np.ndarray:
    """Stretch a metaphase so its background is white.

    Most pixels of a metaphase are background, so the 75th percentile is
    a stable background level; dividing by it keeps the chromosomes'
    relative darkness (the banding) and removes grey casts.

    Args:
        grey (np.ndarray): (H, W) uint8 image.

    Returns:
        np.ndarray: (H, W) uint8; a dark-field image is returned as is.
    """
    level = float(np.percentile(grey, 75))
    if level < 32:  # a dark-field image: leave it alone
        return grey
    out = grey.astype(np.float32) * (WHITE / level)
    return np.clip(out, 0, WHITE).astype(np.uint8)
