"""How many ops one training step of K batched seeds dispatches in the CUDA layout of
``--batch-seeds`` (stacked weights), against one seed's step. On a GPU the step of these small
models is bound by kernel launches, or inside a CUDA graph by the kernels one after another, so
the count is what batching has to keep down. Counted on CPU with the CUDA layout forced; view ops
(which launch no kernel) are left out.

Run: python benchmarks/stacked_ops.py [RECIPE ...] [--seeds K]
"""

from __future__ import annotations

import argparse
from collections import Counter

import torch
from torch.utils._python_dispatch import TorchDispatchMode

from gan_bench.nets import grouped
from gan_bench.rundir.repro import rng_state
from gan_bench.variants import build_system, get_recipe, seed_batch

VIEWS = set(
    "alias as_strided chunk detach expand flatten narrow permute reshape select slice split squeeze t "
    "transpose unbind unflatten unsqueeze view _reshape_alias _unsafe_view".split()
)
RECIPES = ["tf-mlp", "slides-mlp", "keras-mlp", "torch-mlp", "toy-gan", "toy-gan-pacgan-code"]


class CountOps(TorchDispatchMode):
    def __init__(self):
        super().__init__()
        self.ops: Counter[str] = Counter()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        name = func.overloadpacket.__name__
        if name not in VIEWS:
            self.ops[name] += 1
        return func(*args, **(kwargs or {}))


def step_ops(recipe_name: str, seeds: int) -> Counter[str]:
    """The ops of one training step (after two to warm the optimisers up) of ``seeds`` seeds."""
    recipe, device = get_recipe(recipe_name), torch.device("cpu")
    systems = []
    for k in range(seeds):
        torch.manual_seed(k)
        systems.append(build_system(recipe, device))
    generators = [torch.Generator().manual_seed(k) for k in range(seeds)]
    width = 2 if recipe_name.startswith("toy") else 784
    n = recipe.batch_size * recipe.pac
    if seeds == 1:
        system, noise, batch = systems[0], generators[0], (torch.rand(n, width),)
    else:
        grouped.stacks_weights = lambda device: True  # the CUDA layout, here on CPU
        system = seed_batch.batched(systems, [rng_state(device) for _ in range(seeds)], device)
        noise, batch = generators, (torch.rand(seeds, n, width),)
    for _ in range(2):
        system.train_step(batch, noise)
    with CountOps() as count:
        system.train_step(batch, noise)
    return count.ops


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("recipes", nargs="*", default=RECIPES)
    parser.add_argument("--seeds", type=int, default=3)
    a = parser.parse_args()
    print(f"| recipe | one seed | {a.seeds} seeds, CUDA layout | per seed |")
    print("|---|---|---|---|")
    for name in a.recipes:
        one, many = sum(step_ops(name, 1).values()), sum(step_ops(name, a.seeds).values())
        print(f"| {name} | {one} | {many} | {many / a.seeds:.0f} |")


if __name__ == "__main__":
    main()
