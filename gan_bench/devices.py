"""Device choice: auto picks CUDA when present; the default profile follows the device."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from gan_bench.errors import InvalidOption, unknown

if TYPE_CHECKING:
    import torch

DEVICES = ("auto", "cpu", "cuda")  # and cuda:N


def resolve(name: str | torch.device = "auto") -> torch.device:
    """``name``: auto, cpu, cuda, cuda:N, or a torch.device of one of them."""
    import torch  # here, so that commands which resolve no device (report, check) load no torch

    if isinstance(name, torch.device):
        name = str(name)
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise InvalidOption(f"--device: {unknown('device', name, DEVICES, also=', cuda:N')}") from None
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


def threads_per_job(jobs: int, device_type: str, cores: int | None = None) -> int | None:
    """torch threads for each of ``jobs`` workers: cores // jobs on CPU (at least 1), None (torch's
    default) on CUDA, where the runs share the device rather than the cores."""
    if device_type != "cpu":
        return None
    return max(1, (cores or os.cpu_count() or 1) // jobs)
