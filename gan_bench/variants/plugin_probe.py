"""Try a plug-in's system once before its run writes anything: its ``generate`` on two samples and
one ``train_step`` on the first batch, each held to the contract. A mistake there then leaves no
run directory behind (which the fixed plug-in, a changed source, could not resume anyway).

The system is a throwaway built under forked RNGs, seeded as the run, so the run's own bits are
untouched and a message repeats. Built-in recipes are not probed."""

from __future__ import annotations

import torch

from gan_bench.errors import PluginError
from gan_bench.variants import build_system
from gan_bench.variants.base import evaluating, to_device
from gan_bench.variants.registry import origin
from gan_bench.variants.system import generated_problem, step_problem

SAMPLES = 2


def probe(recipe, seed: int, dataset, device: torch.device) -> None:
    """Raise PluginError naming what a plug-in ``recipe``'s system returns against the contract;
    an exception its own code raises propagates as it is, with its traceback into that code."""
    if origin(recipe) is None:
        return
    with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
        torch.manual_seed(seed)  # the G the run begins with
        system = build_system(recipe, device, dataset)
        with evaluating(system.G), torch.no_grad():
            out = system.generate(to_device(system.inputs(SAMPLES, torch.Generator().manual_seed(0)), device))
        problem = generated_problem(out, SAMPLES, recipe.modality)
        if problem is None:
            first = recipe.batch_size * recipe.pac  # as the run's sampler draws a step's batch
            batch = tuple(t[:first].to(device) for t in system.prepare(dataset))
            outputs = system.train_step(batch, torch.Generator(device=device).manual_seed(0))
            problem = step_problem(outputs, system.scalars)
    if problem:
        raise PluginError(f"plug-in recipe {recipe.name!r}: {problem}")
