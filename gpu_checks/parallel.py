"""Processes of a full fine-tune, through Hugging Face ``accelerate``.

A plain ``dpoverify audit --mode full`` runs one process on one device. Launched by
``accelerate launch --multi_gpu --num_processes N -m dpoverify audit --mode full ...`` (or
``torchrun --nproc_per_node N -m dpoverify ...``), every process runs the same audit; the
fine-tune is data parallel: each step's global minibatch is split across processes and
``accelerate`` averages the gradients, so N processes take the same steps as one (up to
floating-point summation order). Only the main process embeds, writes results and prints.
"""
from __future__ import annotations

import os
from datetime import timedelta


class ParallelError(ValueError):
    """A launch this audit cannot run (e.g. several processes for last-layer mode)."""


def launched_processes() -> int:
    """How many processes the launcher started (WORLD_SIZE, set by torchrun / accelerate launch)."""
    return int(os.environ.get("WORLD_SIZE", "1"))


def is_main_process() -> bool:
    return int(os.environ.get("RANK", "0")) == 0


def accelerator(device: str | None):
    """An ``accelerate.Accelerator`` for ``device`` (auto / cpu / cuda / cuda:N).

    Several processes take one device each (cuda:LOCAL_RANK, or the CPU with gloo), so a device
    index is refused there. Unused-parameter detection is on because encoders run a pooler whose
    output DPO does not use. The other processes wait while the main one embeds every statement
    and audits the geometry, so the process group's timeout is two hours, not the default minutes."""
    try:
        import torch
        from accelerate import Accelerator, DistributedDataParallelKwargs, InitProcessGroupKwargs
    except ImportError:
        raise ParallelError("--mode full needs accelerate (pip install 'dpoverify[audit]')") from None
    device = device or "auto"
    if launched_processes() > 1 and device not in ("auto", "cpu", "cuda"):
        raise ParallelError(f"--device {device}: with {launched_processes()} processes each takes its own "
                            "device (cuda:LOCAL_RANK, or the CPU); pass auto, cuda or cpu")
    if device.startswith("cuda:") and torch.cuda.is_available():
        torch.cuda.set_device(torch.device(device))
    return Accelerator(cpu=device == "cpu",
                       kwargs_handlers=[DistributedDataParallelKwargs(find_unused_parameters=True),
                                        InitProcessGroupKwargs(timeout=timedelta(hours=2))])
