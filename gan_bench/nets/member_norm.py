"""Batch norm as PacGAN's released code runs it in G (Blocks' BatchNormalization brick).

Differences from ``nn.BatchNorm1d``:
- a [members, n, C] input is normalised per member (each of PacGAN's m generator calls draws one
  member of every pack and is normalised on its own); an [n, C] input is one member;
- the divisor is sqrt(biased batch variance + eps), eps 1e-4 by default, in training and the
  running standard deviation itself (not a running variance) in eval mode;
- running statistics start at mean 0, std 1 and move ``momentum`` (5 %) toward the mean over
  members of their batch statistics, once per forward.
"""

from __future__ import annotations

import torch
from torch import nn


class MemberBatchNorm(nn.Module):
    def __init__(self, features: int, momentum: float = 0.05, eps: float = 1e-4):
        super().__init__()
        self.momentum, self.eps = momentum, eps
        self.weight = nn.Parameter(torch.ones(features))
        self.bias = nn.Parameter(torch.zeros(features))
        self.register_buffer("running_mean", torch.zeros(features))
        self.register_buffer("running_std", torch.ones(features))

    def extra_repr(self) -> str:
        return f"{len(self.weight)}, momentum={self.momentum}, eps={self.eps}"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        stats = self.running_mean, self.running_std
        return member_batch_norm(x, self.weight, self.bias, *stats, self.training, self.momentum, self.eps)


def member_batch_norm(x, weight, bias, running_mean, running_std, training: bool, momentum: float, eps: float):
    """MemberBatchNorm's forward with these weights and running statistics: [C] for one network's
    [..., n, C] input, or [K, C] (K networks' side by side, nets/grouped.py) for a [K, ..., n, C] one."""
    lead = weight.shape[:-1]  # () or (K,)
    shape = (*lead, *[1] * (x.dim() - 1 - len(lead)), weight.shape[-1])  # broadcast over members and rows
    weight, bias = weight.view(shape), bias.view(shape)
    if not training:
        return (x - running_mean.view(shape)) / running_std.view(shape) * weight + bias
    mean = x.mean(dim=-2, keepdim=True)
    std = (x - mean).square().mean(dim=-2, keepdim=True).add(eps).sqrt()
    if momentum:  # 0 while drawing samples in training mode: the statistics stay as they are
        with torch.no_grad():
            features = (*lead, -1, x.shape[-1])  # every member's statistics, per network
            running_mean.lerp_(mean.reshape(features).mean(dim=len(lead)), momentum)
            running_std.lerp_(std.reshape(features).mean(dim=len(lead)), momentum)
    return (x - mean) / std * weight + bias


BATCH_NORMS = (nn.modules.batchnorm._BatchNorm, MemberBatchNorm)  # what "batch norm in G" means to scoring
