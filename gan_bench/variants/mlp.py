"""The MLP GAN system: builds G and D from a recipe and owns one training step."""

from __future__ import annotations

import torch
from torch import nn

from gan_bench.nets.mlp import initialise, mlp
from gan_bench.train.losses import LOSSES, TAKES_LOGITS
from gan_bench.variants.recipe import MLPRecipe

IMAGE_SHAPE = (1, 28, 28)
PIXELS = 28 * 28
# Order of the per-step scalars that train_step returns and history.csv records.
SCALARS = ("d_loss", "g_loss", "d_real", "d_fake", "g_grad_norm", "d_grad_norm")


def prepare_images(recipe: MLPRecipe, images: torch.Tensor) -> torch.Tensor:
    """uint8 [N, 28, 28] -> float32 [N, 784], scaled and split as the recipe's document did."""
    if recipe.train_split == "tf_train_55k":
        images = images[5000:]  # input_data keeps the first 5,000 for validation
    x = images.reshape(len(images), PIXELS).float()
    if recipe.scaling == "divide_255":
        return x / 255.0
    if recipe.scaling == "totensor_normalize":  # ToTensor, then Normalize(0.5, 0.5)
        return (x / 255.0 - 0.5) / 0.5
    return (x - 127.5) / 127.5  # Keras notebook


def _grad_norm(params: list[nn.Parameter]) -> torch.Tensor:
    return torch.nn.utils.get_total_norm([p.grad for p in params if p.grad is not None])


class MLPGAN:
    def __init__(self, recipe: MLPRecipe, device: torch.device):
        self.recipe = recipe
        self.G = mlp([recipe.z_dim, *recipe.g_hidden, PIXELS], recipe.g_act, recipe.g_out).to(device)
        self.D = mlp([PIXELS, *recipe.d_hidden, 1], recipe.d_act, recipe.d_out, recipe.d_dropout).to(device)
        for net in (self.G, self.D):
            initialise(net, recipe.init, recipe.init_weight_std, recipe.init_bias)
        adam = dict(lr=recipe.lr, betas=recipe.betas, eps=recipe.eps)
        self.opt_g = torch.optim.Adam(self.G.parameters(), **adam)
        self.opt_d = torch.optim.Adam(self.D.parameters(), **adam)
        self.bce = LOSSES[recipe.loss]
        self.logits = recipe.loss in TAKES_LOGITS
        self.g_params = list(self.G.parameters())
        self.d_params = list(self.D.parameters())
        self.G.train()
        self.D.train()

    # -- noise and generation -------------------------------------------------------------
    def noise(self, n: int, generator: torch.Generator) -> torch.Tensor:
        a, b = self.recipe.z_params
        shape, device = (n, self.recipe.z_dim), generator.device
        if self.recipe.z_dist == "normal":
            return torch.randn(shape, generator=generator, device=device) * b + a
        return torch.rand(shape, generator=generator, device=device) * (b - a) + a

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
        r, bce, D = self.recipe, self.bce, self.D
        self.opt_d.zero_grad(set_to_none=True)
        if r.d_update == "concat":  # Keras: one batch of [real, fake] with per-sample labels
            out = D(torch.cat([real, fake]))
            targets = torch.cat([torch.full((len(real), 1), r.real_label, device=out.device),
                                 torch.zeros((len(fake), 1), device=out.device)])
            loss = bce(out, targets)
            loss.backward()
            out_real, out_fake = out[: len(real)], out[len(real):]
        elif r.d_update == "separate_backward":  # PyTorch textbook: backward real, then fake
            out_real = D(real)
            loss_real = bce(out_real, r.real_label)
            loss_real.backward()
            out_fake = D(fake)
            loss_fake = bce(out_fake, 0.0)
            loss_fake.backward()
            loss = loss_real.detach() + loss_fake.detach()
        else:  # TF: one loss over both terms
            out_real, out_fake = D(real), D(fake)
            loss = bce(out_real, r.real_label) + bce(out_fake, 0.0)
            loss.backward()
        grad_norm = _grad_norm(self.d_params)
        self.opt_d.step()
        return loss.detach(), self._prob(out_real).mean().detach(), self._prob(out_fake).mean().detach(), grad_norm

    def _g_update(self, fake: torch.Tensor):
        for p in self.d_params:  # D is frozen for G's step: no D weight gradients
            p.requires_grad_(False)
        self.opt_g.zero_grad(set_to_none=True)
        loss = self.bce(self.D(fake), 1.0)
        loss.backward()
        for p in self.d_params:
            p.requires_grad_(True)
        grad_norm = _grad_norm(self.g_params)
        self.opt_g.step()
        return loss.detach(), grad_norm

    def train_step(self, real: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """One D update then one G update. Returns the SCALARS as one tensor, on the device."""
        z = self.noise(len(real), generator)
        fake = self.G(z)
        d_loss, d_real, d_fake, d_grad = self._d_update(real, fake.detach())
        if self.recipe.g_noise == "fresh":
            fake = self.G(self.noise(len(real), generator))
        # With g_noise "same", G is unchanged since `fake` was made, so G(z) is `fake` itself.
        g_loss, g_grad = self._g_update(fake)
        return torch.stack([d_loss, g_loss, d_real, d_fake, g_grad, d_grad])

    # -- state ----------------------------------------------------------------------------
    def state_dict(self) -> dict:
        return {"G": self.G.state_dict(), "D": self.D.state_dict(),
                "opt_g": self.opt_g.state_dict(), "opt_d": self.opt_d.state_dict()}

    def load_state_dict(self, state: dict) -> None:
        self.G.load_state_dict(state["G"])
        self.D.load_state_dict(state["D"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])
