"""Stacked MNIST mode counting under the VEEGAN/PacGAN Table 2 protocol: the pinned MNIST
evaluator classifies each of the three channels; the digit triple is the mode (1000 in all)."""

from __future__ import annotations

import torch

from gan_bench.data.stacked import MODES
from gan_bench.metrics import names
from gan_bench.metrics.coverage import kl
from gan_bench.metrics.fidelity import evaluator_outputs

EVALUATOR = "mnist"


def metric_names(n: int) -> dict[str, str]:
    return {k: names.name(f"{k}_stacked", n) for k in ("modes", "kl")}


def mode_index(red: torch.Tensor, green: torch.Tensor, blue: torch.Tensor) -> torch.Tensor:
    """The mode of each digit triple: 100·d(R) + 10·d(G) + d(B), in [0, 1000)."""
    return red * 100 + green * 10 + blue


def modes_of(images: torch.Tensor, device: torch.device) -> torch.Tensor:
    """uint8 [N, 3, 28, 28] -> the mode index of each image, each channel classified by the evaluator."""
    digits = [evaluator_outputs(images[:, c : c + 1], EVALUATOR, device)[0].argmax(dim=1) for c in range(3)]
    return mode_index(*digits)


def mode_scores(modes: torch.Tensor) -> dict:
    """Modes captured (at least one sample) of 1000, and KL(p_gen over modes ‖ uniform)."""
    counts = torch.bincount(modes, minlength=MODES).double()
    return {
        "modes": int((counts > 0).sum()),
        "modes_total": MODES,
        "kl": kl(counts / counts.sum(), torch.full((MODES,), 1.0 / MODES, dtype=torch.float64)),
    }


def scores(images: torch.Tensor, device: torch.device) -> dict:
    """mode_scores of the images' modes."""
    return mode_scores(modes_of(images, device))
