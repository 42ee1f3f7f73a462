"""The conditional MLP GAN of the TensorFlow book, chapter 10, Example 10-2 (and the tfGAN notebook's N(−1, 1) noise quirk)."""

from __future__ import annotations

import torch
from torch import nn

from gan_bench.nets.conv import glorot_init
from gan_bench.training.losses import bce_logits
from gan_bench.variants.base import GANSystem, frozen, uniform_or_normal
from gan_bench.variants.pixels import scaled
from gan_bench.variants.recipe import CGANRecipe

CLASSES = 10
PIXELS = 28 * 28


class Conditioned(nn.Module):
    """A net on concat[x, one_hot(y)]."""

    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        # one-hot by comparison: no bounds check that waits on the device, so the step can be captured
        one_hot = (y[:, None] == torch.arange(CLASSES, device=y.device)).to(x.dtype)
        return self.net(torch.cat([x, one_hot], dim=1))


class CGAN(GANSystem):
    grid_nrow = CLASSES  # the grid's row i, column j asks for class j
    supports_cuda_graph = True  # fixed shapes, no host synchronisation

    def __init__(self, recipe: CGANRecipe, device: torch.device, dataset=None):
        r = recipe
        G = Conditioned(
            nn.Sequential(nn.Linear(r.z_dim + CLASSES, r.hidden), nn.ReLU(), nn.Linear(r.hidden, PIXELS), nn.Sigmoid())
        ).to(device)
        D = Conditioned(nn.Sequential(nn.Linear(PIXELS + CLASSES, r.hidden), nn.ReLU(), nn.Linear(r.hidden, 1))).to(
            device
        )
        for net in (G, D):
            glorot_init(net)
        adam = dict(lr=r.lr, betas=r.betas, eps=r.eps)
        super().__init__(
            recipe, G, D, torch.optim.Adam(G.parameters(), **adam), torch.optim.Adam(D.parameters(), **adam)
        )

    def prepare(self, dataset) -> tuple[torch.Tensor, torch.Tensor]:
        x = scaled(dataset.train_images, self.recipe.train_split, "divide_255")
        y = dataset.train_labels[-len(x) :]
        return x.reshape(len(x), PIXELS), y

    def noise(self, n: int, generator: torch.Generator) -> torch.Tensor:
        return uniform_or_normal((n, self.recipe.z_dim), self.recipe.z_dist, self.recipe.z_params, generator)

    def inputs(self, n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """z and balanced labels: sample i asks for class i mod 10."""
        return self.noise(n, generator), torch.arange(n, device=generator.device) % CLASSES

    @torch.no_grad()
    def generate(self, inputs: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        z, y = inputs
        return self.G(z, y).view(len(z), 1, 28, 28)

    def train_step(
        self, batch: tuple[torch.Tensor, torch.Tensor], generator: torch.Generator
    ) -> dict[str, torch.Tensor]:
        """D: (x, y)→1 and (G(z, y), y)→0 with the real batch's labels; then G: →1, same z and y."""
        real, y = batch
        fake = self.G(self.noise(len(real), generator), y)
        out_real, out_fake = self.D(real, y), self.D(fake.detach(), y)
        d_loss = bce_logits(out_real, 1.0) + bce_logits(out_fake, 0.0)
        d_grad = self.update("d", d_loss)
        with frozen(self.D):
            g_loss = bce_logits(self.D(fake, y), 1.0)
        g_grad = self.update("g", g_loss)
        return self.named(
            [
                d_loss.detach(),
                g_loss.detach(),
                torch.sigmoid(out_real).mean().detach(),
                torch.sigmoid(out_fake).mean().detach(),
                g_grad,
                d_grad,
            ]
        )
