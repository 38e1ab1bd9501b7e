"""Header strips above a picture: a white band with lines of text and a
colour key."""

from typing import Sequence, Tuple

import cv2
import numpy as np

from .text import put_text, text_size

DARK_INK = (30, 30, 30)


def header_strip(height: int, width: int) -> np.ndarray:
    """A white (height, width, 3) uint8 BGR band to write on."""
    return np.full((height, width, 3), 255, np.uint8)


def draw_swatch_key(
    strip: np.ndarray,
    entries: Sequence[Tuple[str, Tuple[int, int, int]]],
    org: Tuple[int, int],
    scale: float,
    thickness: int,
    gap: int,
) -> None:
    """A colour key of square swatches, each followed by its text.

    Entries go left to right from ``org`` while they fit the strip's
    width; the rest are left out.

    Args:
        strip (np.ndarray): (h, W, 3) uint8 image, modified.
        entries (Sequence[tuple[str, tuple]]): ``(text, BGR colour)``.
        org (tuple[int, int]): ``(x, y)`` of the first swatch's bottom
            left corner, which is also the text's baseline.
        scale (float): Font scale; a swatch is as high as the text.
        thickness (int): Text stroke width.
        gap (int): Spacing, pixels: half of it after a swatch, twice it
            after a text.
    """
    x, y = org
    width = strip.shape[1]
    for text, color in entries:
        (tw, th), _ = text_size(text, scale, thickness)
        if x + th + gap + tw > width:
            break
        cv2.rectangle(strip, (x, y - th), (x + th, y), color, -1)
        put_text(
            strip, text, (x + th + gap // 2, y), scale, DARK_INK, thickness
        )
        x += th + gap // 2 + tw + 2 * gap


def draw_text_key(
    strip: np.ndarray,
    entries: Sequence[Tuple[str, Tuple[int, int, int]]],
    org: Tuple[int, int],
    scale: float,
    thickness: int,
    spacing: int = 14,
) -> None:
    """A colour key of texts written in their colours.

    Entries go left to right from ``org`` while they fit the strip's
    width. Each is spaced by its width at ``thickness`` and drawn one
    stroke bolder, so thin colours still show.

    Args:
        strip (np.ndarray): (h, W, 3) uint8 image, modified.
        entries (Sequence[tuple[str, tuple]]): ``(text, BGR colour)``.
        org (tuple[int, int]): ``(x, y)``: the first text's baseline start.
        scale (float): Font scale.
        thickness (int): Text stroke width the spacing is measured with.
        spacing (int): Pixels between two entries.
    """
    x, y = org
    width = strip.shape[1]
    for text, color in entries:
        (tw, _), _ = text_size(text, scale, thickness)
        if x + tw > width:
            break
        put_text(strip, text, (x, y), scale, color, thickness + 1)
        x += tw + spacing
