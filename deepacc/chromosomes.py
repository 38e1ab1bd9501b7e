"""Domain facts about human chromosomes, in one place.

Everything else in deepacc imports class names, Denver groups and the
reference morphology from here, so the canonical order is defined once:
label index 0 is chromosome 1, ..., 21 is chromosome 22, 22 is X, 23 is Y.
"""

import functools
import re
from typing import Dict, List, Optional, Tuple

CLASSES: Tuple[str, ...] = tuple(str(i) for i in range(1, 23)) + ('X', 'Y')
NUM_CLASSES = len(CLASSES)
AUTOSOMES: Tuple[str, ...] = CLASSES[:22]

# Denver (1960) groups by size and centromere position.
DENVER_GROUPS: Dict[str, Tuple[str, ...]] = {
    'A': ('1', '2', '3'),
    'B': ('4', '5'),
    'C': ('6', '7', '8', '9', '10', '11', '12', 'X'),
    'D': ('13', '14', '15'),
    'E': ('16', '17', '18'),
    'F': ('19', '20'),
    'G': ('21', '22', 'Y'),
}
GROUP_OF: Dict[str, str] = {
    name: group for group, members in DENVER_GROUPS.items() for name in members
}
# Group letter per label index, e.g. GROUP_OF_LABEL[22] == 'C' (X).
GROUP_OF_LABEL: Tuple[str, ...] = tuple(GROUP_OF[c] for c in CLASSES)

# Reference morphology (ISCN / Harnden & Klinger values, rounded): relative
# length in percent of the total length of one haploid set of autosomes
# (1..22 sum to 100; X and Y on the same scale) and the centromere index
# (p-arm length / total length, in percent).
RELATIVE_LENGTH: Dict[str, float] = {
    '1': 8.44, '2': 8.02, '3': 6.83, '4': 6.30, '5': 6.08, '6': 5.90,
    '7': 5.36, '8': 4.93, '9': 4.80, '10': 4.59, '11': 4.61, '12': 4.66,
    '13': 3.74, '14': 3.56, '15': 3.46, '16': 3.36, '17': 3.25, '18': 2.93,
    '19': 2.67, '20': 2.56, '21': 1.90, '22': 2.04, 'X': 5.12, 'Y': 2.15,
}  # yapf: disable
CENTROMERE_INDEX: Dict[str, float] = {
    '1': 48.0, '2': 39.0, '3': 47.0, '4': 29.0, '5': 29.0, '6': 39.0,
    '7': 39.0, '8': 34.0, '9': 35.0, '10': 33.0, '11': 40.0, '12': 30.0,
    '13': 17.0, '14': 19.0, '15': 20.0, '16': 41.0, '17': 34.0, '18': 31.0,
    '19': 47.0, '20': 45.0, '21': 31.0, '22': 30.0, 'X': 40.0, 'Y': 27.0,
}  # yapf: disable

# Karyogram rows as laid out by cytogeneticists.
KARYOGRAM_ROWS: Tuple[Tuple[str, ...], ...] = (
    ('1', '2', '3', '4', '5'),
    ('6', '7', '8', '9', '10', '11', '12', 'X'),
    ('13', '14', '15', '16', '17', '18'),
    ('19', '20', '21', '22', 'Y'),
)

# One hue per Denver group; members get lighter/darker shades of it.
GROUP_COLORS: Dict[str, Tuple[int, int, int]] = {
    'A': (230, 25, 75),
    'B': (245, 130, 48),
    'C': (60, 180, 75),
    'D': (0, 130, 200),
    'E': (145, 30, 180),
    'F': (240, 50, 230),
    'G': (128, 128, 0),
}


def _palette() -> List[Tuple[int, int, int]]:
    palette = []
    for name in CLASSES:
        group = GROUP_OF[name]
        members = DENVER_GROUPS[group]
        # Spread shades from 0.6x to 1.0x of the group colour.
        k = members.index(name) / max(len(members) - 1, 1)
        factor = 1.0 - 0.4 * k
        palette.append(
            tuple(int(round(c * factor)) for c in GROUP_COLORS[group])
        )
    return palette


PALETTE: List[Tuple[int, int, int]] = _palette()

_PREFIXES = re.compile(
    r'^(chromosome|chrom|chr|class|clase)[\s_\-]*', re.IGNORECASE
)


def class_index(name) -> Optional[int]:
    """Canonical label index of a chromosome class name, or None.

    Accepts the spellings found in public data sets: ``'1'``..``'22'``,
    ``'X'``, ``'Y'``, ``'chr1'``, ``'Chromosome 7'``, Denver-prefixed
    ``'A1'``..``'G22'`` (as in the Cell Image Library set), and ``'23'`` /
    ``'24'`` for X / Y. Integers are read as 1-based class numbers.

    Args:
        name (str | int): A category name.

    Returns:
        int | None: Index into :data:`CLASSES`, or None if ``name`` is not
        a chromosome class.
    """
    if isinstance(name, bool):
        return None
    if isinstance(name, int):
        name = str(name)
    if not isinstance(name, str):
        return None
    text = name.strip()
    match = re.fullmatch(r'([A-Ga-g])[\s_\-]?(\d{1,2}|[XYxy])', text)
    if match:
        letter, rest = match.group(1).upper(), match.group(2).upper()
        cls = _normalise_number(rest)
        # The Denver letter must agree with the class, or it is not ours.
        if cls is not None and GROUP_OF[cls] == letter:
            return CLASSES.index(cls)
        return None
    text = _PREFIXES.sub('', text)
    cls = _normalise_number(text.upper())
    return None if cls is None else CLASSES.index(cls)


def _normalise_number(text: str) -> Optional[str]:
    if text in ('X', 'Y'):
        return text
    if text.isdigit():
        number = int(text)
        if 1 <= number <= 22:
            return str(number)
        if number == 23:
            return 'X'
        if number == 24:
            return 'Y'
    return None


# G-band patterns (procedural stand-in for the ISCN ideograms): a fixed,
# class-specific sequence of light and dark bands along the axis from p-ter
# to q-ter. Each arm gets a number of bands proportional to its length
# (relative length x centromere index, about 3 bands per percent of the
# genome, the ~300-band level); both telomeres and both sides of the
# centromere are light; a few classes carry their known landmark blocks.
# Homologues share the pattern because it depends on the name only.
_BANDS_PER_PERCENT = 3.0
# (start, end, darkness) overrides in relative axis units: 1q12 and 16q11.2
# heterochromatin, pale stalks/satellites on the acrocentric p-arms, the
# dark distal Yq12 block.
_BAND_LANDMARKS: Dict[str, Tuple[Tuple[float, float, float], ...]] = {
    '1': ((0.49, 0.56, 0.95),),
    '16': ((0.42, 0.47, 0.9),),
    '13': ((0.0, 0.15, 0.1),),
    '14': ((0.0, 0.17, 0.1),),
    '15': ((0.0, 0.18, 0.1),),
    '21': ((0.0, 0.29, 0.1),),
    '22': ((0.0, 0.28, 0.1),),
    'Y': ((0.62, 0.95, 0.9),),
}


def band_pattern(name: str):
    """The G-band pattern of a chromosome class.

    Deterministic (seeded by the class name with numpy's frozen legacy
    generator), so homologues are identical and classes differ.

    Args:
        name (str): A class name (any spelling :func:`class_index` takes).

    Returns:
        np.ndarray: ``(num_bands, 3)`` float rows ``(start, end,
        darkness)``: contiguous bands covering ``[0, 1]`` of the axis from
        p-ter (0) to q-ter (1); darkness 0 (white) .. 1 (darkest).
    """
    label = class_index(name)
    if label is None:
        raise ValueError(f'{name!r} is not a chromosome class')
    return _band_pattern(CLASSES[label]).copy()


@functools.lru_cache(maxsize=None)
def _band_pattern(cls: str):
    import zlib

    import numpy as np

    rng = np.random.RandomState(zlib.crc32(f'deepacc-bands-{cls}'.encode()))
    cen = CENTROMERE_INDEX[cls] / 100.0
    bands = []
    for lo, hi in ((0.0, cen), (cen, 1.0)):
        # An odd count keeps both arm ends light.
        n = max(
            3,
            int(round(_BANDS_PER_PERCENT * RELATIVE_LENGTH[cls] * (hi - lo)))
            | 1,
        )
        widths = rng.uniform(0.5, 1.5, n)
        edges = lo + (hi - lo) * np.concatenate(
            [[0.0], np.cumsum(widths) / widths.sum()]
        )
        for k in range(n):
            dark = rng.uniform(0.55, 1.0) if k % 2 else rng.uniform(0, 0.2)
            bands.append((edges[k], edges[k + 1], dark))
    bands = np.asarray(bands, dtype=np.float64)
    for start, end, dark in _BAND_LANDMARKS.get(cls, ()):
        mid = (bands[:, 0] + bands[:, 1]) / 2
        bands[(mid >= start) & (mid < end), 2] = dark
    return bands
