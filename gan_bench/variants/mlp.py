"""The MLP GAN system: builds G and D from a recipe and owns one training step."""

from __future__ import annotations

import torch

from gan_bench.nets.mlp import initialise, mlp
from gan_bench.optimizers import Keras2Adam
from gan_bench.training.losses import LOSSES, TAKES_LOGITS
from gan_bench.variants.base import GANSystem, Packed, frozen, uniform_or_normal
from gan_bench.variants.pixels import scaled
from gan_bench.variants.recipe import MLPRecipe

IMAGE_SHAPE = (1, 28, 28)
PIXELS = 28 * 28


def prepare_images(recipe: MLPRecipe, images: torch.Tensor) -> torch.Tensor:
    """uint8 [N, 28, 28] -> float32 [N, 784], scaled and split as the recipe's document did."""
    x = scaled(images, recipe.train_split, recipe.scaling)
    return x.reshape(len(x), PIXELS)


def adam_pair(recipe: MLPRecipe, G, D, device: torch.device) -> tuple[torch.optim.Optimizer, torch.optim.Optimizer]:
    """G's and D's Adam. Both update elementwise, so a seed batch's stacked optimiser moves each
    seed's slice exactly as the seed's own would."""
    adam = dict(lr=recipe.lr, betas=recipe.betas, eps=recipe.eps)
    if recipe.optimiser == "keras2_adam_shared":
        # one Keras Adam for every compile: D's n-th update reads iterations 2n - 1, G's 2n
        return Keras2Adam(G.parameters(), **adam, clock_stride=2), Keras2Adam(
            D.parameters(), **adam, clock_stride=2, clock_offset=-1
        )
    fused = device.type in ("cpu", "cuda")  # one kernel per step instead of ~10 ops per tensor
    return torch.optim.Adam(G.parameters(), **adam, fused=fused), torch.optim.Adam(D.parameters(), **adam, fused=fused)


class MLPGAN(GANSystem):
    supports_packing = True  # D sees recipe.pac samples at once (Packed)
    supports_cuda_graph = True  # fixed shapes, no host synchronisation

    def __init__(self, recipe: MLPRecipe, device: torch.device, dataset=None):
        m = recipe.pac
        G = mlp([recipe.z_dim, *recipe.g_hidden, PIXELS], recipe.g_act, recipe.g_out).to(device)
        D = Packed(mlp([PIXELS * m, *recipe.d_hidden, 1], recipe.d_act, recipe.d_out, recipe.d_dropout), m).to(device)
        for net in (G, D):
            initialise(net, recipe.init, recipe.init_weight_std, recipe.init_bias)
        super().__init__(recipe, G, D, *adam_pair(recipe, G, D, device))
        self.bce = LOSSES[recipe.loss]
        self.logits = recipe.loss in TAKES_LOGITS

    # -- data, noise and generation -------------------------------------------------------
    def prepare(self, dataset) -> tuple[torch.Tensor]:
        return (prepare_images(self.recipe, dataset.train_images),)

    def inputs(self, n: int, generator: torch.Generator) -> torch.Tensor:
        return uniform_or_normal((n, self.recipe.z_dim), self.recipe.z_dist, self.recipe.z_params, generator)

    noise = inputs

    @torch.no_grad()
    def generate(self, z: torch.Tensor) -> torch.Tensor:
        """Images [N, 1, 28, 28] in [0, 1]."""
        x = self.G(z).view(len(z), *IMAGE_SHAPE)
        lo, hi = self.recipe.pixel_range
        return ((x - lo) / (hi - lo)).clamp(0, 1)

    # -- one step -------------------------------------------------------------------------
    def _prob(self, out: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(out) if self.logits else out

    def _d_update(self, real: torch.Tensor, fake: torch.Tensor):
        r, loss_of, D = self.recipe, self.loss, self.D
        self.opt_d.zero_grad(set_to_none=True)
        if r.d_update == "concat":  # Keras: one batch of [real, fake] with per-sample labels
            out = D(torch.cat([real, fake], dim=-2))
            n_real = real.shape[-2] // r.pac
            targets = torch.cat(
                [
                    torch.full((n_real, 1), r.real_label, device=out.device),
                    torch.zeros((out.shape[-2] - n_real, 1), device=out.device),
                ]
            )
            loss = loss_of(out, targets)
            self.backward(loss)
            out_real, out_fake = out[..., :n_real, :], out[..., n_real:, :]
        elif r.d_update == "separate_backward":  # PyTorch textbook: backward real, then fake
            out_real = D(real)
            loss_real = loss_of(out_real, r.real_label)
            self.backward(loss_real)
            out_fake = D(fake)
            loss_fake = loss_of(out_fake, 0.0)
            self.backward(loss_fake)
            loss = loss_real.detach() + loss_fake.detach()
        else:  # TF: one loss over both terms
            out_real, out_fake = D(real), D(fake)
            loss = loss_of(out_real, r.real_label) + loss_of(out_fake, 0.0)
            self.backward(loss)
        norm = self.grad_norm(self.d_params)
        self.opt_d.step()
        return (loss.detach(), self.mean(self._prob(out_real)).detach(), self.mean(self._prob(out_fake)).detach(), norm)

    # A hook a seed batch overrides, as GANSystem's: there tensors carry a leading seed axis and values are per seed.
    def loss(self, out: torch.Tensor, target) -> torch.Tensor:
        return self.bce(out, target)

    def train_step(self, batch: tuple[torch.Tensor], generator: torch.Generator) -> dict[str, torch.Tensor]:
        """One D update then one G update. Returns the named scalars, on the device."""
        (real,) = batch
        n = real.shape[-2] // self.recipe.pac * self.recipe.pac  # whole packs only
        real = real[..., :n, :]
        z = self.inputs(n, generator)
        fresh = self.recipe.g_noise == "fresh"
        with torch.set_grad_enabled(not fresh):  # D's fakes need no graph when G's step draws anew
            fake = self.G(z)
        d_loss, d_real, d_fake, d_grad = self._d_update(real, fake.detach())
        if fresh:
            fake = self.G(self.inputs(n, generator))
        # With g_noise "same", G is unchanged since `fake` was made, so G(z) is `fake` itself.
        with frozen(self.D):
            g_loss = self.loss(self.D(fake), 1.0)
        g_grad = self.update("g", g_loss)
        return self.named([d_loss, g_loss.detach(), d_real, d_fake, g_grad, d_grad])
