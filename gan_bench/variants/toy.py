"""The 2D-mixture GAN of PacGAN's toy experiments, with packing."""

from __future__ import annotations

import torch
from torch import nn

from gan_bench.nets.toy import generator, maxout_discriminator, normal_init
from gan_bench.variants.base import GANSystem, Packed, standard_step
from gan_bench.variants.recipe import ToyRecipe


class ToyGAN(GANSystem):
    supports_packing = True  # D sees recipe.pac samples at once (Packed)
    supports_cuda_graph = True  # fixed shapes, no host synchronisation

    def __init__(self, recipe: ToyRecipe, device: torch.device, dataset=None):
        G = generator(recipe.z_dim, recipe.g_hidden, norm=self.g_norm(recipe)).to(device)
        D = Packed(maxout_discriminator(2 * recipe.pac, recipe.d_maxout, recipe.maxout_pieces), recipe.pac).to(device)
        for net in (G, D):
            normal_init(net, recipe.init_std)
        super().__init__(
            recipe,
            G,
            D,
            torch.optim.Adam(G.parameters(), lr=recipe.lr, betas=recipe.betas),
            torch.optim.Adam(D.parameters(), lr=recipe.lr, betas=recipe.betas),
        )

    @staticmethod
    def g_norm(recipe: ToyRecipe):
        """G's batch norm layer, as a function of its width."""
        return nn.BatchNorm1d

    def prepare(self, dataset) -> tuple[torch.Tensor]:
        return (dataset.train_images.float(),)

    def inputs(self, n: int, generator: torch.Generator) -> torch.Tensor:
        return torch.randn((n, self.recipe.z_dim), generator=generator, device=generator.device)

    def train_step(self, batch: tuple[torch.Tensor], generator: torch.Generator) -> dict[str, torch.Tensor]:
        return standard_step(self, batch[0], generator)
