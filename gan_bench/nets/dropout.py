"""Dropout with a faster mask on CPU.

nn.Dropout's CPU mask is a serial Bernoulli draw taking one 64-bit number and a double compare per
element, and ``torch.rand`` is a serial mt19937 loop; both are slower than numpy's PCG64 (timings
in docs/speed.md). Here the uniforms come from numpy's PCG64, seeded by one 63-bit
draw from torch's global RNG, so the mask is still fixed by the run's seed and its RNG state is
still all a checkpoint needs. The distribution is nn.Dropout's: each unit is kept with probability
1 − p (to within 2⁻²⁴) and scaled by 1/(1 − p); only the random stream differs. Other devices use
``F.dropout`` (one fused kernel on CUDA).

``generator``: draw from it instead of torch's global RNG. A seed batch (nets/grouped.py) gives each
seed a generator holding its global RNG state, so its masks are those its single-seed run draws,
and a captured CUDA graph can replay the draws (a graph cannot swap global states in)."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


def cpu_uniform(shape: torch.Size, generator: torch.Generator | None = None) -> torch.Tensor:
    """float32 uniforms in [0, 1) (multiples of 2⁻²⁴, as torch.rand) from numpy's PCG64, seeded by
    one draw of torch's global RNG (or of ``generator``)."""
    seed = int(torch.empty((), dtype=torch.int64).random_(generator=generator))
    return torch.from_numpy(np.random.Generator(np.random.PCG64(seed)).random(tuple(shape), dtype=np.float32))


def dropout(x: torch.Tensor, p: float, training: bool = True, generator: torch.Generator | None = None) -> torch.Tensor:
    if not training or p == 0:
        return x
    if generator is not None and x.is_cuda and p < 1:
        # F.dropout takes no generator; _fused_dropout is its CUDA kernel (keep probability 1 − p) with one
        return torch._fused_dropout(x, 1 - p, generator)[0]
    if x.device.type != "cpu" or p >= 1 or x.dtype != torch.float32:
        if generator is not None and p < 1:
            raise ValueError(f"dropout from a generator runs on CPU (float32) or CUDA, not {x.device} {x.dtype}")
        return F.dropout(x, p, True)
    keep = cpu_uniform(x.shape, generator).ge_(p).div_(1 - p)  # 1/(1 − p) where kept, else 0
    return x * keep


class Dropout(nn.Dropout):
    """nn.Dropout (same ``p``, same place in a network) drawing its CPU mask with ``dropout``."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return dropout(x, self.p, self.training)
