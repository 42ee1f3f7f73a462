"""K seeds of one recipe trained as one batched system (``ganbench run --batch-seeds``): the MLP
recipes (MLPGAN) and PacGAN's 2D-mixture GAN (ToyGAN, its batch norm and maxout included, and
ToyGANCode, its per-member batch norm and simultaneous step).

The seeds' G and D become grouped networks (nets/grouped.py) with one optimiser each over every
seed's weights; Adam and RMSprop update elementwise, so each seed's weights move exactly as its
own optimiser would move them. The step itself is the system's own, through its hooks
(variants/base.py): here tensors carry a leading seed axis, every loss, mean and gradient norm
has one entry per seed, and noise comes from each seed's own generator, dropout masks from another
(at the seed's global RNG state, which ``write_back`` hands back). ``write_back`` copies
weights, running statistics and optimiser state into the seeds' own systems, which is what
sample grids, checkpoints and scoring read, so a seed's run directory is the one its
single-seed run writes.
"""

from __future__ import annotations

import inspect

import torch
from torch import nn

from gan_bench.nets.grouped import GroupedSequential
from gan_bench.rundir.repro import generator_at, rng_key
from gan_bench.training.losses import bce_logits, per_seed
from gan_bench.variants.base import GANSystem
from gan_bench.variants.mlp import MLPGAN
from gan_bench.variants.registry import system_class
from gan_bench.variants.toy import ToyGAN
from gan_bench.variants.toy_code import ToyGANCode


def supports(recipe) -> bool:
    """Whether ``recipe``'s system is one this module batches (BATCHED). Exactly those classes: a
    subclass (a plug-in's, say) may change the step, which the batched system would not run, so it
    trains one seed at a time."""
    return system_class(recipe) in BATCHED


def _batched_state(
    optimizers: list[torch.optim.Optimizer], net: GroupedSequential, batched: torch.optim.Optimizer
) -> dict:
    """The seeds' optimiser states laid out as ``net``'s parameters are: each seed's own entries
    (CPU), or stacked along a new first axis (CUDA; scalars such as Adam's step count are equal
    across seeds, which start at the same step)."""
    states = [opt.state_dict()["state"] for opt in optimizers]
    if net.per_seed:
        state = {net.state_index(k, i)[0]: _copy(entry) for k, own in enumerate(states) for i, entry in own.items()}
    else:
        state = {
            i: {
                key: (value.clone() if value.dim() == 0 else torch.stack([s[i][key] for s in states]))
                if torch.is_tensor(value)
                else value
                for key, value in entry.items()
            }
            for i, entry in states[0].items()
        }
    groups = [
        {**own, "params": mine["params"]}  # the seeds' settings over the batched optimiser's parameters
        for own, mine in zip(optimizers[0].state_dict()["param_groups"], batched.state_dict()["param_groups"])
    ]
    return {"state": state, "param_groups": groups}


def _seed_state(batched: dict, k: int, own: torch.optim.Optimizer, net: GroupedSequential) -> dict:
    """Seed k's optimiser state out of the batched one, as its own optimiser holds it."""
    state = {}
    for i in range(len(net.seed_params(k))):
        j, slot = net.state_index(k, i)
        if j in batched["state"]:
            state[i] = _copy(batched["state"][j], slot)
    return {"state": state, "param_groups": own.state_dict()["param_groups"]}


def _copy(entry: dict, slot: int | None = None) -> dict:
    """An optimiser state entry with its tensors copied (of stacked ones, slice ``slot``; scalars whole)."""
    return {
        key: (value.clone() if slot is None or value.dim() == 0 else value[slot].clone())
        if torch.is_tensor(value)
        else value
        for key, value in entry.items()
    }


def each_seed(fn, x: torch.Tensor, *args) -> torch.Tensor:
    """``fn`` of each seed's slice of ``x`` (one value per seed), stacked: [K, ...]."""
    return torch.stack([fn(part, *args) for part in x.unbind()])


class SeedBatch:
    """K seeds' systems as one: put before the system class (``class X(SeedBatch, System)``), whose
    step then runs on [K, N, ...] through the hooks overridden here."""

    samples_dim = 1

    def __init__(self, systems: list[GANSystem], rngs: list[dict], device: torch.device):
        recipe = systems[0].recipe
        self.systems, self.rngs, self.device = systems, rngs, device
        # each seed's dropout (in G or D) draws from one generator at the seed's global RNG state
        drops = any(isinstance(m, nn.Dropout) for net in (systems[0].G, systems[0].D) for m in net.modules())
        self.dropout_generators = [generator_at(r, device) for r in rngs] if drops else []
        G = GroupedSequential([s.G for s in systems], 1, self.dropout_generators, device)
        D = GroupedSequential([s.D.net for s in systems], recipe.pac, self.dropout_generators, device)
        opt_g = _like(systems[0].opt_g, G)
        opt_d = _like(systems[0].opt_d, D)
        if systems[0].opt_g.state:  # resumed: carry on from the seeds' optimiser states
            opt_g.load_state_dict(_batched_state([s.opt_g for s in systems], G, opt_g))
            opt_d.load_state_dict(_batched_state([s.opt_d for s in systems], D, opt_d))
        GANSystem.__init__(self, recipe, G, D, opt_g, opt_d)

    def inputs(self, n: int, generator: list[torch.Generator]) -> torch.Tensor:
        """[K, n, ...]: each seed's inputs from its own generator. train_step's scalars come out [6, K]."""
        own = super().inputs  # the system's own (bound outside the comprehension, which super() cannot see)
        return torch.stack([own(n, g) for g in generator])

    # -- per-seed hooks: on CPU each seed's own ops (its bits); stacked (CUDA), one set of kernels
    # for all seeds instead of K, each value its seed's up to the rounding of a mean -------------
    def logit_loss(self, out: torch.Tensor, target) -> torch.Tensor:
        if self.G.per_seed:
            return each_seed(super().logit_loss, out, target)
        return per_seed(bce_logits, out, target)  # GANSystem.logit_loss's loss

    def mean(self, x: torch.Tensor) -> torch.Tensor:
        return each_seed(torch.mean, x) if self.G.per_seed else x.flatten(1).mean(1)

    def backward(self, loss: torch.Tensor, **kwargs) -> None:
        loss.sum().backward(**kwargs)  # d(sum)/d(loss_k) = 1: each seed gets exactly its own gradient

    def grad_norm(self, params) -> torch.Tensor:
        net = self.G if params is self.g_params else self.D
        return torch.stack([torch.nn.utils.get_total_norm(net.seed_grads(k)) for k in range(len(self.systems))])

    # -- back to the seeds' own systems ---------------------------------------------------
    def write_back(self) -> None:
        """Weights, running statistics and optimiser state into the seeds' own systems, and each
        seed's global RNG state into ``rngs`` as its dropout has left it (what its checkpoint records)."""
        key = rng_key(self.device)
        for k, generator in enumerate(self.dropout_generators):
            self.rngs[k] = {**self.rngs[k], key: generator.get_state()}
        self.G.write_back([s.G for s in self.systems])
        self.D.write_back([s.D.net for s in self.systems])
        for k, s in enumerate(self.systems):
            for own, batched, net in ((s.opt_g, self.opt_g, self.G), (s.opt_d, self.opt_d, self.D)):
                if batched.state:
                    own.load_state_dict(_seed_state(batched.state_dict(), k, own, net))


class MLPSeedBatch(SeedBatch, MLPGAN):
    def __init__(self, systems: list[MLPGAN], rngs: list[dict], device: torch.device):
        super().__init__(systems, rngs, device)
        self.bce, self.logits = systems[0].bce, systems[0].logits

    def loss(self, out: torch.Tensor, target) -> torch.Tensor:
        return each_seed(self.bce, out, target) if self.G.per_seed else per_seed(self.bce, out, target)


class ToySeedBatch(SeedBatch, ToyGAN):
    pass


class ToyCodeSeedBatch(SeedBatch, ToyGANCode):
    pass


BATCHED = {MLPGAN: MLPSeedBatch, ToyGAN: ToySeedBatch, ToyGANCode: ToyCodeSeedBatch}


def batched(systems: list[GANSystem], rngs: list[dict], device: torch.device) -> SeedBatch:
    """The seeds' systems (of one class that supports seed batching) as one batched system."""
    return BATCHED[type(systems[0])](systems, rngs, device)


def _like(optimizer: torch.optim.Optimizer, net: torch.nn.Module) -> torch.optim.Optimizer:
    """A new optimiser of the same class and settings over ``net``'s parameters (every seed's).
    Only the settings its constructor takes are passed: torch adds keys of its own to ``defaults``
    (``differentiable``, ...) that an optimiser of another family does not accept."""
    accepted = inspect.signature(type(optimizer)).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in accepted.values())
    settings = {k: v for k, v in optimizer.defaults.items() if takes_any or k in accepted}
    return type(optimizer)(net.parameters(), **settings)
