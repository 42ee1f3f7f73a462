"""The training loop shared by every image GAN recipe.

The dataset lives on the training device as one tensor; batches are index slices from a seeded
generator. Per-step scalars stay on the device until a history flush. Everything random (data
order, noise, dropout) is driven by generators whose state goes into each checkpoint, so a run
resumed from a checkpoint ends with the same bits as one that was never stopped.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch

from gan_bench.errors import UserError
from gan_bench.repro import derived_seeds, seed_everything
from gan_bench.rundir import RunDir
from gan_bench.train import checkpoint
from gan_bench.train.grids import save_grid
from gan_bench.train.scatter import save_scatter
from gan_bench.train.history import History
from gan_bench.train.progress import Reporter
from gan_bench.train.sampler import BatchSampler
from gan_bench.train.signals import Interrupted, stop_on_signals
from gan_bench.data.catalogue import Loaded
from gan_bench.variants import build_system
from gan_bench.variants.base import to_device
from gan_bench.variants.recipe import Recipe, Schedule

CHECKPOINT_FORMAT = 1
FLUSH_SECONDS = 2.0  # how often pending history rows reach the disk (does not change any value)


@dataclass
class Outcome:
    steps: int
    last: dict  # the last history row
    resumed_from: int
    seconds: float


def _rng_state(device: torch.device) -> dict:
    state = {"cpu": torch.get_rng_state()}
    if device.type == "cuda":
        state["cuda"] = torch.cuda.get_rng_state(device)
    return state


def _set_rng_state(state: dict, device: torch.device) -> None:
    torch.set_rng_state(state["cpu"])
    if "cuda" in state:
        torch.cuda.set_rng_state(state["cuda"], device)


def _wants_sample(s: int, sched: Schedule) -> bool:
    return s == sched.sample_first or (s > 0 and s % sched.sample_every == 0) or s == sched.steps


def train(recipe: Recipe, schedule: Schedule, seed: int, dataset: Loaded, run: RunDir,
          spec_hash: str, device: torch.device, reporter: Reporter, label: str) -> Outcome:
    """Train ``recipe`` on ``dataset`` into ``run``; resume from ``run``'s last checkpoint if any."""
    seed_everything(seed)
    seeds = derived_seeds(seed)
    system = build_system(recipe, device, dataset)  # initialisation draws from the freshly seeded global RNG
    system.set_steps(schedule.steps)
    data = tuple(t.to(device) for t in system.prepare(dataset))
    data_gen = torch.Generator(device=device).manual_seed(seeds["data"])
    noise_gen = torch.Generator(device=device).manual_seed(seeds["noise"])
    grid_inputs = to_device(system.grid_inputs(recipe.sample_count, torch.Generator().manual_seed(seeds["grid"]),
                                                dataset=dataset),
                            device)
    # With packing m, D judges batch_size packs, so a step draws batch_size·m real samples.
    sampler = BatchSampler(recipe.sampling, len(data[0]), recipe.batch_size * recipe.pac, data_gen)
    history = History(run.history, run.timing, system.scalars, recipe.steps_per_epoch, device)

    start = 0
    if run.last_checkpoint.is_file():
        state = checkpoint.load(run.last_checkpoint)
        if state.get("spec_hash") != spec_hash:
            raise UserError(f"{run.last_checkpoint}: belongs to another spec (spec_hash differs); delete the run directory or choose another --out")
        system.load_state_dict(state["system"])
        sampler.load_state_dict(state["sampler"])
        noise_gen.set_state(state["noise_rng"])
        _set_rng_state(state["rng"], device)
        history.resume(state["history"], state["step"])
        start = state["step"]
    else:
        history.start()
    run.samples.mkdir(parents=True, exist_ok=True)

    def save_checkpoint(step: int) -> None:
        history.flush()
        checkpoint.save(run.last_checkpoint, {
            "format": CHECKPOINT_FORMAT, "spec_hash": spec_hash, "step": step,
            "system": system.state_dict(), "sampler": sampler.state_dict(),
            "noise_rng": noise_gen.get_state(), "rng": _rng_state(device), "history": history.state_dict(),
        })

    def sample(step: int) -> None:
        outputs = system.grid_images(grid_inputs)
        if dataset.modes is not None:
            save_scatter(run.sample_grid(step), outputs, dataset.modes, f"{recipe.name}, step {step:,}")
        else:
            save_grid(run.sample_grid(step), outputs, system.grid_nrow)

    reporter.run_started(label, schedule.steps, start)
    began, last_flush = time.perf_counter(), time.perf_counter()
    if start == 0 and schedule.sample_first == 0:
        sample(0)
    with stop_on_signals() as stop:
        for step in range(start, schedule.steps):
            index = sampler.next()
            history.add(system.train_step(tuple(t.index_select(0, index) for t in data), noise_gen))
            s = step + 1
            if s % schedule.log_every == 0 or s == schedule.steps:
                history.log(s)
                if time.perf_counter() - last_flush > FLUSH_SECONDS:
                    history.flush()
                    reporter.losses(history.last)
                    last_flush = time.perf_counter()
            if _wants_sample(s, schedule):
                sample(s)
            if s % schedule.checkpoint_every == 0 or s == schedule.steps:
                save_checkpoint(s)
                checkpoint.save(run.g_snapshot(s), {"step": s, "G": system.G.state_dict()})
            reporter.advance()
            if stop and s < schedule.steps:
                save_checkpoint(s)
                raise Interrupted(s, str(run.last_checkpoint))
    run.last_checkpoint.replace(run.final_checkpoint)
    reporter.losses(history.last)
    return Outcome(schedule.steps, history.last, start, time.perf_counter() - began)
