"""Device choice: auto picks CUDA when present; the default profile follows the device."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from gan_bench.errors import InvalidOption, unknown

if TYPE_CHECKING:
    import torch

DEVICES = ("auto", "cpu", "cuda")  # and cuda:N


def resolve(name: str | torch.device = "auto", here: bool = True) -> torch.device:
    """``name``: auto, cpu, cuda, cuda:N, or a torch.device of one of them. ``here=False``: the
    runs go elsewhere (Ray tasks, on the nodes Ray picks, each given its GPU by Ray), so CUDA need
    not be on this machine; ``auto`` still means this machine's."""
    import torch  # here, so that commands which resolve no device (report, check) load no torch

    if isinstance(name, torch.device):
        name = str(name)
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise InvalidOption(f"--device: {unknown('device', name, DEVICES, also=', cuda:N')}") from None
    if device.type == "cuda" and not here:
        if device.index is not None:
            raise InvalidOption(
                f"--device {name}: under --executor ray, Ray gives each task its GPU; valid: cuda, cpu, auto"
            )
        return device
    if device.type == "cuda" and not torch.cuda.is_available():
        raise InvalidOption(f"--device {name}: CUDA is not available on this machine; use --device cpu")
    if device.type == "cuda" and device.index is not None and device.index >= torch.cuda.device_count():
        count = torch.cuda.device_count()
        raise InvalidOption(
            f"--device {name}: this machine has {count} CUDA device{'s' if count != 1 else ''}; "
            f"valid: cuda, cuda:0 … cuda:{count - 1}"
        )
    if device.type not in ("cpu", "cuda"):
        raise InvalidOption(f"--device: unsupported device {name!r}; valid: {', '.join(DEVICES)}, cuda:N")
    return device


def default_profile(device: torch.device) -> str:
    """``full`` (the documented length) on CUDA, ``quick`` (about a minute per run) on CPU."""
    return "full" if device.type == "cuda" else "quick"


def cpu_cores() -> int:
    """The CPU cores this machine has (1 where Python cannot tell)."""
    return os.cpu_count() or 1


def threads_per_job(jobs: int, cores: int | None = None) -> int:
    """torch threads for each of ``jobs`` workers: cores // jobs (at least 1). On CUDA too: each
    worker's host side (launches, batch draws) then keeps to its share of the cores; on an H200 with
    16 cores, 8 tf-mlp runs at once trained 25 % faster so than with all cores each."""
    return max(1, (cores or cpu_cores()) // jobs)


MAX_CUDA_JOBS = 8
# What one run may take, at most, under the CUDA default: the largest recipe, dcgan, holds MNIST
# resized to 64×64 (0.98 GB) on the device and peaked at 3.06 GB of host memory on CPU.
HOST_GIB_PER_JOB = 4
DEVICE_GIB_PER_JOB = 3


def default_jobs(
    device: torch.device | str, cores: int | None = None, host_gib: float | None = None, device_gib: float | None = None
) -> int:
    """``run --jobs`` when none is given: 1 on CPU (the cores are the bottleneck either way); on CUDA
    half the cores, at most 8, and no more than the host's and the device's memory hold at
    HOST_GIB_PER_JOB and DEVICE_GIB_PER_JOB each. A run's host side keeps a core busy feeding the
    GPU; on an H200 with 16 cores, 8 graphed tf-mlp runs at once trained 3.2 times as many steps a
    second as one alone, and 16 fewer than 8 (docs/speed.md). The memories are read when not given."""
    import torch

    device = torch.device(device)
    if device.type != "cuda":
        return 1
    if host_gib is None:
        try:
            host_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
        except (AttributeError, ValueError, OSError):  # no sysconf (Windows): the cores and device decide
            host_gib = float("inf")
    if device_gib is None:
        device_gib = torch.cuda.get_device_properties(device).total_memory / 2**30
    by_memory = min(host_gib // HOST_GIB_PER_JOB, device_gib // DEVICE_GIB_PER_JOB)
    return int(max(1, min(MAX_CUDA_JOBS, (cores or cpu_cores()) // 2, by_memory)))
