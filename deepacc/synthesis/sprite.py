from dataclasses import dataclass, field
from typing import Optional, Tuple

import numpy as np

Point = Tuple[float, float]


@dataclass
class Sprite:
    """One object rendered in its own small patch, ready to be placed.

    Coordinates are ``(x, y)`` pixels inside the patch; placing the sprite
    at ``offset`` shifts them into the image.

    Args:
        opacity (np.ndarray): ``(h, w)`` float32 in ``[0, 1]``: the fraction
            of light the object absorbs (G-band) or emits (Q-band).
        mask (np.ndarray): ``(h, w)`` bool, the object's pixels.
        label (int): Class index (see ``deepacc.chromosomes.CLASSES``), or
            -1 for things that are not annotated (debris, nuclei).
        centromere (tuple, optional): Centromere point.
        p_ter (tuple, optional): Tip of the p-arm.
        q_ter (tuple, optional): Tip of the q-arm.
        angle (float): Rotation in degrees, counter-clockwise as displayed,
            that took the upright chromosome (p-arm up) to this pose.
        extra (dict): Anything else worth writing into the annotation.
    """

    opacity: np.ndarray
    mask: np.ndarray
    label: int = -1
    centromere: Optional[Point] = None
    p_ter: Optional[Point] = None
    q_ter: Optional[Point] = None
    angle: float = 0.0
    extra: dict = field(default_factory=dict)
    offset: Tuple[int, int] = (0, 0)

    @property
    def shape(self) -> Tuple[int, int]:
        return self.opacity.shape

    def bbox(self) -> Tuple[int, int, int, int]:
        """Tight ``[x, y, w, h]`` box of the mask in image coordinates."""
        ys, xs = np.nonzero(self.mask)
        x0, y0 = self.offset
        return (
            int(xs.min()) + x0,
            int(ys.min()) + y0,
            int(xs.max() - xs.min()) + 1,
            int(ys.max() - ys.min()) + 1,
        )

    def to_image(self, point: Optional[Point]) -> Optional[Point]:
        """A patch point in image coordinates (None stays None)."""
        if point is None:
            return None
        return (
            float(point[0]) + self.offset[0],
            float(point[1]) + self.offset[1],
        )

    @property
    def p_arm_up(self) -> Optional[bool]:
        """Whether the p-arm is the upper end (its tip has the smaller
        y), None when the tips are unknown. Placing does not change it."""
        if self.p_ter is None or self.q_ter is None:
            return None
        return bool(self.p_ter[1] < self.q_ter[1])

    def clip(self, width: int, height: int) -> Optional[Tuple[int, ...]]:
        """The image window ``(x0, y0, x1, y1)`` the placed patch covers
        inside a ``width`` x ``height`` image, None when it lies outside."""
        ox, oy = self.offset
        h, w = self.shape
        x0, y0 = max(ox, 0), max(oy, 0)
        x1, y1 = min(ox + w, width), min(oy + h, height)
        if x0 >= x1 or y0 >= y1:
            return None
        return x0, y0, x1, y1
