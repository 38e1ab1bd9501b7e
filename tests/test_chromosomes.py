import pytest

from deepacc.chromosomes import (
    CENTROMERE_INDEX,
    CLASSES,
    DENVER_GROUPS,
    GROUP_OF_LABEL,
    KARYOGRAM_ROWS,
    PALETTE,
    RELATIVE_LENGTH,
    class_index,
)


def test_canonical_order():
    assert len(CLASSES) == 24
    assert CLASSES[0] == '1' and CLASSES[21] == '22'
    assert CLASSES[22] == 'X' and CLASSES[23] == 'Y'


def test_denver_groups_partition_the_classes():
    members = [c for group in DENVER_GROUPS.values() for c in group]
    assert sorted(members) == sorted(CLASSES)
    assert DENVER_GROUPS['C'][-1] == 'X' and DENVER_GROUPS['G'][-1] == 'Y'
    assert GROUP_OF_LABEL[22] == 'C' and GROUP_OF_LABEL[23] == 'G'


def test_reference_morphology_is_complete_and_plausible():
    assert set(RELATIVE_LENGTH) == set(CLASSES) == set(CENTROMERE_INDEX)
    # Chromosome 1 is the longest, 21 the shortest (22 is longer than 21).
    assert max(RELATIVE_LENGTH, key=RELATIVE_LENGTH.get) == '1'
    assert min(RELATIVE_LENGTH, key=RELATIVE_LENGTH.get) == '21'
    # Acrocentric D group has the smallest centromere indices.
    assert all(CENTROMERE_INDEX[c] < 25 for c in DENVER_GROUPS['D'])
    autosomes = sum(RELATIVE_LENGTH[c] for c in CLASSES[:22])
    assert autosomes == pytest.approx(100, abs=0.05)


def test_karyogram_rows_cover_every_class_once():
    flat = [c for row in KARYOGRAM_ROWS for c in row]
    assert sorted(flat) == sorted(CLASSES)
    assert len(PALETTE) == 24


@pytest.mark.parametrize(
    'name,label',
    [
        ('1', 0),
        ('22', 21),
        ('X', 22),
        ('Y', 23),
        ('x', 22),
        (7, 6),
        ('chr1', 0),
        ('Chr12', 11),
        ('chrX', 22),
        ('chromosome 7', 6),
        ('clase24', 23),
        ('23', 22),
        ('24', 23),
        ('A1', 0),
        ('B5', 4),
        ('C12', 11),
        ('D13', 12),
        ('G22', 21),
        (' E16 ', 15),
        ('F20', 19),
    ],
)
def test_class_index_accepts_public_spellings(name, label):
    assert class_index(name) == label


@pytest.mark.parametrize(
    'name',
    [
        '0',
        '25',
        'Z',
        'A5',
        'G1',
        'nucleus',
        '',
        None,
        1.5,
        True,
        'chr',
        'chrZ',
    ],
)
def test_class_index_refuses_other_names(name):
    assert class_index(name) is None
