"""tools/train.py, tools/test.py, resume and distributed training, end to
end through subprocesses on a tiny generated set."""

import glob
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch

from deepacc.testing import REPO_ROOT


def _run(args, cwd, env_extra=None, timeout=600):
    env = dict(os.environ, PYTHONUNBUFFERED='1', OMP_NUM_THREADS='1')
    env.pop('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', None)
    env.update(env_extra or {})
    proc = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, f'{args} failed:\n{out[-5000:]}'
    return out


def test_train_writes_a_checkpoint(tiny_detector):
    ckpt = osp.join(tiny_detector['work_dir'], 'epoch_1.pth')
    assert osp.isfile(ckpt), tiny_detector['log'][-3000:]
    assert 'Epoch(train) [1][2/2]' in tiny_detector['log']


def test_runner_checkpoint_needs_our_safe_globals(tiny_detector):
    """torch's default weights-only load refuses the Runner's checkpoint;
    after ``import deepacc`` exactly its types are allowed."""
    ckpt = tiny_detector['checkpoint']
    plain = subprocess.run(
        [sys.executable, '-c', f'import torch; torch.load({ckpt!r})'],
        capture_output=True,
        text=True,
    )
    assert plain.returncode != 0
    assert 'weights_only' in plain.stderr.replace('`', '')
    import deepacc  # noqa: F401

    state = torch.load(ckpt)
    assert state['meta']['epoch'] == 1 and state['meta']['iter'] == 2


def test_arbitrary_pickled_object_is_still_refused(tmp_path):
    import deepacc  # noqa: F401

    path = str(tmp_path / 'evil.pth')
    torch.save({'state_dict': {}, 'payload': _Payload()}, path)
    with pytest.raises(Exception, match='weights_only|Unsupported global'):
        torch.load(path)
    from mmengine.runner import load_checkpoint

    with pytest.raises(Exception, match='weights_only|Unsupported global'):
        load_checkpoint(torch.nn.Linear(1, 1), path)


class _Payload:
    pass


def test_test_tool_evaluates_the_checkpoint(tiny_detector):
    ckpt = tiny_detector['checkpoint']
    out = _run(
        [
            sys.executable,
            'tools/test.py',
            tiny_detector['config'],
            ckpt,
            '--work-dir',
            str(tiny_detector['root'] / 'test_work'),
            '--out',
            str(tiny_detector['root'] / 'results.pkl'),
        ],
        cwd=REPO_ROOT,
    )
    assert 'Epoch(test) [4/4]' in out
    for key in (
        'mAP',
        'mAP_max',
        'Acc',
        'AER',
        'whole_cell_correct',
        'err_within_group',
        'err_across_group',
    ):
        assert f'chromosome/{key}:' in out, key
    assert osp.isfile(str(tiny_detector['root'] / 'results.pkl'))


def test_mmdet_installed_test_tool_runs_our_config(tiny_detector):
    """custom_imports lets mmdet's own tools run deepacc configs."""
    import mmdet

    tool = osp.join(osp.dirname(mmdet.__file__), '.mim', 'tools', 'test.py')
    ckpt = tiny_detector['checkpoint']
    out = _run(
        [
            sys.executable,
            tool,
            tiny_detector['config'],
            ckpt,
            '--work-dir',
            str(tiny_detector['root'] / 'mmdet_test_work'),
        ],
        cwd=str(tiny_detector['root']),
    )
    assert 'Epoch(test) [4/4]' in out


def test_resume_continues_from_the_last_checkpoint(tiny_detector, tmp_path):
    work_dir = str(tmp_path / 'resume')
    os.makedirs(work_dir)
    for name in ('epoch_1.pth', 'last_checkpoint'):
        src = osp.join(tiny_detector['work_dir'], name)
        text = open(src, 'rb').read()
        if name == 'last_checkpoint':
            text = osp.join(work_dir, 'epoch_1.pth').encode()
        open(osp.join(work_dir, name), 'wb').write(text)
    out = _run(
        [
            sys.executable,
            'tools/train.py',
            tiny_detector['config'],
            '--work-dir',
            work_dir,
            '--resume',
            '--cfg-options',
            'train_cfg.max_epochs=2',
        ],
        cwd=REPO_ROOT,
    )
    assert 'resumed epoch: 1, iter: 2' in out
    assert 'Epoch(train) [1]' not in out
    assert 'Epoch(train) [2][2/2]' in out
    import deepacc  # noqa: F401

    state = torch.load(osp.join(work_dir, 'epoch_2.pth'))
    assert state['meta']['epoch'] == 2 and state['meta']['iter'] == 4


def test_distributed_training_with_two_cpu_processes(tiny_detector, tmp_path):
    work_dir = str(tmp_path / 'dist')
    out = _run(
        [
            'bash',
            'tools/dist_train.sh',
            tiny_detector['config'],
            '2',
            '--work-dir',
            work_dir,
        ],
        cwd=REPO_ROOT,
        env_extra=dict(
            PYTHON=sys.executable, PORT=str(29500 + os.getpid() % 1000)
        ),
    )
    assert 'Distributed training: True' in out
    assert (
        "'world_size': 2" in out
        or 'world_size: 2' in out
        or 'GPU number: 2' in out
    )
    assert glob.glob(osp.join(work_dir, 'epoch_1.pth'))


def test_the_gloo_group_a_cpu_tool_started_is_closed(tmp_path):
    """After a finished run the group is ended (barrier, then destroy), so
    no rank leaves gloo's threads to interpreter shutdown; without a group
    it does nothing."""
    import torch.distributed as torch_dist

    from deepacc.engine.distributed import close_cpu_distributed

    close_cpu_distributed(True)  # no group: nothing to do
    torch_dist.init_process_group(
        'gloo',
        init_method=f'file://{tmp_path / "store"}',
        rank=0,
        world_size=1,
    )
    assert torch_dist.is_initialized()
    close_cpu_distributed(True)
    assert not torch_dist.is_initialized()


def test_getattr_is_allowed_only_for_history_buffer_statistics(tmp_path):
    """The Runner's pickle needs getattr(HistoryBuffer, 'mean'); any other
    getattr in a checkpoint is refused."""
    import pickle

    from mmengine.logging.history_buffer import HistoryBuffer

    import deepacc  # noqa: F401
    from deepacc.engine.checkpoint import history_buffer_getattr

    assert history_buffer_getattr(HistoryBuffer, 'mean') is HistoryBuffer.mean
    with pytest.raises(pickle.UnpicklingError):
        history_buffer_getattr(HistoryBuffer, '__init__')
    # Pickled (protocol 2) as getattr(HistoryBuffer, '__init__'): the class
    # is allowed, the attribute is not.
    path = str(tmp_path / 'getattr.pth')
    torch.save({'method': HistoryBuffer.__init__}, path)
    with pytest.raises(Exception, match='allows getattr only'):
        torch.load(path)
    torch.save({'method': HistoryBuffer.mean}, path)
    assert torch.load(path)['method'] is HistoryBuffer.mean


@pytest.mark.parametrize(
    'config',
    [
        'deepacc/deepacc_r18-c32_fpn_2100it_synth-cpu.py',
        'faster_rcnn/faster-rcnn_r18-c32_fpn_3500it_gband-crops-cpu.py',
    ],
)
def test_on_the_fly_recipes_train_and_test(tmp_path, config):
    """The CPU recipes train on metaphases made in the data loader and are
    tested on held-out ones, through tools/train.py and tools/test.py
    (model shrunk, 2 iterations). The crops recipe reads a tiny crop
    folder made here."""
    from mmengine.config import Config

    from deepacc.testing import config_path, make_tiny_crops, shrink_model_cfg

    model = shrink_model_cfg(Config.fromfile(config_path(config)).model)
    lines = [
        f'_base_ = {config_path(config)!r}',
        f'model = dict(_delete_=True, **{model.to_dict()!r})',
        'train_cfg = dict(max_iters=2, val_interval=2)',
        'default_hooks = dict(logger=dict(interval=1))',
        'loader = dict(num_workers=0, persistent_workers=False)',
    ]
    dataset = dict(num_samples=2)
    if 'crops' in config:
        dataset['crops'] = make_tiny_crops(str(tmp_path / 'crops'))
        dataset['split_ratios'] = (1, 1)  # 2 cells: one train, one val
    for split in ('train', 'val', 'test'):
        split_dataset = dict(dataset)
        if 'crops' in config and split == 'test':
            split_dataset['cell_split'] = 'val'
        lines.append(
            f'{split}_dataloader = dict(**loader, dataset={split_dataset!r})'
        )
    text = '\n'.join(lines) + '\n'
    tiny = tmp_path / 'tiny.py'
    tiny.write_text(text)
    work = str(tmp_path / 'work')
    out = _run(
        [sys.executable, 'tools/train.py', str(tiny), '--work-dir', work],
        cwd=REPO_ROOT,
    )
    assert 'Iter(train) [2/2]' in out and 'chromosome/mAP' in out
    for key in ('center_frac', 'center_acc', 'loss_gia'):
        assert (key in out) == config.startswith('deepacc/'), key
    out = _run(
        [
            sys.executable,
            'tools/test.py',
            str(tiny),
            osp.join(work, 'iter_2.pth'),
            '--work-dir',
            str(tmp_path / 'test'),
        ],
        cwd=REPO_ROOT,
    )
    assert 'chromosome/AER' in out and 'chromosome/mAP_max' in out
