"""K seeds of one MLP recipe trained as one batched model (``ganbench run --batch-seeds``).

The seeds' G and D become grouped networks (nets/grouped.py) with one optimiser each over the
stacked weights; Adam and RMSprop update elementwise, so each seed's slice moves exactly as its
own optimiser would move it. The step itself is MLPGAN's, through its hooks: here every loss,
mean and gradient norm has one entry per seed, and noise comes from each seed's own generator.
``write_back`` copies weights and optimiser state into the seeds' own systems, which is what
sample grids, checkpoints and scoring read, so a seed's run directory is the one its single-seed
run writes.
"""

from __future__ import annotations

import torch

from gan_bench.nets.grouped import GroupedSequential
from gan_bench.variants.mlp import MLPGAN
from gan_bench.variants.recipe import MLPRecipe


def supports(recipe) -> bool:
    return isinstance(recipe, MLPRecipe)


def _stacked_state(optimizers: list[torch.optim.Optimizer]) -> dict:
    """The seeds' optimiser states stacked along a new first axis (scalars such as Adam's step
    count are equal across seeds, which start at the same step)."""
    states = [opt.state_dict()["state"] for opt in optimizers]
    stacked = {}
    for i in states[0]:
        stacked[i] = {key: (value.clone() if value.dim() == 0 else torch.stack([s[i][key] for s in states]))
                      if torch.is_tensor(value) else value
                      for key, value in states[0][i].items()}
    return {"state": stacked, "param_groups": optimizers[0].state_dict()["param_groups"]}


def _seed_state(stacked: dict, k: int, own: torch.optim.Optimizer) -> dict:
    state = {i: {key: (value.clone() if value.dim() == 0 else value[k].clone()) if torch.is_tensor(value) else value
                 for key, value in entry.items()}
             for i, entry in stacked["state"].items()}
    return {"state": state, "param_groups": own.state_dict()["param_groups"]}


class MLPSeedBatch(MLPGAN):
    def __init__(self, systems: list[MLPGAN], rngs: list[dict], device: torch.device):
        recipe = systems[0].recipe
        self.systems, self.rngs = systems, rngs
        G = GroupedSequential([s.G for s in systems], 1, rngs, device)
        D = GroupedSequential([s.D.net for s in systems], recipe.pac, rngs, device)
        opt_g = _like(systems[0].opt_g, G)
        opt_d = _like(systems[0].opt_d, D)
        if systems[0].opt_g.state:  # resumed: carry on from the seeds' optimiser states
            opt_g.load_state_dict(_stacked_state([s.opt_g for s in systems]))
            opt_d.load_state_dict(_stacked_state([s.opt_d for s in systems]))
        super(MLPGAN, self).__init__(recipe, G, D, opt_g, opt_d)
        self.bce, self.logits = systems[0].bce, systems[0].logits

    def inputs(self, n: int, generator: list[torch.Generator]) -> torch.Tensor:
        """[K, n, z_dim]: each seed's noise from its own generator. train_step's scalars come out [6, K]."""
        return torch.stack([MLPGAN.inputs(self, n, g) for g in generator])

    # -- per-seed hooks -------------------------------------------------------------------
    def loss(self, out: torch.Tensor, target) -> torch.Tensor:
        return torch.stack([self.bce(o, target) for o in out.unbind()])

    def mean(self, x: torch.Tensor) -> torch.Tensor:
        return torch.stack([o.mean() for o in x.unbind()])

    def backward(self, loss: torch.Tensor) -> None:
        loss.sum().backward()  # d(sum)/d(loss_k) = 1: each seed gets exactly its own gradient

    def grad_norm(self, params) -> torch.Tensor:
        return torch.stack([torch.nn.utils.get_total_norm([p.grad[k] for p in params if p.grad is not None])
                            for k in range(len(self.systems))])

    # -- back to the seeds' own systems ---------------------------------------------------
    def write_back(self) -> None:
        self.G.write_back([s.G for s in self.systems])
        self.D.write_back([s.D.net for s in self.systems])
        for k, s in enumerate(self.systems):
            for own, stacked in ((s.opt_g, self.opt_g), (s.opt_d, self.opt_d)):
                if stacked.state:
                    own.load_state_dict(_seed_state(stacked.state_dict(), k, own))


def _like(optimizer: torch.optim.Optimizer, net: torch.nn.Module) -> torch.optim.Optimizer:
    """A new optimiser of the same class and settings over ``net``'s (stacked) parameters."""
    return type(optimizer)(net.parameters(), **optimizer.defaults)

