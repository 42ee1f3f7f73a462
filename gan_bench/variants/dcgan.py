"""Radford et al.'s DCGAN (64×64 MNIST, and the 3-channel Stacked MNIST version), with packing."""

from __future__ import annotations

import torch

from gan_bench.nets.conv import dcgan_discriminator, dcgan_generator, dcgan_init
from gan_bench.variants.base import GANSystem, Packed, standard_step
from gan_bench.variants.pixels import as_channels, resized, scaled, to_unit
from gan_bench.variants.recipe import DCGANRecipe


class DCGAN(GANSystem):
    supports_packing = True  # D sees recipe.pac samples at once (Packed)
    supports_cuda_graph = True  # fixed shapes, no host synchronisation (batch norm updates its statistics in place)

    def __init__(self, recipe: DCGANRecipe, device: torch.device, dataset=None):
        r = recipe
        G = dcgan_generator(r.z_dim, r.channels, r.image_size, r.ngf).to(device)
        D = Packed(dcgan_discriminator(r.channels * r.pac, r.image_size, r.ndf), r.pac).to(device)
        for net in (G, D):
            dcgan_init(net, r.init_std)
        super().__init__(
            recipe,
            G,
            D,
            torch.optim.Adam(G.parameters(), lr=r.lr, betas=r.betas),
            torch.optim.Adam(D.parameters(), lr=r.lr, betas=r.betas),
        )

    def prepare(self, dataset) -> tuple[torch.Tensor]:
        """uint8 -> [N, C, size, size] in [-1, 1] (resized from 28×28 when size differs)."""
        x = scaled(as_channels(dataset.train_images), "train_60k", "divide_255")
        return (resized(x, self.recipe.image_size) * 2.0 - 1.0,)

    def inputs(self, n: int, generator: torch.Generator) -> torch.Tensor:
        return torch.randn((n, self.recipe.z_dim), generator=generator, device=generator.device)

    @torch.no_grad()
    def generate(self, z: torch.Tensor) -> torch.Tensor:
        return to_unit(self.G(z), -1.0)

    def train_step(self, batch: tuple[torch.Tensor], generator: torch.Generator) -> dict[str, torch.Tensor]:
        return standard_step(self, batch[0], generator)
