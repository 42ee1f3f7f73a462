"""Reproducibility: seeding and determinism flags, RNG state, the environment fingerprint (the spec
hash and the source commit, which need no torch, are in rundir/identity.py)."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import random
import sys
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch

import gan_bench
from gan_bench.rundir.identity import git_commit


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch (CPU and every CUDA device); switch on deterministic algorithms."""
    # cuBLAS needs this before its first call to be deterministic (CUDA >= 10.2).
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)  # also seeds every CUDA device
    torch.use_deterministic_algorithms(True)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False


def rng_state(device: torch.device) -> dict:
    """The global RNG state (CPU, and the device's on CUDA): what dropout draws from."""
    state = {"cpu": torch.get_rng_state()}
    if device.type == "cuda":
        state["cuda"] = torch.cuda.get_rng_state(device)
    return state


def set_rng_state(state: dict, device: torch.device) -> None:
    torch.set_rng_state(state["cpu"])
    if "cuda" in state:
        torch.cuda.set_rng_state(state["cuda"], device)


def rng_key(device: torch.device) -> str:
    """Which entry of ``rng_state`` the device's own ops (dropout among them) draw from."""
    return "cuda" if device.type == "cuda" else "cpu"


def generator_at(state: dict, device: torch.device) -> torch.Generator:
    """A generator on ``device`` holding the global RNG state ``state`` (from ``rng_state``) that
    the device draws from: it gives the numbers the global RNG would."""
    generator = torch.Generator(device=device)
    generator.set_state(state[rng_key(device)])
    return generator


def derived_seeds(seed: int) -> dict[str, int]:
    """Independent streams from a run's seed: data order, training noise, the sample grids' fixed z,
    and the z that scoring generates from."""
    return {"data": seed * 1000 + 1, "noise": seed * 1000 + 2, "grid": seed * 1000 + 3, "score": seed * 1000 + 4}


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def bit_environment() -> dict:
    """This process's values of the env.json keys a run's bits depend on (layout.BIT_KEYS)."""
    return {
        "cpu_model": cpu_name(),
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),  # the kernels torch picked: AVX2, AVX512, ...
        "torch_threads": torch.get_num_threads(),
        "torch": torch.__version__,
    }


def device_bit_environment(cuda: bool) -> dict:
    """What a computation's bits depend on besides its inputs: on CUDA the GPU model and the CUDA
    libraries (of the current device), and the CPU's model and kernels, which take what follows on
    the host (torch-fidelity's FID statistics of GPU features, in NumPy); on a CPU ``bit_environment()``."""
    if not cuda:
        return bit_environment()
    return {
        "device_name": torch.cuda.get_device_name(),
        "cuda": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version(),
        "torch": torch.__version__,
        "cpu_model": cpu_name(),
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
    }


def bit_environment_digest(cuda: bool) -> str:
    """``device_bit_environment(cuda)`` as 8 hex digits, for the names of cache files computed there."""
    return hashlib.sha256(json.dumps(device_bit_environment(cuda)).encode()).hexdigest()[:8]


@contextmanager
def torch_threads(count: int | None):
    """torch's intra-op thread count set to ``count`` (None: left as it is) inside the block."""
    saved = torch.get_num_threads()
    if count is not None:
        torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(saved)


def environment(
    device: torch.device, dataset_sha256: dict[str, str], dataset_files: dict[str, str] | None = None
) -> dict:
    """What a reader needs to know to reproduce a run (call after ``seed_everything``)."""
    import torchvision

    cuda = torch.cuda.is_available()
    bits = bit_environment()
    return {
        "python": sys.version.split()[0],
        "torch": bits["torch"],
        "torchvision": torchvision.__version__,
        "cuda": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version() if cuda else None,
        "device": str(device),
        "device_name": torch.cuda.get_device_name(device) if device.type == "cuda" else cpu_name(),
        "cpu_model": bits["cpu_model"],
        "cpu_capability": bits["cpu_capability"],
        "torch_threads": bits["torch_threads"],
        "os": platform.platform(),
        "ganbench": gan_bench.__version__,
        "git_commit": git_commit(),
        "dataset_sha256": dataset_sha256,
        "dataset_files": dataset_files or {},
        "deterministic_algorithms": torch.are_deterministic_algorithms_enabled(),
        "cublas_workspace_config": os.environ.get("CUBLAS_WORKSPACE_CONFIG"),
    }
