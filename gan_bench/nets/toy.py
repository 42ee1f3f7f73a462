"""PacGAN's 2D-mixture networks: a batch-norm ReLU MLP generator and a maxout discriminator."""

from __future__ import annotations

import torch
from torch import nn


class Maxout(nn.Module):
    """A linear layer to ``width * pieces`` units, then the max over each unit's pieces."""

    def __init__(self, n_in: int, width: int, pieces: int):
        super().__init__()
        self.linear = nn.Linear(n_in, width * pieces)
        self.width, self.pieces = width, pieces

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return maxout_of(self.linear(x), self.width, self.pieces)


def maxout_of(y: torch.Tensor, width: int, pieces: int) -> torch.Tensor:
    """The max over each unit's ``pieces`` of a linear layer's output [..., width * pieces]."""
    y = y.unflatten(-1, (width, pieces))
    return max_by_mask(y) if y.is_cuda else y.max(dim=-1).values


def max_by_mask(y: torch.Tensor) -> torch.Tensor:
    """``y.max(dim=-1).values`` with the same values and gradients (ties: the first piece takes it).
    Workaround: on CUDA under deterministic algorithms, max's backward scatter becomes a sort-based
    index_put, which dominates a toy step's CPU time; a one-hot mask routes the gradient elementwise."""
    with torch.no_grad():
        first = y.argmax(dim=-1, keepdim=True) == torch.arange(y.shape[-1], device=y.device)
    return (y * first.to(y.dtype)).sum(dim=-1)


def generator(z_dim: int, hidden: tuple[int, ...], out: int = 2, norm=nn.BatchNorm1d) -> nn.Sequential:
    """Hidden layers without bias, each batch norm (``norm(width)``) then ReLU; a linear output."""
    layers: list[nn.Module] = []
    for n_in, n_out in zip((z_dim, *hidden[:-1]), hidden):
        layers += [nn.Linear(n_in, n_out, bias=False), norm(n_out), nn.ReLU()]
    layers.append(nn.Linear(hidden[-1], out))
    return nn.Sequential(*layers)


def maxout_discriminator(n_in: int, widths: tuple[int, ...], pieces: int) -> nn.Sequential:
    """Maxout layers then a linear layer to one logit."""
    layers: list[nn.Module] = []
    for a, b in zip((n_in, *widths[:-1]), widths):
        layers.append(Maxout(a, b, pieces))
    layers.append(nn.Linear(widths[-1], 1))
    return nn.Sequential(*layers)


@torch.no_grad()
def normal_init(net: nn.Module, std: float) -> None:
    """Linear and convolution weights N(0, std), biases 0 (batch norm keeps weight 1, bias 0)."""
    for m in net.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            m.weight.normal_(0.0, std)
            if m.bias is not None:
                m.bias.zero_()
