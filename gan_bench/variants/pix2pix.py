"""pix2pix (Isola et al. 2017): G(A) ≈ B through a U-Net; D judges (A, B) pairs patch by patch."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from gan_bench.nets.conv import dcgan_init
from gan_bench.nets.patchgan import patchgan
from gan_bench.nets.unet import UNet
from gan_bench.training.losses import bce_logits
from gan_bench.variants.base import SCALARS, frozen
from gan_bench.variants.recipe import Pix2PixRecipe
from gan_bench.variants.translation import TranslationSystem, apply, interleave, to_signed, to_unit


class Pix2Pix(TranslationSystem):
    scalars = (*SCALARS, "l1")
    supports_cuda_graph = True  # fixed shapes, constant lr, no host synchronisation; dropout draws from torch's RNG

    def __init__(self, recipe: Pix2PixRecipe, device: torch.device, dataset):
        r, c = recipe, dataset.channels
        G = UNet(c, c, dataset.size, r.ngf, dropout=r.dropout).to(device)
        D = patchgan(2 * c, dataset.size, r.ndf).to(device)
        for net in (G, D):
            dcgan_init(net, r.init_std)
        super().__init__(
            recipe,
            dataset,
            G,
            D,
            torch.optim.Adam(G.parameters(), lr=r.lr, betas=r.betas),
            torch.optim.Adam(D.parameters(), lr=r.lr, betas=r.betas),
        )

    def prepare(self, dataset) -> tuple[torch.Tensor, torch.Tensor]:
        return to_signed(dataset.train_a), to_signed(dataset.train_b)

    def grid_inputs(self, n: int, generator: torch.Generator, dataset=None):
        return to_signed(dataset.test_a[:n]), to_signed(dataset.test_b[:n])

    def translate(self, a: torch.Tensor, way: str = "ab") -> torch.Tensor:
        """Test-time G(A) in [-1, 1] (paired data translates one way only)."""
        if way != "ab":
            raise ValueError("pix2pix translates A to B only")
        return apply(self.G, a)

    def grid_images(self, inputs) -> torch.Tensor:
        a, b = inputs
        return to_unit(interleave(a, self.translate(a), b))

    def train_step(
        self, batch: tuple[torch.Tensor, torch.Tensor], generator: torch.Generator
    ) -> dict[str, torch.Tensor]:
        a, b = batch
        r = self.recipe
        fake = self.G(a)
        out_real, out_fake = self.D(torch.cat([a, b], 1)), self.D(torch.cat([a, fake.detach()], 1))
        d_loss = 0.5 * (bce_logits(out_real, 1.0) + bce_logits(out_fake, 0.0))  # halved, as the paper does
        d_grad = self.update("d", d_loss)
        l1 = F.l1_loss(fake, b)
        g_loss = r.l1_weight * l1
        if r.gan_weight:
            with frozen(self.D):
                g_loss = g_loss + r.gan_weight * bce_logits(self.D(torch.cat([a, fake], 1)), 1.0)
        g_grad = self.update("g", g_loss)
        return self.named(
            [
                d_loss.detach(),
                g_loss.detach(),
                torch.sigmoid(out_real).mean().detach(),
                torch.sigmoid(out_fake).mean().detach(),
                g_grad,
                d_grad,
                l1.detach(),
            ]
        )
