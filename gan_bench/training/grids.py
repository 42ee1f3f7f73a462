"""Sample grids: a PNG of G's samples from a fixed z."""

from __future__ import annotations

import io
import math
from pathlib import Path

import torch

from gan_bench.rundir import atomic


def save_grid(path: Path, images: torch.Tensor, nrow: int | None = None) -> None:
    """Save images [N, C, H, W] in [0, 1] as a grid of ``nrow`` columns (default near-square), atomically."""
    from torchvision.utils import make_grid, save_image  # torchvision's import costs ~2 s

    nrow = nrow or math.ceil(math.sqrt(len(images)))
    grid = make_grid(images.detach().cpu(), nrow=nrow, padding=2, pad_value=0.5)
    buffer = io.BytesIO()
    save_image(grid, buffer, format="png")
    atomic.write_bytes(path, buffer.getvalue())
