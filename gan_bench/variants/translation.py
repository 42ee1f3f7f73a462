"""What the translation systems (pix2pix, CycleGAN) share: images as [-1, 1] floats, G in eval
mode at test time (BN on its running statistics; pix2pix's dropout noise still acts), and sample
grids of input | output | target triples from the first test images."""

from __future__ import annotations

import torch

from gan_bench.variants.base import GANSystem, evaluating

GRID_TRIPLES_PER_ROW = 4


def to_signed(images: torch.Tensor) -> torch.Tensor:
    """uint8 [N, C, H, W] -> float in [-1, 1]."""
    return images.float() / 127.5 - 1.0


def to_unit(x: torch.Tensor) -> torch.Tensor:
    return ((x + 1.0) / 2.0).clamp(0, 1)


def interleave(*columns: torch.Tensor) -> torch.Tensor:
    """[N, ...] tensors a, b, c -> a0, b0, c0, a1, b1, c1, ... (the grid's triples)."""
    return torch.stack(columns, dim=1).flatten(0, 1)


@torch.no_grad()
def apply(net: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:
    """``net`` on x in eval mode (its training mode is restored after)."""
    with evaluating(net):
        return net(x)


class TranslationSystem(GANSystem):
    grid_nrow = 3 * GRID_TRIPLES_PER_ROW

    def __init__(self, recipe, dataset, G, D, opt_g, opt_d):
        super().__init__(recipe, G, D, opt_g, opt_d)
        self.size, self.channels = dataset.size, dataset.channels

    def inputs(self, n: int, generator: torch.Generator):
        raise TypeError("translation systems translate test images; they draw no noise inputs")
