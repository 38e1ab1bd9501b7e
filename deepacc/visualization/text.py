"""The pictures' one font: sizes that scale with the image, fitting and
writing text."""

from typing import Sequence, Tuple

import cv2
import numpy as np

FONT = cv2.FONT_HERSHEY_SIMPLEX


def adaptive_sizes(
    side: int, font_divisor: float = 1300.0
) -> Tuple[int, float, int]:
    """Line width, font scale and text thickness for an image.

    They grow with the image, so a picture reads the same at 512x384 and
    at 1600x1200.

    Args:
        side (int): The image's shorter side, pixels.
        font_divisor (float): Pixels of ``side`` per unit of font scale.

    Returns:
        tuple[int, float, int]: ``(thickness, font_scale, text_thickness)``.
    """
    return (
        max(1, int(round(side / 450))),
        max(0.32, side / font_divisor),
        max(1, int(round(side / 700))),
    )


def text_size(
    text: str, scale: float, thickness: int
) -> Tuple[Tuple[int, int], int]:
    """``((width, height), baseline)`` of ``text`` in :data:`FONT`."""
    return cv2.getTextSize(text, FONT, scale, thickness)


def fit_text(text: str, width: int, scale: float, thickness: int) -> str:
    """``text``, cut with '...' to fit ``width`` pixels."""
    if text_size(text, scale, thickness)[0][0] <= width:
        return text
    while text and text_size(text + '...', scale, thickness)[0][0] > width:
        text = text[:-1]
    return text + '...'


def put_text(
    img: np.ndarray,
    text: str,
    org: Sequence[float],
    scale: float,
    color: Sequence[int],
    thickness: int = 1,
    center: bool = False,
) -> None:
    """Write ``text`` (anti-aliased, in place) with its baseline at ``org``.

    Args:
        img (np.ndarray): (H, W, 3) uint8 image, modified.
        text (str): What to write.
        org (Sequence[float]): ``(x, y)`` of the baseline's left end, or
            of its middle when ``center``.
        scale (float): Font scale.
        color (Sequence[int]): BGR colour.
        thickness (int): Stroke width.
        center (bool): Centre the text on ``org``'s x.
    """
    if center:
        (tw, _), _ = text_size(text, scale, thickness)
        org = (int(org[0] - tw / 2), int(org[1]))
    cv2.putText(
        img,
        text,
        (int(org[0]), int(org[1])),
        FONT,
        scale,
        color,
        thickness,
        cv2.LINE_AA,
    )
