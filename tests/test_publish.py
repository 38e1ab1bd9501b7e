"""``deepacc publish`` (``tools/model_converters/publish_model.py``): the
part of a Runner checkpoint a user needs, optionally in float16."""

import subprocess
import sys

import pytest
import torch

from deepacc.engine import publish_checkpoint


def test_publish_keeps_weights_and_meta_only(tmp_path):
    runner_checkpoint = dict(
        meta=dict(chromosome_width=15.5, iter=20),
        state_dict=dict(
            weight=torch.tensor([1.0, 0.333333, -2.5]),
            num_batches_tracked=torch.tensor(7),
        ),
        optimizer=dict(state={}),
        message_hub={},
        param_schedulers=[],
    )
    published = publish_checkpoint(runner_checkpoint, fp16=True)
    assert set(published) == {'meta', 'state_dict'}
    assert published['meta'] == dict(chromosome_width=15.5, iter=20)
    weight = published['state_dict']['weight']
    assert weight.dtype == torch.float16
    # float16 keeps 11 significant bits: 0.333333 -> 0.33325195...
    assert weight.tolist() == [1.0, 0.333251953125, -2.5]
    assert published['state_dict']['num_batches_tracked'].item() == 7
    assert published['state_dict']['num_batches_tracked'].dtype == (
        torch.int64
    )
    kept = publish_checkpoint(runner_checkpoint)['state_dict']['weight']
    assert kept.dtype == torch.float32
    with pytest.raises(KeyError, match='no state_dict'):
        publish_checkpoint(dict(meta={}))

    source = tmp_path / 'iter_20.pth'
    torch.save(runner_checkpoint, source)
    target = tmp_path / 'published.pth'
    target.write_bytes(b'a user file')
    cmd = [sys.executable, '-m', 'deepacc.cli', 'publish', str(source)]
    proc = subprocess.run(
        cmd + [str(target), '--fp16'], capture_output=True, text=True
    )
    assert proc.returncode != 0 and 'pass --force' in proc.stderr
    assert target.read_bytes() == b'a user file'
    proc = subprocess.run(
        cmd + [str(target), '--fp16', '--force'],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'float16; sha256 ' in proc.stdout
    loaded = torch.load(target, map_location='cpu')
    assert loaded['state_dict']['weight'].dtype == torch.float16
