"""Run a suite's specs N at a time on this machine (``ganbench run --jobs N``): this process is
one lane and N - 1 worker processes are the others.

Each run keeps its own run directory, checkpoints and RNG, so a run's bits are those it has when
trained alone with the same torch thread count. Each lane gets cores // N threads (at least 1),
set before it trains and recorded in the run's env.json; on CUDA the N runs share the device, and
the threads are each run's host side (launches, batch draws). This process trains in a lane of
its own because it has its imports and data loaded already: it starts while the workers start
up, and the runs go to whichever lane is free, one at a time (with ``--batch-seeds K``, a seed
group of up to K runs at a time, trained as one batched model).

Workers start in their own process group, so a Ctrl-C in the terminal reaches only this process,
which stops its own lane's run and passes one SIGTERM to each worker (one still starting, when its
pid comes): every run in training writes a checkpoint between two steps and stops, a run being
scored stops at its scoring's next batch, finished runs stay, and runs not yet started are not
begun. ``--resume`` then completes the rest with the same bits and scores what was not scored.
A second Ctrl-C kills the workers (SIGKILL: a run whose step never returns stops too), and their
runs continue on ``--resume`` from their last checkpoint. A worker whose suite process
is gone without passing the stop on (killed, or its terminal hung up) stops the same way and exits
(see orphans.py). Progress reaches the suite bar through a queue, in batches of steps (see
lane_progress.py).
"""

from __future__ import annotations

import collections
import functools
import itertools
import os
import signal
import threading
import warnings
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from gan_bench import errors
from gan_bench.devices import threads_per_job
from gan_bench.executors import orphans, worker_server
from gan_bench.executors.failures import (
    LOST_WORKER_RETRIES,
    failure_summary,
    outcome_line,
    settled,
    suite_results,
    unit_outcomes,
)
from gan_bench.executors.lane_progress import ForwardingReporter, SuiteRelay
from gan_bench.executors.lifecycle import RunResult
from gan_bench.executors.local import check_run_dirs
from gan_bench.executors.worker_lanes import WorkerLanes
from gan_bench.rundir.layout import run_dir_for
from gan_bench.suite.run_spec import RunSpec
from gan_bench.suite.seed_groups import seed_groups_in
from gan_bench.training import signals
from gan_bench.training.progress import Reporter
from gan_bench.training.signals import Interrupted

ORPHAN_GRACE_S = 30.0  # how long a worker whose suite process is gone waits for its run to checkpoint


_EVENTS = None  # the worker's queue to the parent, set by _start_worker
_STOPPED = threading.Event()  # the worker was told to stop: it begins no further run
_UNIT = threading.Lock()  # held while the worker trains and scores a run or seed group


def _stop_worker(_signum=None, _frame=None) -> None:
    """The worker begins no further unit, and its run stops: at its next step with a checkpoint,
    whether training already (whose own handler took the SIGTERM first) or about to begin (loading
    its data), or at the next batch of its scoring (scored on --resume)."""
    _STOPPED.set()
    signals.STOP_REQUESTED.set()


def _start_worker(events, threads: int | None, suite_pid: int, lane: int) -> None:
    """Worker initializer: its own process group (the terminal's Ctrl-C goes to the parent only),
    its thread count, the queue to the parent, a SIGTERM that stops the worker (while a run trains,
    training's own handler takes it and checkpoints), and a watch on the suite process that stops
    the worker and exits it once that process is gone."""
    global _EVENTS
    os.setpgrp()
    signal.signal(signal.SIGTERM, _stop_worker)
    orphans.exit_when_gone(suite_pid, _stop_worker, _UNIT, ORPHAN_GRACE_S)
    if threads is not None:
        import torch

        torch.set_num_threads(threads)
    _EVENTS = events
    events.put(("pid", (lane, os.getpid()), None))
    # warned again in the parent, which shows it as the command's one note, not a raw stderr line
    warnings.showwarning = errors.notes_to(lambda text: events.put(("cache-warning", text, None)), warnings.showwarning)


def _train_and_score(
    spec_jsons: list[dict],
    run_roots: list[str],
    data_dir: str | None,
    score_args: dict | None,
    attempt: int,
    events,
    load,
) -> list[dict]:
    """Train (or resume) and score one run, or one seed group as one batched model, in a worker or
    in the parent's own lane (``attempt``: this try's number, on its progress); an outcome per run.
    The parent checked the directories, so a run is resumed when its directory holds one (a
    previous, interrupted try)."""
    from gan_bench.executors.lifecycle import execute, execute_seeds
    from gan_bench.rundir.layout import RunDir
    from gan_bench.scoring.score_run import score_run

    specs = [RunSpec.model_validate(spec_json) for spec_json in spec_jsons]
    runs = [RunDir(Path(root)) for root in run_roots]
    folder = Path(data_dir) if data_dir else None
    reporter, loader = ForwardingReporter(events, attempt), lambda n, w: load(n, folder, w)
    score = None
    if score_args is not None:
        import torch

        def score(run, load_dataset):
            return score_run(run, device=torch.device(specs[0].device), load=load_dataset, **score_args)

    settled_before = settled(runs, score is not None)
    try:
        if len(specs) == 1:
            results = [execute(specs[0], runs[0], True, reporter, loader, score)]
        else:
            results = execute_seeds(specs, runs, True, reporter, loader, score)
    except Interrupted as e:  # its custom arguments do not survive pickling: send what it says
        return [{"status": "interrupted", "summary": str(e)}] * len(specs)
    except Exception as e:  # noqa: BLE001 - summed up where its traceback is; the other runs go on
        return unit_outcomes(
            runs, score is not None, settled_before, {"status": "failed", "summary": failure_summary(e)}
        )
    finally:
        reporter.unit_ended()
    return [{"status": result.status, "summary": result.summary} for result in results]


def _one_unit(
    spec_jsons: list[dict], run_roots: list[str], data_dir: str | None, score_args: dict | None, attempt: int
) -> list:
    """In a worker: one run or seed group, unless the worker was told to stop before it began."""
    from gan_bench.data import datasets

    with _UNIT:
        if _STOPPED.is_set():
            return [{"status": "not started", "summary": "stopped before it began"}] * len(spec_jsons)
        outcomes = _train_and_score(spec_jsons, run_roots, data_dir, score_args, attempt, _EVENTS, datasets.load_once)
    if any(outcome["status"] == "interrupted" for outcome in outcomes):
        _STOPPED.set()
    return outcomes


class Lanes:
    """The runs (or seed groups) not yet begun, handed out in order to whichever lane is free: the
    parent's own (which starts at once, with its imports and data already loaded) and one per worker."""

    def __init__(self, count: int):
        self.pending, self.lock, self.closed = list(range(count)), threading.Lock(), False

    def claim(self) -> int | None:
        with self.lock:
            return None if self.closed or not self.pending else self.pending.pop(0)

    def close(self) -> None:
        with self.lock:
            self.closed = True


def run_all(
    specs: list[RunSpec],
    out: Path,
    resume: bool,
    reporter: Reporter,
    jobs: int,
    data_dir: Path | None = None,
    score_args: dict | None = None,
    batch_seeds: int = 1,
) -> list[RunResult]:
    """N lanes: this process and N - 1 workers. The workers are given one run at a time (with
    ``batch_seeds`` K > 1, one seed group: up to K runs as one batched model), so a worker still
    starting up never holds runs that a free lane could train."""
    from gan_bench.data import datasets
    from gan_bench.rundir.repro import torch_threads

    by_dataset = check_run_dirs(specs, out, resume)
    runs = [run_dir_for(out, spec, by_dataset) for spec in specs]
    ctx = worker_server.context()
    threads = threads_per_job(jobs)  # the plan's notes name it
    stopping: list[int] = []
    outcomes: dict[int, dict] = {}
    units, first = [], 0  # each unit's indices in specs: a seed group is consecutive runs
    for group in seed_groups_in(out, specs, batch_seeds):
        units.append(list(range(first, first + len(group))))
        first += len(group)
    lanes = Lanes(len(units))
    args = [
        (
            [specs[i].model_dump(mode="json") for i in unit],
            [str(runs[i].root) for i in unit],  # as given: a worker starts in this working directory
            str(data_dir) if data_dir else None,
            score_args,
        )
        for unit in units
    ]
    loaded = functools.lru_cache(maxsize=2)(datasets.load)  # the parent lane's loads, for this suite only

    def own_lane() -> None:
        with torch_threads(threads):  # the bits depend on it: this process's lane trains as a worker does
            while (u := lanes.claim()) is not None:
                attempt = next(attempts)
                told = _train_and_score(*args[u], attempt, relay.events, loaded)
                relay.outcome(
                    attempt, _settle(units[u], told, outcomes, specs), failed=_failed_steps(units[u], told, specs)
                )
                if _interrupted(told):
                    lanes.close()

    relay = SuiteRelay(reporter, on_pid=lambda lane, pid: workers.worker_started(lane, pid))
    workers = WorkerLanes(
        jobs - 1,
        lambda w: ProcessPoolExecutor(
            1,
            mp_context=ctx,
            initializer=_start_worker,
            initargs=(relay.queue_for_worker(ctx, w), threads, os.getpid(), w),
        ),
    )
    deaths: collections.Counter = collections.Counter()  # unit -> how many workers died under it
    attempts, attempt_in = itertools.count(), {}  # lane -> the attempt its worker was given last

    settled_in: dict[int, list[bool]] = {}  # lane -> which runs of its unit were settled as its attempt began
    scored = score_args is not None

    def unit_raised(w: int, u: int, outcome: dict) -> list[dict]:  # its complete runs stay so
        return unit_outcomes([runs[i] for i in units[u]], scored, settled_in[w], outcome)

    def hand_out(w: int, u: int | None) -> None:
        if u is not None and not stopping:
            attempt_in[w] = next(attempts)
            settled_in[w] = settled([runs[i] for i in units[u]], scored)
            workers.submit(w, u, _one_unit, *args[u], attempt_in[w])

    def stop(signum, _frame):
        signals.on_stop_signal(signum)
        stopping.append(signum)
        if len(stopping) == 1:
            lanes.close()  # runs not yet begun stay unbegun
            signals.STOP_REQUESTED.set()  # training or scoring in this process's own lane
            workers.stop()
        elif len(stopping) == 2:  # a second Ctrl-C: the workers end at once, as a lone run does
            workers.kill()  # (this process's lane stops at its next step or scoring batch)
            if not cleaning_up.is_set():
                raise KeyboardInterrupt

    cleaning_up = threading.Event()
    on_main = threading.current_thread() is threading.main_thread()
    previous = {s: signal.signal(s, stop) for s in signals.stop_signals()} if on_main else {}
    signals.STOP_REQUESTED.clear()
    lane = threading.Thread(target=own_lane, name="ganbench-own-lane")
    try:
        relay.start()
        # each worker starts with one unit; the next goes to the first free lane. This process's
        # lane starts before the workers: the first worker's start waits for the forkserver's imports
        firsts = [lanes.claim() for _ in range(jobs - 1)]
        lane.start()
        for w, u in enumerate(firsts):
            hand_out(w, u)
        while workers.in_flight or lane.is_alive():
            if not workers.in_flight:
                lane.join(0.2)
            for future, u, w in workers.finished(0.2) if workers.in_flight else []:
                if future.cancelled():
                    continue
                lane_lost = True  # its lane sent no end: the outcome is shown at once
                try:
                    told, lane_lost = future.result(), False
                except BrokenProcessPool:  # this lane's worker died: a fresh one takes the lane over
                    workers.replace(w)
                    deaths[u] += 1
                    if not stopping and deaths[u] <= LOST_WORKER_RETRIES:
                        relay.take_back(attempt_in[w])  # the fresh worker shows them again
                        relay.message(_retrying(specs, units[u], deaths[u]))
                        hand_out(w, u)
                        continue
                    told = unit_raised(w, u, _lost(deaths[u], stopping))
                except Exception as e:  # noqa: BLE001 - summed up as the run's failure: the others go on
                    told = unit_raised(w, u, {"status": "failed", "summary": failure_summary(e)})
                relay.outcome(
                    attempt_in[w],
                    _settle(units[u], told, outcomes, specs),
                    lane_lost,
                    _failed_steps(units[u], told, specs),
                )
                if _interrupted(told):
                    lanes.close()
                hand_out(w, lanes.claim())
    finally:
        cleaning_up.set()  # a second Ctrl-C from here on kills the workers and lets this end
        lanes.close()
        if lane.is_alive():  # left on an error here: the run in this process's lane checkpoints and stops
            signals.STOP_REQUESTED.set()
        if lane.ident is not None:
            lane.join()
        workers.shutdown()
        signals.STOP_REQUESTED.clear()
        for s, h in previous.items():
            signal.signal(s, h)
        relay.stop(workers_killed=len(stopping) > 1)
    return suite_results(specs, [run.root for run in runs], outcomes, bool(stopping))


def _retrying(specs, unit: list[int], deaths: int) -> str:
    labels = ", ".join(specs[i].label for i in unit)
    return (
        f"{labels}: its worker process died (killed, out of memory, or crashed); a fresh worker resumes it "
        f"from its last checkpoint (retry {deaths} of {LOST_WORKER_RETRIES})"
    )


def _lost(deaths: int, stopping: list[int]) -> dict:
    """The outcome of a unit whose worker died once it may be retried no more (or while stopping)."""
    if stopping:
        return {"status": "interrupted", "summary": "its worker process died while the suite was stopping"}
    return {
        "status": "failed",
        "summary": f"its worker process died {deaths} times (killed, out of memory, or crashed); "
        f"--resume continues it from its last checkpoint",
    }


def _settle(unit: list[int], told: list[dict], outcomes: dict[int, dict], specs) -> list[str]:
    """Record a unit's outcomes, one per run; the lines that report them (none for a stopped run)."""
    lines = []
    for i, outcome in zip(unit, told):
        outcomes[i] = outcome
        line = outcome_line(specs[i].label, outcome)
        if line:
            lines.append(line)
    return lines


def _failed_steps(unit: list[int], told: list[dict], specs) -> tuple[str, int] | None:
    """Where a run of the unit failed, the recipe of its runs and all their steps: those its lane did
    not show (a complete run's count as shown) the suite will not train."""
    if not any(outcome["status"] == "failed" for outcome in told):
        return None
    return specs[unit[0]].recipe, sum(specs[i].schedule.steps for i in unit)


def _interrupted(told: list[dict]) -> bool:
    return any(outcome["status"] == "interrupted" for outcome in told)
