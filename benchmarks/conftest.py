"""Collects images per second from the speed benchmarks and prints them side by side, with the
ratio of each pair, at the end of ``pytest benchmarks/ --benchmark-only``."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest
import torch
from speed_table import BASELINE, RATES

from gan_bench.data import catalogue


def pytest_terminal_summary(terminalreporter):
    if not RATES:
        return
    tr = terminalreporter
    tr.section(f"ganbench speed (images/s, median round; {torch.get_num_threads()} threads)")
    for comparison, rates in RATES.items():
        base = next((rates[name] for name in rates if name in BASELINE.values()), None)
        for loop, rate in rates.items():
            ratio = f"  {rate / base:5.2f}x" if base else ""
            tr.write_line(f"{comparison:<32} {loop:<30} {rate:10.0f}{ratio}")


@pytest.fixture(scope="session", autouse=True)
def cuda_started():
    """CUDA's context, cuBLAS and cuDNN made before the first timed round, so no loop pays for them
    (the device check times one round a loop)."""
    if torch.cuda.is_available():
        x = torch.ones(1, 1, 8, 8, device="cuda")
        (torch.nn.functional.conv2d(x, x[..., :3, :3]).flatten() @ torch.ones(36, device="cuda")).item()


@pytest.fixture(scope="session")
def torchvision_root(tmp_path_factory) -> Path:
    """A torchvision MNIST root (MNIST/raw/ of uncompressed IDX files) from the packaged copy."""
    root = tmp_path_factory.mktemp("torchvision")
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for gz in (catalogue.PACKAGE_ASSETS / "mnist").glob("*.gz"):
        with gzip.open(gz) as src, open(raw / gz.stem, "wb") as dst:
            shutil.copyfileobj(src, dst)
    return root
