"""Karyotypes for synthesis, and ISCN strings from per-class counts."""

import re
from typing import List, Sequence, Tuple

import numpy as np

from deepacc.chromosomes import AUTOSOMES, CLASSES, NUM_CLASSES

COMMON_ANEUPLOIDIES: Tuple[str, ...] = ('+21', '+18', '+13', '45,X', '47,XXY')


def sample_karyotype(
    rng: np.random.Generator,
    male_rate: float = 0.5,
    aneuploidy_rate: float = 0.0,
    aneuploidies: Sequence[str] = COMMON_ANEUPLOIDIES,
) -> Tuple[str, List[str]]:
    """Draw a karyotype: 46,XX / 46,XY or, at a rate, an aneuploidy.

    Args:
        rng (np.random.Generator): Random source.
        male_rate (float): Probability of an XY (rather than XX) cell.
        aneuploidy_rate (float): Probability of an abnormal cell.
        aneuploidies (list[str]): Abnormalities drawn uniformly: ``'+N'``
            (trisomy of autosome N, on the drawn sex) or a full sex
            chromosome complement such as ``'45,X'``, ``'47,XXY'``.

    Returns:
        tuple[str, list[str]]: The ISCN string (``'47,XY,+21'``) and the
        class names of every chromosome in the cell.
    """
    sex = 'XY' if rng.random() < male_rate else 'XX'
    extra = []
    if aneuploidies and rng.random() < aneuploidy_rate:
        kind = aneuploidies[int(rng.integers(len(aneuploidies)))]
        match = re.fullmatch(r'\d+,([XY]+)', kind)
        if match:
            sex = match.group(1)
        elif re.fullmatch(r'\+(\d+)', kind) and kind[1:] in AUTOSOMES:
            extra.append(kind[1:])
        else:
            raise ValueError(
                f'unknown aneuploidy {kind!r}: use +N for a '
                'trisomy or a sex complement such as 45,X'
            )
    names = [c for c in AUTOSOMES for _ in range(2)] + extra + list(sex)
    counts = np.zeros(NUM_CLASSES, np.int64)
    for name in names:
        counts[CLASSES.index(name)] += 1
    return karyotype_from_counts(counts), names


def karyotype_from_counts(counts: Sequence[int]) -> str:
    """ISCN-style numerical karyotype of per-class counts.

    Args:
        counts (list[int]): ``(24, )`` chromosomes per class, canonical
            order.

    Returns:
        str: e.g. ``'46,XY'``, ``'47,XX,+21'``, ``'45,X'``,
        ``'45,XX,-7'`` (a lost or missing chromosome is written as a loss).
    """
    counts = [int(c) for c in counts]
    sex = 'X' * counts[CLASSES.index('X')] + 'Y' * counts[CLASSES.index('Y')]
    parts = [str(sum(counts)), sex or '--']
    for i, name in enumerate(AUTOSOMES):
        parts += [('+' if counts[i] > 2 else '-') + name] * abs(counts[i] - 2)
    return ','.join(parts)
