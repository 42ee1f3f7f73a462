"""Keras 2's ``Adam`` (keras.optimizers.Adam, Keras 2.x), update for update.

Keras 2 folds both bias corrections into the step size and adds ε to √v *before* correction:

    t    = the optimiser's ``iterations`` after this update's increment
    lr_t = lr · √(1 − β2^t) / (1 − β1^t)
    m    ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
    w    ← w − lr_t · m / (√v + ε)

One Keras optimiser instance passed to several ``compile`` calls keeps separate m and v slots per
model but a single ``iterations`` counter, which every model's ``train_on_batch`` advances. A
training loop that alternates D's and the combined model's updates therefore reads t = 2n − 1 at
D's n-th update and t = 2n at G's: ``clock_stride`` 2 with ``clock_offset`` −1 and 0 reproduce
exactly that shared counter from each optimiser's own update count n, which is what a checkpoint
keeps. The default (1, 0) is a Keras Adam used by one model.

The step count lives on the parameters' device and lr_t is computed there, so a step can be
captured in a CUDA graph.
"""

from __future__ import annotations

import torch

from gan_bench.optimizers.elementwise import ElementwiseOptimizer


class Keras2Adam(ElementwiseOptimizer):
    def __init__(
        self,
        params,
        lr: float,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-7,
        clock_stride: int = 1,
        clock_offset: int = 0,
        capturable: bool = True,
    ):
        if lr <= 0.0 or eps < 0.0 or not all(0.0 <= b < 1.0 for b in betas):
            raise ValueError(f"Keras2Adam: invalid lr {lr}, betas {betas} or eps {eps}")
        if clock_stride < 1 or clock_stride + clock_offset < 1:
            raise ValueError(
                f"Keras2Adam: the first update must read t ≥ 1 (stride {clock_stride}, offset {clock_offset})"
            )
        defaults = dict(
            lr=lr,
            betas=tuple(betas),
            eps=eps,
            clock_stride=clock_stride,
            clock_offset=clock_offset,
            capturable=capturable,
        )
        super().__init__(params, defaults)

    def init_state(self, p):
        return {
            "step": torch.zeros((), dtype=torch.float32, device=p.device),
            "m": torch.zeros_like(p),
            "v": torch.zeros_like(p),
        }

    def update(self, p, g, state, group):
        (beta1, beta2), eps = group["betas"], group["eps"]
        step, m, v = state["step"], state["m"], state["v"]
        step.add_(1)
        t = step * group["clock_stride"] + group["clock_offset"]
        lr_t = group["lr"] * (1.0 - torch.pow(beta2, t)).sqrt() / (1.0 - torch.pow(beta1, t))
        m.mul_(beta1).add_(g * (1.0 - beta1))
        v.mul_(beta2).add_(g * g * (1.0 - beta2))
        p.sub_(lr_t * m / (v.sqrt() + eps))
