import os

import torch
import torch.distributed as torch_dist


def init_cpu_distributed(launcher: str) -> bool:
    """Start a gloo process group for ``torchrun`` jobs on CPU-only hosts.

    mmengine's pytorch launcher calls ``torch.cuda.set_device`` before
    ``init_process_group``, which fails on a CPU build of torch. The Runner
    skips its own initialisation when a group already exists, so starting
    one here (from the environment torchrun sets) lets the rest of
    mmengine's distributed machinery run unchanged. On CUDA hosts nothing
    happens and mmengine does its usual set-up.

    Args:
        launcher (str): The ``--launcher`` value of the train/test tool.

    Returns:
        bool: Whether a gloo group was started.
    """
    if (
        launcher != 'pytorch'
        or torch.cuda.is_available()
        or torch_dist.is_initialized()
        or 'RANK' not in os.environ
    ):
        return False
    torch_dist.init_process_group(backend='gloo')
    return True


def close_cpu_distributed(finished: bool) -> None:
    """End the gloo group :func:`init_cpu_distributed` started.

    Left to interpreter shutdown, gloo's threads are destroyed while still
    joinable and a rank can abort with "terminate called without an active
    exception" after its work is done (seen once in CI).
    After a finished run the ranks first meet at a barrier, so none tears
    the group down while another still talks to it; after an error they do
    not (the others may never arrive).

    Args:
        finished (bool): Whether the tool returned without an error.
    """
    if not torch_dist.is_initialized():
        return
    if finished:
        torch_dist.barrier()
    torch_dist.destroy_process_group()
