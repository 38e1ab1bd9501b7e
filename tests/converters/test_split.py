import json

import pytest

from deepacc.cli import main
from deepacc.converters import (
    CocoBuilder,
    karyotype_signature,
    split_images,
    write_coco,
)


def _coco(abnormal_every=4, num=20):
    """Normal 46,XX cells, and every 4th cell with a third chromosome 21."""
    builder = CocoBuilder()
    for k in range(num):
        image_id = builder.add_image(f'{k}.png', 100, 100)
        labels = [c for c in range(22) for _ in range(2)] + [22, 22]
        if k % abnormal_every == 0:
            labels.append(20)
        for label in labels:
            builder.add_annotation(image_id, label, [1, 1, 5, 5])
    return builder.to_dict()


def test_signature():
    normal = [2] * 22 + [1, 1]
    assert karyotype_signature(normal) == 'normal'
    assert karyotype_signature([2] * 22 + [2, 0]) == 'normal'
    trisomy = list(normal)
    trisomy[20] = 3
    assert karyotype_signature(trisomy) == '21x3'
    assert karyotype_signature([2] * 22 + [1, 0]) == 'sex:X'


def test_split_ratios_and_abnormal_spread():
    coco = _coco()
    parts = split_images(coco, [3, 1, 1], seed=0)
    assert [len(p) for p in parts] == [12, 4, 4]
    assert sorted(sum(parts, [])) == list(range(1, 21))
    abnormal = {k + 1 for k in range(0, 20, 4)}  # 5 trisomy cells
    per_split = [len(abnormal & set(p)) for p in parts]
    assert per_split == [3, 1, 1]
    assert split_images(coco, [3, 1, 1], seed=0) == parts
    assert split_images(coco, [3, 1, 1], seed=1) != parts
    with pytest.raises(ValueError):
        split_images(coco, [3, 0, 1])


def test_split_cli(tmp_path, capsys):
    path = tmp_path / 'all.json'
    write_coco(_coco(), str(path))
    assert (
        main(['split', str(path), '--ratios', '3', '1', '1', '--seed', '3'])
        == 0
    )
    out = capsys.readouterr().out
    assert 'train' in out and '12' in out
    sizes = {}
    for name in ('train', 'val', 'test'):
        coco = json.load(open(tmp_path / f'{name}.json'))
        sizes[name] = len(coco['images'])
        ids = {i['id'] for i in coco['images']}
        assert all(a['image_id'] in ids for a in coco['annotations'])
    assert sizes == dict(train=12, val=4, test=4)
    assert main(['split', str(path)]) == 1  # no overwrite
    assert (
        main(['split', str(path), '--force', '--out-dir', str(tmp_path / 's')])
        == 0
    )
    assert (tmp_path / 's' / 'val.json').exists()
