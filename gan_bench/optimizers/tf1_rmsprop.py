"""TensorFlow 1's ``tf.train.RMSPropOptimizer``, update for update (its ApplyRMSProp kernel).

Two things set it apart from ``torch.optim.RMSprop``: the mean-square slot starts at 1.0, not 0,
and ε sits inside the square root. Per step, with ρ the decay:

    ms  ← ms + (g² − ms)·(1 − ρ)
    mom ← momentum·mom + lr·g / √(ms + ε)
    w   ← w − mom

Starting at 1 makes the first hundred or so updates tiny (an implicit warm-up), where torch's
first update is about 3·lr·sign(g) on every weight.
"""

from __future__ import annotations

import torch

from gan_bench.optimizers.elementwise import ElementwiseOptimizer


class TF1RMSProp(ElementwiseOptimizer):
    def __init__(self, params, lr: float, decay: float = 0.9, momentum: float = 0.0, eps: float = 1e-10):
        if not 0.0 <= decay < 1.0 or momentum < 0.0 or lr <= 0.0 or eps < 0.0:
            raise ValueError(f"TF1RMSProp: invalid lr {lr}, decay {decay}, momentum {momentum} or eps {eps}")
        super().__init__(params, dict(lr=lr, decay=decay, momentum=momentum, eps=eps))

    def init_state(self, p):
        return {"ms": torch.ones_like(p), "mom": torch.zeros_like(p)}  # TF1: the ms slot's initializer is ones

    def update(self, p, g, state, group):
        ms, mom = state["ms"], state["mom"]
        ms.add_((g * g - ms) * (1.0 - group["decay"]))
        mom.mul_(group["momentum"]).add_(g * group["lr"] / (ms + group["eps"]).sqrt())
        p.sub_(mom)
