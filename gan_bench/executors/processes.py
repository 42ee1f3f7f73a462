"""Run a suite's specs N at a time on this machine (``ganbench run --jobs N``), each in its own
worker process.

Each run keeps its own run directory, checkpoints and RNG, so a run's bits are those it has when
trained alone with the same torch thread count. On CPU each worker gets cores // N threads (at
least 1), set before it trains and recorded in the run's env.json; on CUDA the N runs share the
device and keep torch's thread default.

Workers start in their own process group, so a Ctrl-C in the terminal reaches only this process,
which passes one SIGTERM to each worker: every run in training writes a checkpoint between two
steps and stops, finished runs stay, and runs not yet started are not begun. ``--resume`` then
completes the rest with the same bits. Progress reaches the suite bar from the workers through a
queue, in batches of steps.
"""

from __future__ import annotations

import multiprocessing
import os
import queue as queue_mod
import signal
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

from gan_bench.errors import RunDirError
from gan_bench.executors.lifecycle import RunResult
from gan_bench.executors.local import check_run_dirs, run_dir_for
from gan_bench.suite.spec import RunSpec
from gan_bench.training.progress import Reporter
from gan_bench.training.signals import Interrupted, SuiteInterrupted

FORWARD_SECONDS = 0.5  # how often a worker sends its step count to the suite bar


def threads_per_job(jobs: int, device_type: str, cores: int | None = None) -> int | None:
    """torch threads for each of ``jobs`` workers: cores // jobs on CPU (at least 1), None (torch's
    default) on CUDA, where the runs share the device rather than the cores."""
    if device_type != "cpu":
        return None
    return max(1, (cores or os.cpu_count() or 1) // jobs)


class ForwardingReporter(Reporter):
    """In a worker: sends what the suite display needs (run start and end, steps in batches) to the parent."""

    def __init__(self, events):
        self.events, self.pending, self.weight, self.sent = events, 0, 1, time.monotonic()

    def _flush(self) -> None:
        if self.pending:
            self.events.put(("steps", self.pending))
            self.pending = 0
        self.sent = time.monotonic()

    def run_started(self, label, total, done, runs=1):
        self.weight = runs
        self.events.put(("started", f"{label}: {total} steps" + (f" (resuming at step {done})" if done else "")))
        self.events.put(("steps", done * runs))

    def advance(self):
        self.pending += self.weight
        if time.monotonic() - self.sent > FORWARD_SECONDS:
            self._flush()

    def run_skipped(self, label, steps):
        self.events.put(("steps", steps))

    def run_finished(self, label, summary):
        self._flush()

    def message(self, text):
        self.events.put(("message", text))


_EVENTS = None  # the worker's queue to the parent, set by _start_worker
_STOPPED = threading.Event()  # the worker was told to stop: it begins no further run


def _start_worker(events, threads: int | None) -> None:
    """Worker initializer: its own process group (the terminal's Ctrl-C goes to the parent only),
    its thread count, the queue to the parent, and a SIGTERM that, between runs, only marks the
    worker stopped (training installs its own handler, which checkpoints first)."""
    global _EVENTS
    os.setpgrp()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: _STOPPED.set())
    if threads is not None:
        import torch

        torch.set_num_threads(threads)
    _EVENTS = events
    events.put(("pid", os.getpid()))


def _one_run(spec_json: dict, run_root: str, data_dir: str | None, score_args: dict | None) -> dict:
    """In a worker: train (or resume) and score one run. The driver checked the directory, so the
    run is resumed when it holds one (a previous, interrupted try)."""
    from gan_bench.data import datasets
    from gan_bench.executors.lifecycle import execute
    from gan_bench.rundir.layout import RunDir
    from gan_bench.scoring.score_run import score_run

    if _STOPPED.is_set():
        return {"status": "not started", "summary": "stopped before it began"}
    spec = RunSpec.model_validate(spec_json)
    folder = Path(data_dir) if data_dir else None
    score = None
    if score_args is not None:
        import torch

        def score(run):
            return score_run(run, device=torch.device(spec.device), data_dir=folder, **score_args)

    try:
        result = execute(
            spec,
            RunDir(Path(run_root)),
            True,
            ForwardingReporter(_EVENTS),
            lambda name, way: datasets.load_once(name, folder, way),
            score,
        )
    except Interrupted as e:  # its custom arguments do not survive pickling: send what it says
        _STOPPED.set()
        return {"status": "interrupted", "summary": str(e)}
    return {"status": result.status, "summary": result.summary}


def _relay(events, reporter: Reporter, done: threading.Event, pids: list[int]) -> None:
    """In the parent: worker events onto the suite display until ``done`` and the queue is empty."""
    while True:
        try:
            kind, value = events.get(timeout=0.1)
        except queue_mod.Empty:
            if done.is_set():
                return
            continue
        if kind == "pid":
            pids.append(value)
        elif kind == "steps":
            reporter.suite_advance(value)
        else:
            reporter.message(value)


def run_all(
    specs: list[RunSpec],
    out: Path,
    resume: bool,
    reporter: Reporter,
    jobs: int,
    data_dir: Path | None = None,
    score_args: dict | None = None,
) -> list[RunResult]:
    by_dataset = check_run_dirs(specs, out, resume)
    runs = [run_dir_for(out, spec, by_dataset) for spec in specs]
    # forkserver: a clean server process (no threads of this one) imports torch and ganbench once,
    # then each worker is a fork of it, so N workers do not each pay the imports
    ctx = multiprocessing.get_context(
        "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    )
    if ctx.get_start_method() == "forkserver":
        ctx.set_forkserver_preload(["torch", "gan_bench.executors.lifecycle", "gan_bench.scoring.score_run"])
    events = ctx.Queue()
    threads = threads_per_job(jobs, specs[0].device if specs else "cpu")
    reporter.message(
        f"--jobs {jobs}: {len(specs)} runs, {min(jobs, len(specs))} at a time"
        + (f", {threads} torch thread{'s' if threads != 1 else ''} each" if threads else "")
    )
    relayed, pids = threading.Event(), []
    stopping: list[int] = []
    outcomes: dict[int, dict] = {}
    with ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_start_worker, initargs=(events, threads)) as pool:
        relay = threading.Thread(target=_relay, args=(events, reporter, relayed, pids), daemon=True)
        relay.start()
        futures = {
            pool.submit(
                _one_run,
                spec.model_dump(mode="json"),
                str(Path(run.root).resolve()),
                str(data_dir) if data_dir else None,
                score_args,
            ): i
            for i, (spec, run) in enumerate(zip(specs, runs))
        }

        def stop(signum, _frame):
            if stopping:
                return  # already passing the stop on; the workers checkpoint and return
            stopping.append(signum)
            for future in futures:
                future.cancel()  # runs not yet begun stay unbegun
            for pid in list(pids):
                try:
                    os.kill(pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass

        on_main = threading.current_thread() is threading.main_thread()
        previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)} if on_main else {}
        try:
            pending = set(futures)
            while pending:
                finished, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                for future in finished:
                    i = futures[future]
                    if future.cancelled():
                        continue
                    try:
                        outcome = future.result()
                    except Exception as e:  # noqa: BLE001 - a failed run is reported; the others go on
                        outcome = {"status": "failed", "summary": f"{type(e).__name__}: {e}"}
                    outcomes[i] = outcome
                    if outcome["status"] not in ("interrupted", "not started"):
                        reporter.message(f"{specs[i].label}: {outcome['status']}. {outcome['summary']}")
        finally:
            for s, h in previous.items():
                signal.signal(s, h)
            relayed.set()
            relay.join()
    return _results(specs, runs, outcomes, stopping)


def _results(specs, runs, outcomes: dict[int, dict], stopping: list[int]) -> list[RunResult]:
    if stopping or any(o["status"] == "interrupted" for o in outcomes.values()):
        done = sum(o["status"] in ("trained", "resumed", "skipped (complete)") for o in outcomes.values())
        raise SuiteInterrupted(done, len(specs))
    failed = [(specs[i], o) for i, o in outcomes.items() if o["status"] == "failed"]
    if failed:
        raise RunDirError(
            f"{len(failed)} of {len(specs)} runs failed: "
            + "; ".join(f"{spec.label}: {o['summary']}" for spec, o in failed)
            + ". Finished runs are kept; fix the cause and re-run with --resume"
        )
    return [RunResult(specs[i], runs[i].root, outcomes[i]["status"], outcomes[i]["summary"]) for i in range(len(specs))]
