"""Dropout with a faster mask on CPU.

nn.Dropout's CPU mask is a serial Bernoulli draw taking one 64-bit number and a double compare per
element, and ``torch.rand`` is a serial mt19937 loop; both are slower than numpy's PCG64 (timings
in docs/speed.md). Here the uniforms come from numpy's PCG64, seeded by one 63-bit
draw from torch's global RNG, so the mask is still fixed by the run's seed and its RNG state is
still all a checkpoint needs. The distribution is nn.Dropout's: each unit is kept with probability
1 − p (to within 2⁻²⁴) and scaled by 1/(1 − p); only the random stream differs. Other devices use
``F.dropout`` (one fused kernel on CUDA)."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


def cpu_uniform(shape: torch.Size) -> torch.Tensor:
    """float32 uniforms in [0, 1) (multiples of 2⁻²⁴, as torch.rand) from numpy's PCG64, seeded by
    one draw of torch's global RNG."""
    seed = int(torch.empty((), dtype=torch.int64).random_())
    return torch.from_numpy(np.random.Generator(np.random.PCG64(seed)).random(tuple(shape), dtype=np.float32))


def dropout(x: torch.Tensor, p: float, training: bool = True) -> torch.Tensor:
    if not training or p == 0:
        return x
    if x.device.type != "cpu" or p >= 1 or x.dtype != torch.float32:
        return F.dropout(x, p, True)
    keep = cpu_uniform(x.shape).ge_(p).div_(1 - p)  # 1/(1 − p) where kept, else 0
    return x * keep


class Dropout(nn.Dropout):
    """nn.Dropout (same ``p``, same place in a network) drawing its CPU mask with ``dropout``."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return dropout(x, self.p, self.training)
