"""Cost of the DeepACC bbox head against the stock head, same detector.

One training step (forward, loss, backward, SGD step) and one inference of
the CPU-sized Faster R-CNN (``configs/faster_rcnn/
faster-rcnn_r18-c32_fpn_1x_chromosome-cpu.py``) with its stock
``Shared2FCBBoxHead``, with the separate-branch head of Table 1 (b), and
with the DeepACC head (``configs/deepacc/deepacc_r18-c32_fpn_1x_chromosome-
cpu.py``), on the same input batch. Printed as ratios to the stock head.

- Time: median over ``--repeats`` runs, the heads interleaved in one
  process so that load from other processes hits them alike. The three
  detectors share backbone, neck and RPN weights (same seed), the SGD step
  uses lr 0 and the RoI sampler is reseeded, so every run of every head
  processes the same proposals and sampled RoIs. Also the box
  branch alone at test time, since post-processing time depends on how
  many scores pass ``score_thr``, which differs between untrained heads.
- Peak memory: on CPU, a fresh subprocess per head and mode; the rise of
  the peak resident set size (``VmHWM`` in ``/proc/self/status``) over the
  resident size just after the model is built, across one warm-up and one
  measured run. On CUDA, ``torch.cuda.max_memory_allocated`` over one run.

No assertions: timings depend on the machine. Usage::

    python benchmarks/head_overhead.py [--repeats 5] [--device cpu|cuda]
        [--size 512 384] [--objects 46]
"""

import argparse
import json
import os
import os.path as osp
import statistics
import subprocess
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

HEADS = {
    'stock': 'faster_rcnn/faster-rcnn_r18-c32_fpn_1x_chromosome-cpu.py',
    'sep': 'faster_rcnn/faster-rcnn_r18-c32_fpn_1x_chromosome-cpu.py',
    'deepacc': 'deepacc/deepacc_r18-c32_fpn_1x_chromosome-cpu.py',
}


def build(head: str, device: str):
    """The CPU-sized detector with the named head, and an SGD optimiser."""
    import torch
    from mmdet.registry import MODELS
    from mmdet.utils import register_all_modules
    from mmengine.logging import MMLogger

    import deepacc  # noqa: F401
    from deepacc.testing import get_config

    register_all_modules()
    model_cfg = get_config(HEADS[head]).model
    if head == 'sep':
        sep = get_config('deepacc/faster-rcnn-sep_r101_fpn_2x_chromosome.py')
        bbox_head = sep.model.roi_head.bbox_head
        bbox_head.update(
            in_channels=model_cfg.roi_head.bbox_head.in_channels,
            fc_out_channels=model_cfg.roi_head.bbox_head.fc_out_channels,
        )
        model_cfg.roi_head.bbox_head = bbox_head
    torch.manual_seed(0)
    model = MODELS.build(model_cfg).to(device)
    # The init only changes values, not cost; mmengine logs every tensor.
    MMLogger.get_current_instance().setLevel('WARNING')
    model.init_weights()
    # lr 0: the step costs the same, but the weights (hence the proposals)
    # stay fixed, so every repeat of every head sees the same input.
    optim = torch.optim.SGD(model.parameters(), lr=0.0, momentum=0.9)
    return model, optim


def make_batch(size, objects):
    """Two images with ``objects`` ground-truth boxes each."""
    import torch
    from mmdet.testing import demo_mm_inputs

    torch.manual_seed(0)
    width, height = size
    return demo_mm_inputs(
        batch_size=2,
        image_shapes=[(3, height, width)] * 2,
        num_items=[objects, objects],
        num_classes=24,
    )


def train_step(model, optim, batch):
    import torch

    # The same RoIs are sampled each time: RoIAlign's cost depends on
    # their sizes.
    torch.manual_seed(0)
    model.train()
    data = model.data_preprocessor(batch, training=True)
    losses = model(**data, mode='loss')
    loss, _ = model.parse_losses(losses)
    optim.zero_grad()
    loss.backward()
    optim.step()


def infer(model, batch):
    import torch

    model.eval()
    with torch.no_grad():
        data = model.data_preprocessor(batch, training=False)
        model(**data, mode='predict')


def _sync(device):
    import torch

    if device == 'cuda':
        torch.cuda.synchronize()


def _vm(key):
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(key + ':'):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f'{key} not in /proc/self/status')


def measure_memory(head, mode, args):
    """Peak memory of one run of ``mode`` (run in its own process)."""
    import torch

    model, optim = build(head, args.device)
    batch = make_batch(args.size, args.objects)
    run = (
        (lambda: train_step(model, optim, batch))
        if mode == 'train'
        else (lambda: infer(model, batch))
    )
    if args.device == 'cuda':
        run()
        _sync('cuda')
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
        run()
        _sync('cuda')
        return torch.cuda.max_memory_allocated() - base
    base = _vm('VmRSS')
    run()
    run()
    return _vm('VmHWM') - base


def head_inputs(model, batch):
    """Features and test-time RoIs (all proposals) of ``batch``."""
    import torch
    from mmdet.structures.bbox import bbox2roi

    model.eval()
    with torch.no_grad():
        data = model.data_preprocessor(batch, training=False)
        feats = model.extract_feat(data['inputs'])
        proposals = model.rpn_head.predict(
            feats, data['data_samples'], rescale=False
        )
    return feats, bbox2roi([p.bboxes for p in proposals])


def head_forward(model, feats, rois):
    """The RoI head's box branch alone (RoIAlign + bbox head)."""
    import torch

    with torch.no_grad():
        return model.roi_head._bbox_forward(feats, rois)['cls_score']


def measure_time(args):
    models = {h: build(h, args.device) for h in HEADS}
    batch = make_batch(args.size, args.objects)
    modes = ('train', 'infer', 'head')
    times = {(h, m): [] for h in HEADS for m in modes}
    inputs, candidates = {}, {}
    for h, (model, optim) in models.items():  # warm-up
        train_step(model, optim, batch)
        infer(model, batch)
        inputs[h] = head_inputs(model, batch)
        score = head_forward(model, *inputs[h]).softmax(dim=1)[:, :-1]
        thr = model.roi_head.test_cfg.score_thr
        candidates[h] = int((score > thr).sum())
    for _ in range(args.repeats):
        for h, (model, optim) in models.items():
            for mode in modes:
                _sync(args.device)
                start = time.perf_counter()
                if mode == 'train':
                    train_step(model, optim, batch)
                elif mode == 'infer':
                    infer(model, batch)
                else:
                    head_forward(model, *inputs[h])
                _sync(args.device)
                times[(h, mode)].append(time.perf_counter() - start)
    return {k: statistics.median(v) for k, v in times.items()}, candidates


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--device', default='cpu', choices=['cpu', 'cuda'])
    parser.add_argument(
        '--size', type=int, nargs=2, default=[512, 384], metavar=('W', 'H')
    )
    parser.add_argument(
        '--objects',
        type=int,
        default=46,
        help='ground-truth boxes per image (a metaphase)',
    )
    parser.add_argument(
        '--memory-child',
        nargs=2,
        metavar=('HEAD', 'MODE'),
        help=argparse.SUPPRESS,
    )
    args = parser.parse_args()
    if args.memory_child:
        print(json.dumps(measure_memory(*args.memory_child, args)))
        return

    memory = {}
    for head in HEADS:
        for mode in ('train', 'infer'):
            cmd = [
                sys.executable,
                __file__,
                '--memory-child',
                head,
                mode,
                '--device',
                args.device,
                '--size',
                *map(str, args.size),
                '--objects',
                str(args.objects),
            ]
            out = subprocess.run(
                cmd,
                check=True,
                capture_output=True,
                text=True,
                env=dict(os.environ),
            )
            memory[(head, mode)] = json.loads(
                out.stdout.strip().split('\n')[-1]
            )
    times, candidates = measure_time(args)

    import torch

    what = (
        'torch.cuda.max_memory_allocated'
        if args.device == 'cuda'
        else 'peak RSS (VmHWM) rise'
    )
    print(
        f'device {args.device}, torch {torch.__version__}, '
        f'{torch.get_num_threads()} threads, 2 images {args.size[0]}x'
        f'{args.size[1]}, {args.objects} boxes each, median of '
        f'{args.repeats}; memory: {what}'
    )
    print(
        'ratios are to the stock head (and, for deepacc, to sep: the '
        'cost of the siamese branch and the losses alone)'
    )
    print(
        f'{"head":<8} {"mode":<6} {"time s":>8} {"time ratio":>11} '
        f'{"mem MiB":>9} {"mem ratio":>10}'
    )
    for mode in ('train', 'infer'):
        for head in HEADS:
            t, m = times[(head, mode)], memory[(head, mode)]
            line = (
                f'{head:<8} {mode:<6} {t:8.3f} '
                f'{t / times[("stock", mode)]:11.3f} {m / 2**20:9.1f} '
                f'{m / max(memory[("stock", mode)], 1):10.3f}'
            )
            if head == 'deepacc':
                line += (
                    f'   vs sep: time '
                    f'{t / times[("sep", mode)]:.3f}, memory '
                    f'{m / max(memory[("sep", mode)], 1):.3f}'
                )
            print(line)
    print(
        'box branch alone at test time (RoIAlign + bbox head, all '
        'proposals of both images), and the (proposal, class) pairs '
        'above score_thr that NMS then sorts:'
    )
    for head in HEADS:
        t = times[(head, 'head')]
        print(
            f'{head:<8} head   {t:8.4f} {t / times[("stock", "head")]:11.3f}'
            f'   candidates {candidates[head]}'
        )


if __name__ == '__main__':
    main()
