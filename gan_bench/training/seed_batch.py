"""Train several seeds of one recipe as one batched model; each seed keeps its own run directory.

Each seed gets its RunLoop as in a single-seed run (system built under its seed, its data order,
noise and history). One step draws every seed's batch, stacks them, and takes one batched step.
Before a step that writes sample grids or checkpoints, the batched weights and optimiser state
are written back into the seeds' systems and each seed's global RNG state is swapped in, so what
lands on disk is what the seed's single-seed run writes.
"""

from __future__ import annotations

import time

import torch

from gan_bench.data.catalogue import Loaded
from gan_bench.errors import InvalidOption
from gan_bench.rundir.layout import RunDir
from gan_bench.rundir.repro import set_rng_state
from gan_bench.training.cuda_graph import GraphedStep
from gan_bench.training.engine import Outcome, RunLoop
from gan_bench.training.progress import Reporter
from gan_bench.training.signals import stop_on_signals
from gan_bench.variants import seed_batch
from gan_bench.variants.recipe import Recipe, Schedule


def train_seeds(
    recipe: Recipe,
    schedule: Schedule,
    seeds: list[int],
    dataset: Loaded,
    runs: list[RunDir],
    spec_hashes: list[str],
    device: torch.device,
    reporter: Reporter,
    label: str,
    cuda_graph: bool = False,
) -> list[Outcome]:
    """Train ``recipe`` once per seed into ``runs``, all seeds in one batched model (replayed as a
    captured CUDA graph with ``cuda_graph``)."""
    if not seed_batch.supports(recipe):
        raise InvalidOption(
            f"--batch-seeds: recipe {recipe.name} cannot be batched; the MLP recipes, toy-gan and "
            "toy-gan-pacgan-code (packed or not) can"
        )
    loops: list[RunLoop] = []
    for seed, run, spec_hash in zip(seeds, runs, spec_hashes):
        loops.append(
            RunLoop(recipe, schedule, seed, dataset, run, spec_hash, device, data=loops[0].data if loops else None)
        )
    start = loops[0].start
    if any(loop.start != start for loop in loops):
        raise InvalidOption(
            f"--batch-seeds: the runs of {label} stopped at different steps "
            f"({', '.join(str(loop.start) for loop in loops)}); resume them without --batch-seeds"
        )
    rngs = [loop.rng for loop in loops]
    batch = seed_batch.batched([loop.system for loop in loops], rngs, device)
    generators = [loop.noise_gen for loop in loops]
    train_step = (
        GraphedStep(batch.train_step, generators, [batch.opt_g, batch.opt_d], device, batch.dropout_generators)
        if cuda_graph
        else batch.train_step
    )
    silent = Reporter()
    reporter.run_started(label, schedule.steps, start, runs=len(seeds))
    began = time.perf_counter()
    for loop in loops:
        loop.sample_at_start()

    def each_seed(action) -> None:
        for k, loop in enumerate(loops):
            set_rng_state(rngs[k], device)  # what a checkpoint records as the seed's RNG state
            action(k, loop)

    with stop_on_signals() as stop:
        for step in range(start, schedule.steps):
            s = step + 1
            parts = [loop.next_batch() for loop in loops]
            scalars = loops[0].history.row(train_step(tuple(torch.stack(t) for t in zip(*parts)), generators))
            if loops[0].saves_at(s):
                batch.write_back()
            each_seed(lambda k, loop: loop.after_step(s, scalars[:, k], reporter if k == 0 else silent))
            reporter.advance()
            if stop and s < schedule.steps:
                batch.write_back()
                interrupted = []
                each_seed(lambda k, loop: interrupted.append(loop.interrupted(s)))
                raise interrupted[0]
    return [loop.finish(reporter if k == 0 else silent, began, stopped=bool(stop)) for k, loop in enumerate(loops)]
