"""What most GAN systems share: G and D with one optimiser each, PacGAN packing, frozen-D G steps,
gradient norms and the state a checkpoint holds. The contract itself is variants/system.py.
"""

from __future__ import annotations

from contextlib import contextmanager

import torch
from torch import nn

from gan_bench.training.losses import bce_logits
from gan_bench.variants.system import REQUIRED_SCALARS, System

SCALARS = REQUIRED_SCALARS


def grad_norm(params: list[nn.Parameter]) -> torch.Tensor:
    return torch.nn.utils.get_total_norm([p.grad for p in params if p.grad is not None])


class Packed(nn.Module):
    """D over packs of m samples (Lin et al. 2018): consecutive samples [B·m, C, ...] are
    concatenated along the feature/channel axis into [B, m·C, ...]. A remainder short of a
    whole pack (a short last batch) is left out. m = 1 is D itself."""

    def __init__(self, net: nn.Module, m: int):
        super().__init__()
        self.net, self.m = net, m

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.m == 1:
            return self.net(x)
        n = len(x) // self.m
        x = x[: n * self.m]
        return self.net(x.reshape(n, self.m * x.shape[1], *x.shape[2:]))


@contextmanager
def frozen(net: nn.Module):
    """G's step: D's weights get no gradients (the gradient still flows through D to G)."""
    params = [p for p in net.parameters() if p.requires_grad]
    for p in params:
        p.requires_grad_(False)
    try:
        yield
    finally:
        for p in params:
            p.requires_grad_(True)


@contextmanager
def evaluating(net: nn.Module):
    """``net`` in eval mode (batch norm on running statistics, no dropout); each part's own mode is
    restored after (a user's module may keep one part frozen in eval while the rest trains)."""
    modes = {part: part.training for part in net.modules()}
    net.eval()
    try:
        yield
    finally:
        for part, training in modes.items():
            part.training = training


def to_device(inputs, device: torch.device):
    if isinstance(inputs, tuple):
        return tuple(t.to(device) for t in inputs)
    return inputs.to(device)


class GANSystem(System):
    """A System with G and D and an optimiser each: implements generate, state_dict and
    load_state_dict, and ``update`` for a step. Subclasses add prepare, inputs and train_step."""

    def __init__(self, recipe, G: nn.Module, D: nn.Module, opt_g: torch.optim.Optimizer, opt_d: torch.optim.Optimizer):
        self.recipe, self.G, self.D, self.opt_g, self.opt_d = recipe, G, D, opt_g, opt_d
        self.g_params = list(G.parameters())
        self.d_params = list(D.parameters())
        G.train()
        D.train()

    def named(self, values) -> dict[str, torch.Tensor]:
        """The step's scalars (in ``scalars`` order) by name, as ``train_step`` returns them."""
        return dict(zip(self.scalars, values, strict=True))

    def update(self, which: str, loss: torch.Tensor) -> torch.Tensor:
        """Backward ``loss`` into G or D and step its optimiser; returns the gradient norm."""
        opt, params = (self.opt_g, self.g_params) if which == "g" else (self.opt_d, self.d_params)
        opt.zero_grad(set_to_none=True)
        self.backward(loss)
        norm = self.grad_norm(params)
        opt.step()
        return norm

    # Hooks a seed batch overrides (variants/seed_batch.py): there tensors carry a leading seed axis
    # (samples on axis 1) and each value has one entry per seed.
    samples_dim = 0

    def logit_loss(self, logits: torch.Tensor, target) -> torch.Tensor:
        return bce_logits(logits, target)

    def mean(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean()

    def backward(self, loss: torch.Tensor, **kwargs) -> None:
        """``loss.backward(**kwargs)`` (``inputs``, ``retain_graph``)."""
        loss.backward(**kwargs)

    def grad_norm(self, params: list[nn.Parameter]) -> torch.Tensor:
        return grad_norm(params)

    @torch.no_grad()
    def generate(self, inputs) -> torch.Tensor:
        return self.G(inputs)

    def state_dict(self) -> dict:
        return {
            "G": self.G.state_dict(),
            "D": self.D.state_dict(),
            "opt_g": self.opt_g.state_dict(),
            "opt_d": self.opt_d.state_dict(),
        }

    def load_state_dict(self, state: dict) -> None:
        self.G.load_state_dict(state["G"])
        self.D.load_state_dict(state["D"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])


def uniform_or_normal(shape: tuple, dist: str, params: tuple[float, float], generator: torch.Generator) -> torch.Tensor:
    """z ~ N(mean, std) for ("normal", (mean, std)) or U(low, high) for ("uniform", (low, high))."""
    a, b = params
    if dist == "normal":
        return torch.randn(shape, generator=generator, device=generator.device) * b + a
    return torch.rand(shape, generator=generator, device=generator.device) * (b - a) + a


def standard_step(system: GANSystem, real: torch.Tensor, generator: torch.Generator) -> dict[str, torch.Tensor]:
    """Goodfellow's non-saturating GAN step on logits: D on real→1 and G(z)→0, then G on G(z)→1
    with the same z (G is unchanged in between). Used by the toy and DCGAN families."""
    m, axis = system.recipe.pac, system.samples_dim
    n = real.shape[axis] // m * m
    real = real.narrow(axis, 0, n)
    fake = system.G(system.inputs(n, generator))
    out_real, out_fake = system.D(real), system.D(fake.detach())
    d_loss = system.logit_loss(out_real, 1.0) + system.logit_loss(out_fake, 0.0)
    d_grad = system.update("d", d_loss)
    with frozen(system.D):
        g_loss = system.logit_loss(system.D(fake), 1.0)
    g_grad = system.update("g", g_loss)
    return logit_step_scalars(d_loss, g_loss, out_real, out_fake, g_grad, d_grad, system.mean)


def logit_step_scalars(d_loss, g_loss, out_real, out_fake, g_grad, d_grad, mean=torch.mean) -> dict[str, torch.Tensor]:
    """A step's required scalars when D outputs logits: the losses, D's mean verdicts (``mean``:
    one per seed in a seed batch), the gradient norms."""
    return {
        "d_loss": d_loss.detach(),
        "g_loss": g_loss.detach(),
        "d_real": mean(torch.sigmoid(out_real)).detach(),
        "d_fake": mean(torch.sigmoid(out_fake)).detach(),
        "g_grad_norm": g_grad,
        "d_grad_norm": d_grad,
    }
