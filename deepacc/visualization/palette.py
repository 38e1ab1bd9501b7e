"""Colours of the pictures: Denver groups, cluster types, text ink.

The Denver group colours themselves are metainfo
(:data:`deepacc.chromosomes.GROUP_COLORS`, RGB, also the datasets'
palette); this module turns them into what OpenCV draws with.
"""

from typing import Dict, List, Sequence, Tuple

from deepacc.chromosomes import DENVER_GROUPS, GROUP_COLORS

Color = Tuple[int, int, int]

# BGR colours of the cluster types (singles in a quiet grey).
TYPE_COLORS: Dict[str, Color] = {
    'single': (150, 150, 150),
    'touching': (0, 160, 255),
    'overlapping': (220, 60, 220),
    'touching+overlapping': (0, 0, 230),
    'debris': (140, 110, 40),
    'nucleus': (60, 160, 60),
    'fragment': (120, 120, 0),
}


def bgr(rgb: Sequence[int]) -> Color:
    """An (r, g, b) colour as OpenCV's (b, g, r) ints."""
    return (int(rgb[2]), int(rgb[1]), int(rgb[0]))


def ink_on(rgb: Sequence[int]) -> Color:
    """Black or white text, whichever reads better on ``rgb``."""
    luma = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]
    return (0, 0, 0) if luma > 150 else (255, 255, 255)


def group_color(group: str) -> Color:
    """The BGR colour of a Denver group (``'A'`` .. ``'G'``)."""
    return bgr(GROUP_COLORS[group])


def group_key() -> List[Tuple[str, Color]]:
    """One ``(text, BGR colour)`` per Denver group, for a colour key.

    Returns:
        list[tuple[str, tuple]]: E.g. ``('A 1-3', ...)``; X is named in
        group C and Y in group G.
    """
    key = []
    for group, members in DENVER_GROUPS.items():
        text = f'{group} {members[0]}-{members[-1]}'
        if group == 'C':
            text = f'{group} 6-12,X'
        elif group == 'G':
            text = f'{group} 21,22,Y'
        key.append((text, group_color(group)))
    return key
