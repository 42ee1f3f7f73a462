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
        if not self.training:
            return (x - self.running_mean) / self.running_std * self.weight + self.bias
        mean = x.mean(dim=-2, keepdim=True)
        std = (x - mean).square().mean(dim=-2, keepdim=True).add(self.eps).sqrt()
        if self.momentum:  # 0 while drawing samples in training mode: the statistics stay as they are
            with torch.no_grad():
                features = x.shape[-1]
                self.running_mean.lerp_(mean.reshape(-1, features).mean(dim=0), self.momentum)
                self.running_std.lerp_(std.reshape(-1, features).mean(dim=0), self.momentum)
        return (x - mean) / std * self.weight + self.bias


BATCH_NORMS = (nn.modules.batchnorm._BatchNorm, MemberBatchNorm)  # what "batch norm in G" means to scoring
