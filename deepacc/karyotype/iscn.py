"""Per-class counts to a numerical karyotype in ISCN form.

The string describes the chromosomes that were *called* in one cell:
the total count, the sex chromosomes as found, then every autosomal gain
(``+N``) or loss (``-N``) relative to two copies, in chromosome order
(ISCN lists numerical changes by chromosome number, gains and losses
alike). Examples: ``46,XY``; ``47,XX,+21``; ``45,X``; ``47,XXY``;
``45,XX,-21``; ``48,XY,+13,+21``; ``48,XX,+21,+21`` (tetrasomy is one
``+N`` per extra copy, nullisomy one ``-N`` per missing copy).

Odd tables, and what this module writes for them:

- Sex chromosomes are listed as found (``X`` repeated, then ``Y``
  repeated): ``45,X``, ``47,XXY``, ``47,XYY``, ``49,XXXXY``. Since the
  patient's sex is not known from the image, there is no ``-X`` / ``-Y``.
- No X and no Y called: the sex field is ``?`` (ISCN's mark for a
  questionable identification), e.g. ``44,?`` or ``45,?,+21``.
- No chromosome called at all: ``0``.

A string from a detector is a *numerical* description of calls, not a
diagnosis; whether a count is a real aneuploidy or a missed or duplicated
chromosome is for the cytogeneticist to decide (see the record's flags).
"""

from typing import Dict, List, Mapping, Sequence, Union

import numpy as np

from deepacc.chromosomes import AUTOSOMES, CLASSES, NUM_CLASSES

NORMAL_TOTAL = 46
CountTable = Union[Mapping[str, int], Sequence[int], np.ndarray]


def counts_to_dict(counts: CountTable) -> Dict[str, int]:
    """All 24 per-class counts as ``{name: count}`` in canonical order.

    Args:
        counts (Mapping[str, int] | Sequence[int]): Either a mapping from
            class name (``'1'``..``'22'``, ``'X'``, ``'Y'``; missing names
            count 0) or a sequence of 24 counts in label order.

    Returns:
        dict[str, int]: One entry per class of :data:`CLASSES`.
    """
    if isinstance(counts, Mapping):
        unknown = sorted(set(map(str, counts)) - set(CLASSES))
        if unknown:
            raise ValueError(
                f'count table has unknown class names '
                f'{unknown}; expected {list(CLASSES)}'
            )
        table = {name: int(counts.get(name, 0)) for name in CLASSES}
    else:
        values = np.asarray(counts).reshape(-1)
        if len(values) != NUM_CLASSES:
            raise ValueError(
                f'count table has {len(values)} entries; '
                f'expected {NUM_CLASSES} (label order)'
            )
        table = {name: int(v) for name, v in zip(CLASSES, values)}
    negative = [name for name, v in table.items() if v < 0]
    if negative:
        raise ValueError(f'negative counts for classes {negative}')
    return table


def sex_chromosomes(counts: CountTable) -> str:
    """The sex-chromosome field: ``'XY'``, ``'X'``, ``'XXY'``, or ``'?'``."""
    table = counts_to_dict(counts)
    field = 'X' * table['X'] + 'Y' * table['Y']
    return field or '?'


def autosomal_changes(counts: CountTable) -> List[str]:
    """Gains and losses of autosomes vs two copies, in chromosome order.

    Returns:
        list[str]: e.g. ``['+13', '-21']``; one item per copy gained or
        lost (``['+21', '+21']`` for four copies of 21).
    """
    table = counts_to_dict(counts)
    changes = []
    for name in AUTOSOMES:
        diff = table[name] - 2
        sign = '+' if diff > 0 else '-'
        changes += [f'{sign}{name}'] * abs(diff)
    return changes


# The two normal human karyotypes, as numerical_karyotype writes them.
NORMAL_KARYOTYPES = ('46,XX', '46,XY')


def numerical_karyotype(counts: CountTable) -> str:
    """ISCN numerical karyotype of a cell from its per-class counts.

    Args:
        counts (Mapping[str, int] | Sequence[int]): Per-class counts, by
            name or as 24 counts in label order.

    Returns:
        str: e.g. ``'46,XY'``, ``'47,XX,+21'``, ``'45,X'``, ``'47,XXY'``;
        see the module docstring for unusual tables.
    """
    table = counts_to_dict(counts)
    total = sum(table.values())
    if total == 0:
        return '0'
    return ','.join(
        [str(total), sex_chromosomes(table)] + autosomal_changes(table)
    )


def expected_copies(counts: CountTable) -> Dict[str, int]:
    """How many copies of each class a normal cell of this sex has.

    The sex is read from the calls: a cell with a Y is taken as male (one
    X, one Y), any other cell as female (two X, no Y). Karyograms use this
    to show missing and extra chromosomes.

    Returns:
        dict[str, int]: 2 for every autosome; X and Y as above.
    """
    table = counts_to_dict(counts)
    expected = {name: 2 for name in AUTOSOMES}
    male = table['Y'] > 0
    expected['X'] = 1 if male else 2
    expected['Y'] = 1 if male else 0
    return expected
