"""The training loop shared by every image GAN recipe.

The dataset lives on the training device as one tensor; batches are index slices from a seeded
generator. ``RunLoop`` holds one run's state around its system (data, generators, history,
checkpoints, sample grids); ``train`` steps one run, ``training/seed_batch.py`` steps several seeds'
RunLoops as one batched model. Per-step scalars stay on the device until a history flush. Everything random (data
order, noise, dropout) is driven by generators whose state goes into each checkpoint, so a run
resumed from a checkpoint ends with the same bits as one that was never stopped.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch

from gan_bench.data.catalogue import Loaded
from gan_bench.errors import RunDirError
from gan_bench.rundir.layout import RunDir
from gan_bench.rundir.repro import derived_seeds, rng_state, seed_everything, set_rng_state
from gan_bench.training import checkpoint
from gan_bench.training.cuda_graph import GraphedStep
from gan_bench.training.grids import save_grid
from gan_bench.training.history import History
from gan_bench.training.progress import Reporter
from gan_bench.training.sampler import BatchSampler
from gan_bench.training.scatter import save_scatter
from gan_bench.training.signals import Interrupted, stop_on_signals
from gan_bench.variants import build_system
from gan_bench.variants.base import evaluating, to_device
from gan_bench.variants.recipe import Recipe, Schedule

CHECKPOINT_FORMAT = 1
FLUSH_SECONDS = 2.0  # how often pending history rows reach the disk (does not change any value)


@dataclass
class Outcome:
    steps: int
    last: dict  # the last history row
    resumed_from: int
    seconds: float
    stopped: bool = False  # a signal came during the last step: training is complete, the caller stops


def _wants_sample(s: int, sched: Schedule) -> bool:
    return s == sched.sample_first or (s > 0 and s % sched.sample_every == 0) or s == sched.steps


class RunLoop:
    """One run: its system built under the run's seed, the training tensors, the data sampler and
    noise generator, history, sample grids and checkpoints; resumed from the last checkpoint if any.
    ``data`` may be passed in to share one copy of identical training tensors between runs."""

    def __init__(
        self,
        recipe: Recipe,
        schedule: Schedule,
        seed: int,
        dataset: Loaded,
        run: RunDir,
        spec_hash: str,
        device: torch.device,
        data: tuple | None = None,
        compile: bool = False,
    ):
        self.recipe, self.schedule, self.dataset, self.run = recipe, schedule, dataset, run
        self.spec_hash, self.device = spec_hash, device
        seed_everything(seed)
        seeds = derived_seeds(seed)
        system = self.system = build_system(recipe, device, dataset)  # init draws from the freshly seeded global RNG
        system.set_steps(schedule.steps)
        if compile:  # in place: state_dict keys, checkpoints and scoring are unchanged
            system.G.compile()
            system.D.compile()
        self.data = data if data is not None else tuple(t.to(device) for t in system.prepare(dataset))
        data_gen = torch.Generator(device=device).manual_seed(seeds["data"])
        self.noise_gen = torch.Generator(device=device).manual_seed(seeds["noise"])
        self.grid_inputs = to_device(
            system.grid_inputs(recipe.sample_count, torch.Generator().manual_seed(seeds["grid"]), dataset=dataset),
            device,
        )
        # With packing m, D judges batch_size packs, so a step draws batch_size·m real samples.
        self.sampler = BatchSampler(recipe.sampling, len(self.data[0]), recipe.batch_size * recipe.pac, data_gen)
        self.history = History(run.history, run.timing, system.scalars, recipe.steps_per_epoch, device)
        self.start = self._restore()
        run.samples.mkdir(parents=True, exist_ok=True)
        self.rng = rng_state(device)  # where this run's global RNG stands (seed batches swap it in)
        self.last_flush = time.perf_counter()

    def _restore(self) -> int:
        run = self.run
        if not run.last_checkpoint.is_file():
            self.history.start()
            return 0
        state = checkpoint.load(run.last_checkpoint)
        if state.get("spec_hash") != self.spec_hash:
            raise RunDirError(
                f"{run.last_checkpoint}: belongs to another spec (spec_hash differs); delete the run directory or choose another --out"
            )
        self.system.load_state_dict(state["system"])
        self.sampler.load_state_dict(state["sampler"])
        self.noise_gen.set_state(state["noise_rng"])
        set_rng_state(state["rng"], self.device)
        self.history.resume(state["history"], state["step"])
        return state["step"]

    def next_batch(self) -> tuple[torch.Tensor, ...]:
        index = self.sampler.next()
        return tuple(t.index_select(0, index) for t in self.data)

    def saves_at(self, s: int) -> bool:
        """Whether step ``s`` writes a sample grid or a checkpoint (reads the system's weights)."""
        sched = self.schedule
        return _wants_sample(s, sched) or s % sched.checkpoint_every == 0 or s == sched.steps

    def save_checkpoint(self, step: int) -> None:
        self.history.flush()
        checkpoint.save(
            self.run.last_checkpoint,
            {
                "format": CHECKPOINT_FORMAT,
                "spec_hash": self.spec_hash,
                "step": step,
                "system": self.system.state_dict(),
                "sampler": self.sampler.state_dict(),
                "noise_rng": self.noise_gen.get_state(),
                "rng": rng_state(self.device),
                "history": self.history.state_dict(),
            },
        )

    def sample(self, step: int) -> None:
        # G in eval mode, as scoring draws: in training mode the grid's batch would update batch norm's
        # running statistics and draw dropout masks, so scores would depend on the sample schedule.
        # The RNG is forked too: pix2pix keeps dropout on as noise when drawing.
        with (
            evaluating(self.system.G),
            torch.random.fork_rng(devices=[self.device] if self.device.type == "cuda" else []),
        ):
            outputs = self.system.grid_images(self.grid_inputs)
        if self.dataset.modes is not None:
            save_scatter(self.run.sample_grid(step), outputs, self.dataset.modes, f"{self.recipe.name}, step {step:,}")
        else:
            save_grid(self.run.sample_grid(step), outputs, self.system.grid_nrow)

    def sample_at_start(self) -> None:
        if self.start == 0 and self.schedule.sample_first == 0:
            self.sample(0)

    def after_step(self, s: int, scalars: dict[str, torch.Tensor] | torch.Tensor, reporter: Reporter) -> None:
        """Record step ``s``'s scalars; log, sample and checkpoint as the schedule says."""
        sched = self.schedule
        self.history.add(scalars)
        if s % sched.log_every == 0 or s == sched.steps:
            self.history.log(s)
            if time.perf_counter() - self.last_flush > FLUSH_SECONDS:
                self.history.flush()
                reporter.losses(self.history.last)
                self.last_flush = time.perf_counter()
        if _wants_sample(s, sched):
            self.sample(s)
        if s % sched.checkpoint_every == 0 or s == sched.steps:
            # G's snapshot first: a failed write then leaves last.pt before step s, so resume redoes it
            snapshot = {"step": s, "spec_hash": self.spec_hash, "G": self.system.G.state_dict()}
            checkpoint.save(self.run.g_snapshot(s), snapshot)
            self.save_checkpoint(s)

    def interrupted(self, s: int) -> Interrupted:
        self.save_checkpoint(s)
        return Interrupted(s, str(self.run.last_checkpoint), str(self.run.root))

    def finish(self, reporter: Reporter, began: float, stopped: bool = False) -> Outcome:
        self.run.last_checkpoint.replace(self.run.final_checkpoint)
        reporter.losses(self.history.last)
        return Outcome(self.schedule.steps, self.history.last, self.start, time.perf_counter() - began, stopped)


def train(
    recipe: Recipe,
    schedule: Schedule,
    seed: int,
    dataset: Loaded,
    run: RunDir,
    spec_hash: str,
    device: torch.device,
    reporter: Reporter,
    label: str,
    compile: bool = False,
    cuda_graph: bool = False,
) -> Outcome:
    """Train ``recipe`` on ``dataset`` into ``run``; resume from ``run``'s last checkpoint if any.
    ``cuda_graph``: replay each step as a captured CUDA graph (train/cuda_graph.py)."""
    loop = RunLoop(recipe, schedule, seed, dataset, run, spec_hash, device, compile=compile)
    system = loop.system
    train_step = (
        GraphedStep(system.train_step, loop.noise_gen, [system.opt_g, system.opt_d], device)
        if cuda_graph
        else system.train_step
    )
    reporter.run_started(label, schedule.steps, loop.start)
    began = time.perf_counter()
    loop.sample_at_start()
    with stop_on_signals() as stop:
        for step in range(loop.start, schedule.steps):
            s = step + 1
            loop.after_step(s, train_step(loop.next_batch(), loop.noise_gen), reporter)
            reporter.advance()
            if stop and s < schedule.steps:
                raise loop.interrupted(s)
    return loop.finish(reporter, began, stopped=bool(stop))
