"""``make demo`` end to end on a tiny budget, and the ablation benchmark's
CPU-sized configs."""

import importlib
import json
import os.path as osp
import subprocess
import sys
from types import SimpleNamespace

import pytest
from mmengine.config import Config

from deepacc import demo
from deepacc.pretrained import pretrained_detector
from deepacc.testing import REPO_ROOT, get_config


def _demo(out, config, lr):
    return subprocess.run(
        [
            sys.executable,
            '-m',
            'deepacc.demo',
            '--out',
            str(out),
            '--config',
            config,
            '--num-images',
            '2',
            '--iters',
            '2',
            '--karyotype-images',
            '1',
            '--lr',
            lr,
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )


class _StopAtStep(Exception):
    """Raised by the stand-in for ``run_step``: the demo stops there."""


def _demo_until_a_step(monkeypatch, capsys, *args):
    """``deepacc.demo.main(args)`` in this process up to its first tool
    run, which it does not start: (that step's title, printed output)."""
    steps = []

    def first_step(title, *_):
        steps.append(title)
        raise _StopAtStep

    monkeypatch.setattr(demo, 'run_step', first_step)
    with pytest.raises(_StopAtStep):
        demo.main(list(args))
    return steps[0], capsys.readouterr().out


def test_demo_runs_every_step_into_one_folder(tmp_path, monkeypatch, capsys):
    # The recipe with 2 validation cells instead of 20 (validating the
    # untrained model took most of the training step).
    recipe = get_config(demo.DEFAULT_CONFIG)
    recipe.merge_from_dict({'val_dataloader.dataset.num_samples': 2})
    config = str(tmp_path / 'recipe.py')
    recipe.dump(config)
    out = tmp_path / 'demo'
    proc = _demo(out, config, '0.003')
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    assert osp.isfile(out / 'train' / 'iter_2.pth')
    assert 'Iter(val) [2/2]' in log
    trained = Config.fromfile(str(out / 'demo_config.py'))
    assert trained.optim_wrapper.optimizer.lr == 0.003
    assert trained.param_scheduler[-1].eta_min == pytest.approx(3e-5)
    assert osp.isfile(out / 'test' / 'results.pkl')
    assert osp.isfile(out / 'confusion' / 'confusion_matrix.png')
    summary = (out / 'karyotype' / 'summary.csv').read_text()
    assert len(summary.strip().splitlines()) == 2  # header + one image
    records = list((out / 'karyotype').glob('*.json'))
    assert len(records) == 1
    assert 'karyotype' in json.loads(records[0].read_text())
    tail = log[log.index('deepacc demo finished') :]
    for key in ('mAP', 'mAP_max', 'Acc', 'AER', 'whole_cell_correct'):
        assert f'  {key} ' in tail
    assert 'karyogram.png' in tail and 'overlay.png' in tail
    assert (
        'Karyotypes of the held-out cells: ' in tail and ' of 1 right' in tail
    )
    assert 'the calls alone: ' in tail and 'aneuploid cells read' in tail
    # Run again in this process, up to the first tool it would start.
    again = ('--out', str(out), '--config', config, '--iters', '2')
    again += ('--num-images', '2')
    # The same settings: the checkpoint and the test cells are reused.
    step, printed = _demo_until_a_step(
        monkeypatch, capsys, *again, '--lr', '0.003'
    )
    assert step.startswith('3. evaluation')
    assert f'=== 1. reusing {out / "train" / "iter_2.pth"}' in printed
    assert '=== 2. reusing' in printed
    # Another rate: the checkpoint in the folder is not reused.
    step, printed = _demo_until_a_step(
        monkeypatch, capsys, *again, '--lr', '0.001'
    )
    assert step.startswith('1. training')
    assert 'was trained with other settings' in printed
    trained = Config.fromfile(str(out / 'demo_config.py'))
    assert trained.optim_wrapper.optimizer.lr == 0.001


def test_demo_takes_the_shipped_detector(tmp_path, monkeypatch, capsys):
    """Without --train the demo trains nothing: it tests the shipped
    detector on cells drawn as its own test cells are."""
    out = tmp_path / 'demo'
    step, printed = _demo_until_a_step(
        monkeypatch, capsys, '--out', str(out), '--num-images', '1'
    )
    assert step.startswith('3. evaluation')
    config, weights = pretrained_detector()
    assert f'=== 1. the shipped detector {weights}' in printed
    derived = Config.fromfile(str(out / 'demo_config.py'))
    shipped = Config.fromfile(config)
    assert _strip(derived.model.to_dict()) == _strip(shipped.model.to_dict())
    assert derived.optim_wrapper.optimizer.lr == shipped.lr
    made = json.loads((out / 'data' / 'settings.json').read_text())
    assert made['chromosome_scale'] == (
        shipped.test_dataloader.dataset.synth.chromosome_scale
    )
    assert made['num_images'] == 1


def test_demo_finds_its_default_recipe(tmp_path, monkeypatch, capsys):
    """With --train and no --config the demo trains the synthetic recipe."""
    out = tmp_path / 'demo'
    step, _ = _demo_until_a_step(
        monkeypatch, capsys, '--out', str(out), '--train'
    )
    assert step.startswith(
        f'1. training on fresh synthetic cells, '
        f'{demo.DEFAULT_ITERS} iterations'
    )
    derived = Config.fromfile(str(out / 'demo_config.py'))
    recipe = get_config(demo.DEFAULT_CONFIG)
    assert _strip(derived.model.to_dict()) == _strip(
        demo.demo_config(recipe, '/x', demo.DEFAULT_ITERS, 0, 1e-3).model
    )
    assert derived.optim_wrapper.optimizer.lr == demo.DEFAULT_LR
    assert derived.val_dataloader.dataset.num_samples == (
        recipe.val_dataloader.dataset.num_samples
    )


def _strip(node):
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k != '_scope_'}
    if isinstance(node, (list, tuple)):
        return [_strip(v) for v in node]
    return node


def _benchmark(name):
    """A script of benchmarks/ as a module."""
    sys.path.insert(0, osp.join(REPO_ROOT, 'benchmarks'))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.pop(0)


def _ablation():
    return _benchmark('ablation')


@pytest.mark.parametrize(
    'variant,twin',
    [
        ('a', 'faster_rcnn/faster-rcnn_r18-c32_fpn_3500it_gband-crops-cpu.py'),
        (
            'b',
            'deepacc/faster-rcnn-sep_r18-c32_fpn_3500it_gband-crops-cpu.py',
        ),
        ('f', 'deepacc/deepacc_r18-c32_fpn_3500it_gband-crops-cpu.py'),
        ('g', 'deepacc/deepacc_r18-c32_fpn_3500it_gband-crops-cpu.py'),
    ],
)
def test_ablation_cpu_variants_equal_the_shipped_cpu_twins(
    tmp_path, variant, twin
):
    """benchmarks/ablation.py puts each paper head, narrowed, into the CPU
    recipe; for (a), (b) and (g) that must give exactly the shipped CPU
    configs' models, less the polarity output (not a Table 1 part), and
    (f) is the shipped DeepACC twin without its centre warm-up (the
    paper's literal reading)."""
    path = str(tmp_path / f'{variant}.py')
    _ablation().variant_config(variant, 'crops', 20, 3, crops='/x').dump(path)
    derived = Config.fromfile(path)
    shipped = get_config(twin).model.to_dict()
    head = shipped['roi_head']['bbox_head']
    deepacc = variant in 'fg'
    assert head.get('with_polarity', False) == deepacc
    if deepacc:
        head['with_polarity'] = False
        del head['loss_polarity']
        assert head['center_warmup_iters'] > 0
    if variant == 'f':
        bbox_head = derived.model.roi_head.bbox_head
        assert bbox_head.get('center_warmup_iters', 0) == 0
        del head['center_warmup_iters']
    assert _strip(derived.model.to_dict()) == _strip(shipped)
    assert derived.train_cfg.max_iters == 20
    assert derived.param_scheduler[-1].end == 20
    assert derived.optim_wrapper.optimizer.lr == get_config(twin).lr
    assert derived.randomness.seed == 3
    assert derived.test_dataloader.dataset.crops == '/x'
    assert derived.test_dataloader.dataset.cell_split == 'test'


def test_ablation_verdict_by_hand():
    ablation = _ablation()
    runs = {
        'a': {
            0: dict(mAP_max=0.80, AER=0.20),
            1: dict(mAP_max=0.82, AER=0.18),
        },
        'f': {
            0: dict(mAP_max=0.85, AER=0.19),
            1: dict(mAP_max=0.87, AER=0.17),
        },
    }
    stats = ablation.summarise(runs)
    assert stats['a']['mAP_max'] == pytest.approx((0.81, 0.80, 0.82, 2))
    text = ablation.verdict(stats)
    # mAP_max: 86 vs 81, +5 points, ranges 85-87 and 80-82 apart.
    assert (
        'mAP_max: DeepACC 86.00 vs stock 81.00 (+5.00 points, better)' in text
    )
    assert 'do not overlap, so the difference is outside' in text
    # AER: 18 vs 19, -1 point (better), ranges 17-19 and 18-20 overlap.
    assert 'AER: DeepACC 18.00 vs stock 19.00 (-1.00 points, better)' in text
    assert 'overlap, so the difference is within the seed spread' in text
    # Any two rows: (a) read against (f), 81 - 86 = -5 points.
    text = ablation.verdict(stats, variant='a', base='f')
    assert text.startswith('(a) vs (f).')
    assert 'mAP_max: stock 81.00 vs DeepACC 86.00 (-5.00 points, worse)' in (
        text
    )
    assert ablation.verdict(stats, 'g', 'b') == (
        'Verdict: needs variants (b) and (g).'
    )


def test_ablation_verdict_places_a_single_seed_in_the_other_range():
    """One seed of (g) against 2 of (f) (85-87 mAP_max, 17-19 AER): 90
    lies outside (f)'s range, AER 18 inside."""
    ablation = _ablation()
    stats = ablation.summarise(
        {
            'f': {
                0: dict(mAP_max=0.85, AER=0.19),
                1: dict(mAP_max=0.87, AER=0.17),
            },
            'g': {0: dict(mAP_max=0.90, AER=0.18)},
        }
    )
    text = ablation.verdict(stats, 'g', 'f')
    assert (
        'mAP_max: DeepACC with warm-up 90.00 vs DeepACC 86.00 (+4.00 points, '
        'better); (g) has one seed, outside the seed range of (f) '
        '(85.00-87.00)' in text
    )
    assert '(g) has one seed, inside the seed range of (f) (17.00-19.00)' in (
        text
    )


def _record(variant, seed, minutes=30.0, device='2-core CPU', **metrics):
    return dict(
        variant=variant,
        seed=seed,
        metrics=metrics,
        curve=[],
        minutes=minutes,
        device=device,
    )


def test_ablation_table_rows_name_their_seeds_and_the_difference_to_a():
    """Rows finished in different calls (3 seeds of (a), 1 of (c)) are
    listed in Table 1's order, each with its own seeds, and (c) is read
    against (a): mAP_max 70 - 81 = -11 points, AER 25 - 19 = +6."""
    ablation = _ablation()
    runs = ablation.by_variant(
        [
            _record('c', 0, 32.0, mAP_max=0.70, AER=0.25),
            _record('a', 2, None, mAP_max=0.80, AER=0.20),
            _record('a', 0, 30.0, mAP_max=0.82, AER=0.18),
            _record('a', 1, 34.0, mAP_max=0.81, AER=0.19),
        ]
    )
    args = SimpleNamespace(dataset='synth', iters=None)
    table = ablation.format_table(
        ablation.summarise(ablation.metrics_of(runs)), runs, args
    )
    rows = [line for line in table.splitlines() if line.startswith('| (')]
    assert [row.split('|')[1].strip() for row in rows] == ['(a)', '(c)']
    assert rows[0].split('|')[3].strip() == '0 1 2'
    assert rows[1].split('|')[3].strip() == '0'
    assert '81.00 (80.00-82.00)' in rows[0]
    assert rows[1].split('|')[9].strip() == '-11.00 / +6.00'
    assert rows[0].split('|')[9].strip() == ''
    # (a) seed 2 was cut and resumed: its minutes are not a run's time.
    assert rows[0].split('|')[11].strip() == '32.0 (1 resumed run(s) left out)'
    assert rows[1].split('|')[11].strip() == '32.0'


def test_ablation_minutes_are_kept_per_machine():
    """A row with runs on two machines gives each machine's mean: (30 +
    34) / 2 on the CPU, 6 on the GPU."""
    ablation = _ablation()
    cell = ablation.minutes_cell(
        [
            _record('e', 0, 30.0),
            _record('e', 1, 6.0, device='NVIDIA H200'),
            _record('e', 2, 34.0),
        ]
    )
    assert cell == '32.0 (2-core CPU); 6.0 (NVIDIA H200)'


def test_ablation_run_files_are_the_results(tmp_path, capsys):
    """Each finished run is one file; a later call loads them all (runs
    made elsewhere included) and skips those runs."""
    ablation = _ablation()
    metrics = {
        'chromosome/mAP': 0.9,
        'chromosome/err_within_group': 0.05,
        'data_time': 0.1,
    }
    curve = [
        dict(iter=700, minutes=9.5, mAP=0.3, Acc=0.6, center_frac=0.2),
        dict(iter=1400, minutes=19.0, mAP=0.5, Acc=0.7),
    ]
    record = ablation.run_record('e', 2, metrics, curve, 57.0, 'cpu')
    assert record['metrics'] == {'mAP': 0.9, 'err_within_group': 0.05}
    assert record['curve'][0] == dict(iter=700, minutes=9.5, mAP=0.3, Acc=0.6)
    path = ablation.run_file(str(tmp_path), 'crops', 'e', 2)
    assert path == str(tmp_path / 'crops' / 'e_seed2.json')
    (tmp_path / 'crops').mkdir()
    with open(path, 'w') as f:
        json.dump(record, f)
    with open(tmp_path / 'crops' / 'a_seed0.json', 'w') as f:
        json.dump(_record('a', 0, mAP=0.8), f)
    runs = ablation.by_variant(ablation.load_runs(str(tmp_path), 'crops'))
    assert sorted(runs) == ['a', 'e'] and list(runs['e']) == [2]
    assert ablation.load_runs(str(tmp_path), 'synth') == []
    # (e) seed 2 has its file, so nothing trains; the table and the
    # picture are made from every file, (a)'s included.
    monkey_argv = [
        'ablation.py',
        '--variants',
        'e',
        '--seeds',
        '2',
        '--results',
        str(tmp_path),
        '--out',
        str(tmp_path / 'work'),
    ]
    saved_argv, sys.argv = sys.argv, monkey_argv
    try:
        assert ablation.main() == 0
    finally:
        sys.argv = saved_argv
    table = (tmp_path / 'work' / 'crops' / 'ablation.md').read_text()
    rows = [line for line in table.splitlines() if line.startswith('| (')]
    assert [row.split('|')[1].strip() for row in rows] == ['(a)', '(e)']
    assert (tmp_path / 'work' / 'crops' / 'ablation_curves.png').exists()
    assert '=== ' not in capsys.readouterr().out  # no run_step


def test_ablation_options_merge_into_the_recipe(tmp_path):
    """--cfg-options keys are merged into the variant's config, not put
    in place of its dicts: more data workers keep the training dataset,
    a head setting keeps the variant's head."""
    path = str(tmp_path / 'config.py')
    _ablation().variant_config(
        'e',
        'crops',
        20,
        0,
        crops='/x',
        options={
            'train_dataloader.num_workers': 2,
            'model.roi_head.bbox_head.delta': 0.7,
        },
    ).dump(path)
    cfg = Config.fromfile(path)
    assert cfg.train_dataloader.num_workers == 2
    assert cfg.train_dataloader.dataset.type == 'ComposedMetaphaseDataset'
    assert cfg.train_dataloader.dataset.crops == '/x'
    head = cfg.model.roi_head.bbox_head
    assert head.type == 'DeepAccBBoxHead' and head.delta == 0.7
    assert head.loss_gia is None  # (e) stays (e)


def _scalars(run_dir, records):
    vis = run_dir / 'vis_data'
    vis.mkdir(parents=True)
    (vis / 'scalars.json').write_text(
        ''.join(json.dumps(r) + '\n' for r in records)
    )


def test_learning_curve_of_a_resumed_run_joins_its_two_logs(tmp_path):
    """A run cut at iteration 250 and resumed from its checkpoint at 200:
    the curve is the first log's points before 200 and the second log's
    from there, and the minutes are the logged times x iterations."""
    read_curve = _benchmark('learning_curve').read_curve
    _scalars(
        tmp_path / '20260101_000000',
        [
            dict(iter=100, time=0.6),
            {'chromosome/mAP': 0.1},
            dict(iter=200, time=0.6),
            {'chromosome/mAP': 0.2},
            dict(iter=250, time=0.6),
        ],
    )
    _scalars(
        tmp_path / '20260101_010000',
        [
            dict(iter=300, time=1.2),
            {'chromosome/mAP': 0.35},
            dict(iter=400, time=0.6),
            {'chromosome/mAP': 0.4},
        ],
    )
    newest = read_curve(str(tmp_path))
    assert [p['iter'] for p in newest] == [300, 400]
    # 1.2 s x 300 iterations = 6 min; + 0.6 s x 100 = 7 min.
    assert [p['minutes'] for p in newest] == pytest.approx([6.0, 7.0])
    joined = read_curve(str(tmp_path), all_runs=True)
    assert [(p['iter'], p['mAP']) for p in joined] == [
        (100, 0.1),
        (200, 0.2),
        (300, 0.35),
        (400, 0.4),
    ]


def test_ablation_verdict_with_one_seed_does_not_claim_a_spread():
    ablation = _ablation()
    runs = {
        'a': {0: dict(mAP_max=0.80, AER=0.20)},
        'f': {0: dict(mAP_max=0.85, AER=0.15)},
    }
    text = ablation.verdict(ablation.summarise(runs))
    assert 'mAP_max: DeepACC 85.00 vs stock 80.00 (+5.00 points' in text
    assert 'seed spread is not measured' in text
    assert 'outside' not in text


def test_ablation_resumes_a_run_cut_short(tmp_path):
    """A run whose work dir holds a checkpoint goes on from it, logging
    beside the first call's log instead of over it."""
    ablation = _ablation()
    args, log = ablation.train_command(str(tmp_path), 'c.py')
    assert args[1:] == [
        'tools/train.py',
        'c.py',
        '--work-dir',
        str(tmp_path / 'train'),
    ]
    assert log == str(tmp_path / 'train.log')
    (tmp_path / 'train').mkdir()
    (tmp_path / 'train' / 'last_checkpoint').write_text('x/iter_900.pth')
    args, log = ablation.train_command(str(tmp_path), 'c.py')
    assert args[-1] == '--resume'
    assert log == str(tmp_path / 'train_resumed.log')


def test_demo_trains_with_local_centres_from_the_start(tmp_path):
    """The recipe holds the centres off for 700 iterations; the demo's
    short schedule gives its DeepACC model the centres from the first
    iteration (measured best at 800 iterations), everything else from
    the recipe. A stock head gets no such line."""
    recipe = get_config(demo.DEFAULT_CONFIG)
    assert recipe.model.roi_head.bbox_head.center_warmup_iters > 0
    path = str(tmp_path / 'demo_config.py')
    demo.demo_config(recipe, '/data', demo.DEFAULT_ITERS, 0, 2e-3).dump(path)
    # The recipe it was derived from is left as it was.
    assert recipe.model.roi_head.bbox_head.center_warmup_iters > 0
    cfg = Config.fromfile(path)
    head = cfg.model.roi_head.bbox_head
    assert head.type == 'DeepAccBBoxHead' and head.with_siamese
    assert head.center_warmup_iters == 0
    assert head.delta == recipe.model.roi_head.bbox_head.delta
    assert cfg.train_cfg.max_iters == demo.DEFAULT_ITERS
    test_set = cfg.test_dataloader.dataset
    assert test_set.type == 'ChromosomeDataset'
    assert test_set.data_root == '/data/' and 'seed' not in test_set
    assert tuple(test_set.pipeline[1].scale) == tuple(recipe.synth_size)
    stock = get_config(
        'faster_rcnn/faster-rcnn_r18-c32_fpn_2100it_synth-cpu.py'
    )
    assert demo.center_warmup_options(stock) == {}
