"""Scattering sprites over an image like a metaphase spread."""

import math
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np

from .sprite import Sprite


def place_sprites(
    sprites: Sequence[Sprite],
    size: Tuple[int, int],
    rng: np.random.Generator,
    touch_rate: float = 0.1,
    overlap_rate: float = 0.05,
    density: float = 0.18,
    gap: int = 4,
    blocked: Optional[np.ndarray] = None,
) -> None:
    """Set every sprite's ``offset``: spread, apart, some touching.

    Sprites go, largest first, inside an ellipse sized so that they cover
    about ``density`` of it, at least ``gap`` pixels from the others. A
    sprite touches a placed one with probability ``touch_rate`` and crosses
    one with probability ``overlap_rate``. When an ellipse is too crowded it
    grows, and as a last resort a sprite goes where it overlaps least, so
    every sprite is placed and lies fully inside the image.

    Args:
        sprites (list[Sprite]): Sprites to place (modified in place).
        size (tuple[int, int]): Image ``(width, height)``.
        rng (np.random.Generator): Random source.
        touch_rate (float): Probability that a sprite touches another.
        overlap_rate (float): Probability that a sprite crosses another.
        density (float): Fraction of the spread covered by sprites.
        gap (int): Minimum spacing of free sprites, pixels.
        blocked (np.ndarray, optional): ``(height, width)`` bool, pixels
            kept free (e.g. a nucleus).
    """
    width, height = size
    occupied = np.zeros((height, width), bool)
    spaced = (
        np.zeros((height, width), bool) if blocked is None else blocked.copy()
    )
    owner = np.full((height, width), -1, np.int32)
    area = sum(int(s.mask.sum()) for s in sprites)
    radius = math.sqrt(area / max(density, 1e-3) / math.pi)
    aspect = float(rng.uniform(0.8, 1.25))
    radii = [radius * aspect, radius / aspect]
    centre = (
        width / 2 + rng.uniform(-0.1, 0.1) * width,
        height / 2 + rng.uniform(-0.1, 0.1) * height,
    )
    kernel = cv2.getStructuringElement(
        cv2.MORPH_ELLIPSE, (2 * gap + 1, 2 * gap + 1)
    )
    order = sorted(range(len(sprites)), key=lambda i: -sprites[i].mask.sum())
    placed: List[int] = []
    for i in order:
        sprite = sprites[i]
        h, w = sprite.shape
        if h > height or w > width:
            raise ValueError(
                f'a {w}x{h} object does not fit a {width}x{height} image'
            )
        mask = sprite.mask
        mode = 'free'
        draw = rng.random()
        if placed and draw < overlap_rate:
            mode = 'overlap'
        elif placed and draw < overlap_rate + touch_rate:
            mode = 'touch'
        pos = None
        if mode != 'free':
            pos = _near(sprites, placed, i, mode, occupied, owner, rng)
        scale = 1.0
        while pos is None and scale < 3.0:
            for _ in range(40):
                x, y = _in_ellipse(centre, radii, scale, rng)
                x0 = int(np.clip(x - w / 2, 0, width - w))
                y0 = int(np.clip(y - h / 2, 0, height - h))
                if not (spaced[y0 : y0 + h, x0 : x0 + w] & mask).any():
                    pos = (x0, y0)
                    break
            scale *= 1.2
        if pos is None:
            pos = _least_overlap(mask, occupied, rng)
        x0, y0 = pos
        sprite.offset = (int(x0), int(y0))
        occupied[y0 : y0 + h, x0 : x0 + w] |= mask
        owner[y0 : y0 + h, x0 : x0 + w][mask] = i
        grown = cv2.dilate(mask.astype(np.uint8), kernel, borderValue=0)
        spaced[y0 : y0 + h, x0 : x0 + w] |= grown.astype(bool)
        placed.append(i)


def _in_ellipse(centre, radii, scale, rng):
    r = math.sqrt(rng.random()) * scale
    phi = rng.uniform(0, 2 * math.pi)
    return (
        centre[0] + r * radii[0] * math.cos(phi),
        centre[1] + r * radii[1] * math.sin(phi),
    )


def _near(sprites, placed, i, mode, occupied, owner, rng):
    """Offset where sprite ``i`` touches or crosses a placed one, or None."""
    height, width = occupied.shape
    mask = sprites[i].mask
    h, w = mask.shape
    ring = cv2.dilate(mask.astype(np.uint8), np.ones((5, 5), np.uint8))
    ring = ring.astype(bool)
    for _ in range(60):
        j = placed[int(rng.integers(len(placed)))]
        other = sprites[j]
        oh, ow = other.shape
        cx = other.offset[0] + ow / 2 + rng.uniform(-0.6, 0.6) * (ow + w)
        cy = other.offset[1] + oh / 2 + rng.uniform(-0.6, 0.6) * (oh + h)
        x0 = int(np.clip(cx - w / 2, 0, width - w))
        y0 = int(np.clip(cy - h / 2, 0, height - h))
        under = occupied[y0 : y0 + h, x0 : x0 + w]
        hit = under & mask
        if mode == 'touch':
            near = (owner[y0 : y0 + h, x0 : x0 + w] == j) & ring
            if not hit.any() and near.any():
                return x0, y0
        else:
            others = owner[y0 : y0 + h, x0 : x0 + w][hit]
            frac = hit.sum() / max(min(mask.sum(), other.mask.sum()), 1)
            if hit.any() and (others == j).all() and frac < 0.25:
                return x0, y0
    return None


def _least_overlap(mask, occupied, rng):
    height, width = occupied.shape
    h, w = mask.shape
    best, best_hit = (0, 0), None
    for _ in range(100):
        x0 = int(rng.integers(0, width - w + 1))
        y0 = int(rng.integers(0, height - h + 1))
        hit = int((occupied[y0 : y0 + h, x0 : x0 + w] & mask).sum())
        if best_hit is None or hit < best_hit:
            best, best_hit = (x0, y0), hit
    return best


def contacts(sprites: Sequence[Sprite]) -> Tuple[List[set], List[set]]:
    """Which sprites touch and which overlap (share pixels).

    Args:
        sprites (list[Sprite]): Placed sprites.

    Returns:
        tuple[list[set], list[set]]: For each sprite, the indices of the
        sprites it touches (masks within one pixel, not sharing any) and of
        those it overlaps.
    """
    n = len(sprites)
    touching = [set() for _ in range(n)]
    overlapping = [set() for _ in range(n)]
    boxes = [s.bbox() for s in sprites]
    for i in range(n):
        xi, yi, wi, hi = boxes[i]
        for j in range(i + 1, n):
            xj, yj, wj, hj = boxes[j]
            x0, y0 = max(xi, xj) - 1, max(yi, yj) - 1
            x1, y1 = min(xi + wi, xj + wj) + 1, min(yi + hi, yj + hj) + 1
            if x0 >= x1 or y0 >= y1:
                continue
            a = window_mask(sprites[i], x0, y0, x1, y1)
            b = window_mask(sprites[j], x0, y0, x1, y1)
            if (a & b).any():
                overlapping[i].add(j)
                overlapping[j].add(i)
            elif (
                cv2.dilate(
                    a.astype(np.uint8), np.ones((3, 3), np.uint8)
                ).astype(bool)
                & b
            ).any():
                touching[i].add(j)
                touching[j].add(i)
    return touching, overlapping


def window_mask(
    sprite: Sprite, x0: int, y0: int, x1: int, y1: int
) -> np.ndarray:
    """A placed sprite's mask over the image window ``[x0, x1) x [y0, y1)``.

    Args:
        sprite (Sprite): A sprite with its ``offset`` set.
        x0, y0, x1, y1 (int): The window in image pixels.

    Returns:
        np.ndarray: (y1 - y0, x1 - x0) bool, False where the sprite is not.
    """
    out = np.zeros((y1 - y0, x1 - x0), bool)
    ox, oy = sprite.offset
    h, w = sprite.shape
    sx0, sy0 = max(x0, ox), max(y0, oy)
    sx1, sy1 = min(x1, ox + w), min(y1, oy + h)
    if sx0 < sx1 and sy0 < sy1:
        out[sy0 - y0 : sy1 - y0, sx0 - x0 : sx1 - x0] = sprite.mask[
            sy0 - oy : sy1 - oy, sx0 - ox : sx1 - ox
        ]
    return out


def composite(canvas: np.ndarray, sprites: Sequence[Sprite]) -> None:
    """Multiply ``canvas`` (transmittance) by each sprite's ``1 - opacity``.

    Args:
        canvas (np.ndarray): ``(height, width)`` float32, modified in place.
        sprites (list[Sprite]): Placed sprites; parts outside are clipped.
    """
    height, width = canvas.shape
    for sprite in sprites:
        window = sprite.clip(width, height)
        if window is None:
            continue
        x0, y0, x1, y1 = window
        ox, oy = sprite.offset
        canvas[y0:y1, x0:x1] *= (
            1.0 - sprite.opacity[y0 - oy : y1 - oy, x0 - ox : x1 - ox]
        )
