"""The LSGAN system: an MLP G and D, D's output linear, least-squares losses with targets 1 and 0."""

from __future__ import annotations

import torch
from torch import nn

from gan_bench.extend import GANSystem, frozen

PIXELS = 28 * 28


def mlp(sizes: list[int], out: nn.Module) -> nn.Sequential:
    layers: list[nn.Module] = []
    for n_in, n_out in zip(sizes[:-2], sizes[1:-1]):
        layers += [nn.Linear(n_in, n_out), nn.LeakyReLU(0.2)]
    return nn.Sequential(*layers, nn.Linear(sizes[-2], sizes[-1]), out)


class LSGAN(GANSystem):
    # the step has fixed shapes and never waits on the host, so --cuda-graph may capture it
    supports_cuda_graph = True

    def __init__(self, recipe, device: torch.device, dataset=None):
        # ganbench has seeded the global RNG: the default initialisations below repeat per seed
        G = mlp([recipe.z_dim, *recipe.hidden, PIXELS], nn.Tanh()).to(device)
        D = mlp([PIXELS, *recipe.hidden[::-1], 1], nn.Identity()).to(device)
        adam = dict(lr=recipe.lr, betas=recipe.betas)
        super().__init__(
            recipe, G, D, torch.optim.Adam(G.parameters(), **adam), torch.optim.Adam(D.parameters(), **adam)
        )

    def prepare(self, dataset) -> tuple[torch.Tensor]:
        """uint8 images [N, 28, 28] -> floats [N, 784] in [-1, 1]."""
        x = dataset.train_images.float() / 127.5 - 1.0
        return (x.reshape(len(x), PIXELS),)

    def inputs(self, n: int, generator: torch.Generator) -> torch.Tensor:
        return torch.randn((n, self.recipe.z_dim), generator=generator, device=generator.device)

    @torch.no_grad()
    def generate(self, z: torch.Tensor) -> torch.Tensor:
        """Images [N, 1, 28, 28] in [0, 1]."""
        return ((self.G(z) + 1) / 2).clamp(0, 1).view(len(z), 1, 28, 28)

    def train_step(self, batch: tuple[torch.Tensor], generator: torch.Generator) -> dict[str, torch.Tensor]:
        """D: ½(D(x) − 1)² + ½D(G(z))²; then G: ½(D(G(z)) − 1)², with the same z."""
        (real,) = batch
        fake = self.G(self.inputs(len(real), generator))
        out_real, out_fake = self.D(real), self.D(fake.detach())
        d_loss = 0.5 * ((out_real - 1) ** 2).mean() + 0.5 * (out_fake**2).mean()
        d_grad = self.update("d", d_loss)
        with frozen(self.D):
            g_loss = 0.5 * ((self.D(fake) - 1) ** 2).mean()
        g_grad = self.update("g", g_loss)
        return {
            "d_loss": d_loss.detach(),
            "g_loss": g_loss.detach(),
            "d_real": out_real.mean().detach(),  # D's mean output: its targets are 1 (real) and 0 (fake)
            "d_fake": out_fake.mean().detach(),
            "g_grad_norm": g_grad,
            "d_grad_norm": d_grad,
        }
