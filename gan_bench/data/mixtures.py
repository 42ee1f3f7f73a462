"""The 2D mixtures of Gaussians of PacGAN's Table 1 (Lin et al. 2018), under PacGAN's protocol:

- ring: 8 means evenly spaced on the unit circle, std 0.01;
- grid: 25 means at {-4, -2, 0, 2, 4}², std 0.05;
- 100,000 training samples drawn uniformly over the components; scoring draws its own.

The training set is a fixed function of DATA_SEED, so every run of every seed sees the same data
and its sha256 is recorded like a downloaded dataset's.
"""

from __future__ import annotations

import hashlib
import math

import torch

from gan_bench.data.catalogue import Loaded

TRAIN_SAMPLES = 100_000
TEST_SAMPLES = 2_500
DATA_SEED = 2018


def means(name: str) -> torch.Tensor:
    if name == "ring":
        angles = torch.arange(8, dtype=torch.float64) * (2 * math.pi / 8)
        return torch.stack([angles.cos(), angles.sin()], dim=1)
    if name == "grid":
        axis = torch.tensor([-4.0, -2.0, 0.0, 2.0, 4.0], dtype=torch.float64)
        return torch.cartesian_prod(axis, axis)
    raise ValueError(f"unknown mixture {name!r}")


STD = {"ring": 0.01, "grid": 0.05}
MIXTURES = tuple(STD)


def sample(name: str, n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """n points (float32 [n, 2]) and their component indices, each component equally likely."""
    centres = means(name)
    labels = torch.randint(0, len(centres), (n,), generator=generator)
    noise = torch.randn((n, 2), generator=generator, dtype=torch.float64) * STD[name]
    return (centres[labels] + noise).float(), labels


def build(name: str) -> Loaded:
    g = torch.Generator().manual_seed(DATA_SEED)
    train_x, train_y = sample(name, TRAIN_SAMPLES, g)
    test_x, test_y = sample(name, TEST_SAMPLES, g)
    digest = hashlib.sha256(train_x.numpy().tobytes()).hexdigest()
    return Loaded(
        name=name,
        train_images=train_x,
        train_labels=train_y,
        test_images=test_x,
        test_labels=test_y,
        files={"train_images": f"generated: {name}, seed {DATA_SEED}"},
        sha256={"train_images": digest},
        modality="points",
        modes={"means": means(name).tolist(), "std": STD[name]},
    )
