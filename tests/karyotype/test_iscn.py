"""Numerical karyotype strings from count tables (hand-written answers)."""

import pytest

from deepacc.chromosomes import CLASSES
from deepacc.karyotype import (
    autosomal_changes,
    counts_to_dict,
    expected_copies,
    numerical_karyotype,
    sex_chromosomes,
)


def table(sex, **changes):
    """Two of every autosome, the given sex chromosomes, then changes."""
    counts = {str(i): 2 for i in range(1, 23)}
    counts['X'] = sex.count('X')
    counts['Y'] = sex.count('Y')
    for name, value in changes.items():
        counts[name.lstrip('c')] = value
    return counts


@pytest.mark.parametrize(
    'counts, expected',
    [
        (table('XY'), '46,XY'),
        (table('XX'), '46,XX'),
        (table('XX', c21=3), '47,XX,+21'),
        (table('XY', c18=3), '47,XY,+18'),
        (table('X'), '45,X'),
        (table('XXY'), '47,XXY'),
        (table('XYY'), '47,XYY'),
        (table('XX', c21=1), '45,XX,-21'),
        (table('XY', c13=3, c21=3), '48,XY,+13,+21'),
        # Gains and losses interleave in chromosome order.
        (table('XY', c5=1, c13=3), '46,XY,-5,+13'),
        # One sign per copy: tetrasomy and nullisomy.
        (table('XX', c21=4), '48,XX,+21,+21'),
        (table('XY', c5=0, c13=3), '45,XY,-5,-5,+13'),
        # Sex chromosome and autosome changes together.
        (table('XXY', c21=3), '48,XXY,+21'),
        # No sex chromosome called: '?' in the sex field.
        (table(''), '44,?'),
        (table('', c21=3), '45,?,+21'),
    ],
)
def test_numerical_karyotype(counts, expected):
    assert numerical_karyotype(counts) == expected


def test_empty_table():
    assert numerical_karyotype({}) == '0'
    assert numerical_karyotype([0] * 24) == '0'


def test_single_call_lists_every_loss():
    # One chromosome 1 only: 1 loss of 1, two losses of every other
    # autosome, and no sex chromosome.
    changes = ['-1'] + [f'-{i}' for i in range(2, 23) for _ in range(2)]
    assert numerical_karyotype({'1': 1}) == ','.join(['1', '?'] + changes)


def test_label_order_sequence_equals_mapping():
    counts = table('XY', c21=3)
    as_list = [counts[name] for name in CLASSES]
    assert numerical_karyotype(as_list) == '47,XY,+21'
    assert counts_to_dict(as_list) == counts_to_dict(counts)


def test_parts():
    counts = table('XXY', c7=1, c21=4)
    assert sex_chromosomes(counts) == 'XXY'
    assert autosomal_changes(counts) == ['-7', '+21', '+21']


def test_expected_copies():
    male = expected_copies(table('XY'))
    assert (male['X'], male['Y'], male['1']) == (1, 1, 2)
    female = expected_copies(table('XX'))
    assert (female['X'], female['Y']) == (2, 0)
    # 45,X reads as female: one X missing, no Y expected.
    assert expected_copies(table('X'))['X'] == 2
    # 47,XXY has a Y: one X and one Y expected, the second X is extra.
    assert expected_copies(table('XXY'))['X'] == 1


@pytest.mark.parametrize(
    'bad, message',
    [
        ({'23': 1}, 'unknown class names'),
        ([2] * 23, 'expected 24'),
        ({'1': -1}, 'negative'),
    ],
)
def test_bad_tables(bad, message):
    with pytest.raises(ValueError, match=message):
        numerical_karyotype(bad)
