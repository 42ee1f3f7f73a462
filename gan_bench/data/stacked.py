"""Stacked MNIST (VEEGAN, Srivastava et al. 2017; PacGAN Table 2): three MNIST digits become the
R, G and B channels of one image, so the digit triple is one of 1000 modes.

Built deterministically from MNIST and a seed: every triple appears equally often (the split is
a seeded permutation of the 1000 triples repeated), and each channel is a seeded random MNIST
image of its digit. Train: 128,000 images from MNIST train (the VEEGAN setup); test: 26,000 from
MNIST test (the size the mode-counting protocol generates).
"""

from __future__ import annotations

import hashlib

import torch

from gan_bench.data.catalogue import Loaded

MODES = 1000
TRAIN_SAMPLES = 128_000
TEST_SAMPLES = 26_000
SEED = 2017


def triple_digits(triples: torch.Tensor) -> torch.Tensor:
    """Mode index t = 100·r + 10·g + b -> digits [N, 3] (r, g, b)."""
    return torch.stack([triples // 100, triples // 10 % 10, triples % 10], dim=1)


def stack(
    images: torch.Tensor, labels: torch.Tensor, n: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """n stacked images uint8 [n, 3, 28, 28] and their mode indices, each mode n/1000 times."""
    triples = torch.arange(MODES).repeat(n // MODES)[torch.randperm(n // MODES * MODES, generator=generator)]
    digits = triple_digits(triples)
    order = torch.argsort(labels, stable=True)
    counts = torch.bincount(labels, minlength=10)
    starts = torch.cumsum(counts, 0) - counts
    u = torch.rand(digits.shape, generator=generator, dtype=torch.float64)
    picks = order[starts[digits] + (u * counts[digits]).long()]  # [n, 3] image indices of the right digits
    return images[picks], triples


def build(mnist: Loaded) -> Loaded:
    g = torch.Generator().manual_seed(SEED)
    train_x, train_y = stack(mnist.train_images, mnist.train_labels, TRAIN_SAMPLES, g)
    test_x, test_y = stack(mnist.test_images, mnist.test_labels, TEST_SAMPLES, g)
    digest = hashlib.sha256(train_x.numpy().tobytes()).hexdigest()
    return Loaded(
        name="stacked-mnist",
        train_images=train_x,
        train_labels=train_y,
        test_images=test_x,
        test_labels=test_y,
        files={"train_images": f"built from MNIST ({mnist.sha256['train_images'][:12]}), seed {SEED}"},
        sha256={"train_images": digest, "mnist_train_images": mnist.sha256["train_images"]},
        modality="rgb28",
    )
