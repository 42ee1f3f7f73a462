"""The loop the framework optimisers share: every parameter with a gradient, its state made on
first use, then the framework's own elementwise update."""

from __future__ import annotations

import torch


class ElementwiseOptimizer(torch.optim.Optimizer):
    """Subclasses give ``init_state`` (a parameter's slots) and ``update`` (one parameter's step)."""

    def init_state(self, p: torch.Tensor) -> dict:
        raise NotImplementedError

    def update(self, p: torch.Tensor, g: torch.Tensor, state: dict, group: dict) -> None:
        raise NotImplementedError

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state.update(self.init_state(p))
                self.update(p, p.grad, state, group)
        return loss
