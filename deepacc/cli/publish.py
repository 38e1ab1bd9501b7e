"""``deepacc publish``: a checkpoint to ship, as mmdet's
``tools/model_converters/publish_model.py`` makes one.

Keeps the weights and the ``meta`` (the config text, the classes, the
training chromosome width that ``--scale auto`` reads); drops the
optimizer state, the message hub and the schedulers, which only resuming
needs. ``--fp16`` stores the weights in half precision (half the size;
they are cast back to float32 on loading). Prints the file's size and
SHA-256, for a model card.
"""

import hashlib
import os
import os.path as osp


def add_arguments(parser) -> None:
    parser.add_argument('checkpoint', help='a Runner checkpoint')
    parser.add_argument('out', help='where to write the published copy')
    parser.add_argument(
        '--fp16', action='store_true', help='store the weights as float16'
    )
    parser.add_argument(
        '--force', action='store_true', help='overwrite an existing OUT'
    )


def sha256(path: str) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def run(args) -> int:
    import torch

    from deepacc.cli import check_checkpoint_rewrite, load_runner_checkpoint
    from deepacc.engine import publish_checkpoint

    if osp.abspath(args.out) == osp.abspath(args.checkpoint):
        raise SystemExit(f'{args.out}: the output would replace the input')
    check_checkpoint_rewrite(args.checkpoint, args.out, args.force)
    state = load_runner_checkpoint(args.checkpoint)
    try:
        published = publish_checkpoint(state, fp16=args.fp16)
    except KeyError as err:
        raise SystemExit(f'{args.checkpoint}: {err.args[0]}') from None
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    torch.save(published, args.out)
    size = osp.getsize(args.out) / 2**20
    print(
        f'written: {args.out} ({size:.1f} MiB, '
        f'{"float16" if args.fp16 else "as trained"}; '
        f'sha256 {sha256(args.out)})'
    )
    return 0
