"""``deepacc scale``: measure the chromosome width a model was trained at
and store it in its checkpoint.

``--scale auto`` resizes each image to the width in the checkpoint's
``meta['chromosome_width']``, which :class:`deepacc.engine.
ChromosomeScaleHook` writes during training. A checkpoint trained
without the hook has none (``auto`` then falls back to ``none``), and
one trained before the width was read the current way
(:mod:`deepacc.scale.estimate`) has a width read otherwise. This command
measures the config's training images as the hook does (the config's
hook settings, its ``pipeline`` among them) and prints the width; with
``--out`` it writes a copy of the checkpoint carrying it, with
``--in-place`` it rewrites the checkpoint itself.
"""

import os
import os.path as osp


def add_arguments(parser) -> None:
    parser.add_argument('config', help='the config the model was trained with')
    parser.add_argument('checkpoint', help='its checkpoint')
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        '--out', help='write a copy of the checkpoint with the width here'
    )
    where.add_argument(
        '--in-place',
        action='store_true',
        help='rewrite CHECKPOINT itself with the width',
    )
    parser.add_argument(
        '--force', action='store_true', help='overwrite an existing --out'
    )
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        default=[],
        metavar='KEY=VALUE',
        help="config overrides, e.g. the training data's place: "
        'train_dataloader.dataset.crops=my_crops/',
    )


def run(args) -> int:
    import torch
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import deepacc  # noqa: F401  (registries, safe checkpoint globals)
    from deepacc.cli import (
        check_checkpoint_rewrite,
        load_runner_checkpoint,
        parse_cfg_options,
    )
    from deepacc.engine import ChromosomeScaleHook

    check_checkpoint_rewrite(args.checkpoint, args.out, args.force)
    cfg = Config.fromfile(args.config)
    options = parse_cfg_options(args.cfg_options)
    if options:
        cfg.merge_from_dict(options)
    init_default_scope(cfg.get('default_scope', 'mmdet'))
    settings = next(
        (
            {k: v for k, v in hook.items() if k != 'type'}
            for hook in cfg.get('custom_hooks', [])
            if str(hook['type']).split('.')[-1] == 'ChromosomeScaleHook'
        ),
        {},
    )
    hook = ChromosomeScaleHook(**settings)
    width = hook.measure(cfg.train_dataloader.dataset)
    if width is None:
        raise SystemExit(
            f'{args.config}: none of the first {hook.num_images} training '
            'images could be measured; no width to store'
        )
    state = load_runner_checkpoint(args.checkpoint)
    meta = state.get('meta') or {}
    old = meta.get('chromosome_width')
    old_text = 'none' if old is None else f'{float(old):.2f} px'
    if old is not None and meta.get('chromosome_width_reference') is None:
        old_text += ', read in one pass'
    read = (
        'one reading per crop'
        if hook.reference is None
        else f'read at {hook.reference:g} px'
    )
    print(
        f'{args.checkpoint}: training chromosome width {width:.2f} px '
        f'(median of {hook.num_images} training images, {read}; stored: '
        f'{old_text})'
    )
    target = args.checkpoint if args.in_place else args.out
    if target is None:
        print('not written (pass --out NEW.pth or --in-place)')
        return 0
    state.setdefault('meta', {}).update(
        chromosome_width=width, chromosome_width_reference=hook.reference
    )
    folder = osp.dirname(osp.abspath(target))
    os.makedirs(folder, exist_ok=True)
    torch.save(state, target)
    print(f'written: {target}')
    return 0
