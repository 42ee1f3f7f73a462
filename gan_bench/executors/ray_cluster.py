"""Run a suite's specs as Ray tasks, one per (recipe, seed), on a Ray cluster (``--executor ray``):
the driver's side. What a task does in its worker is in ray_task.py; which cluster the driver joins,
and the checks of it made before anything is written, in ray_address.py.

Each task trains and scores one run into ``<out>``, which every node must reach at the same path
(a shared filesystem); a task on a node that cannot see ``<out>`` fails with a message saying so
rather than write its run where the driver will never look. A task asks for 1/K of a GPU on CUDA
(``--runs-per-gpu K``: K runs share each GPU) and 1 CPU otherwise. Worker processes are kept for
later tasks (Ray starts a fresh process for every GPU task by default), so the imports, the CUDA
context and each dataset are paid once per worker. A task whose worker dies is retried by Ray; the
retry finds the run directory the lost worker left and resumes it from its last checkpoint, so
every run ends up present exactly once. The driver shows how many runs are done, the suite's
steps (read from the run directories: followed_steps.py) and time left, and each run's summary as
it finishes.

Ctrl-C, SIGTERM or a hangup cancels the tasks (``ray.cancel``, which interrupts a running task
as a SIGINT in its worker): a run in training writes a checkpoint at its next step, one being
scored stops at the next batch, and tasks not begun never start, as under ``--jobs``. A second
one ends them at once (``ray.shutdown``), each run keeping its last periodic checkpoint.
"""

from __future__ import annotations

import logging
import os
import signal
import tempfile
import threading
import time
import warnings
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gan_bench.errors import CacheWarning, InvalidOption
from gan_bench.executors import ray_task, sockets
from gan_bench.executors.failures import FINISHED, LOST_WORKER_RETRIES, STOPPED, outcome_line, suite_results
from gan_bench.executors.followed_steps import FollowedSteps
from gan_bench.executors.lifecycle import RunResult
from gan_bench.executors.local import check_run_dirs
from gan_bench.executors.ray_address import (
    as_given,
    cluster_address,
    import_ray,
    joined,
    starts_here,
)
from gan_bench.rundir.layout import run_dir_for
from gan_bench.suite.run_spec import RunSpec
from gan_bench.training import signals
from gan_bench.training.progress import Reporter

FOLLOW_SECONDS = 2.0  # how often the driver reads the runs' logged steps (a run writes them every 2 s)
# the longest path Ray puts under its temp dir: its per-start folder (a long one), then a socket
RAY_SOCKET_TAIL = len("/session_2026-12-31_23-59-59_999999_4194304/sockets/plasma_store.xxxxxxxx")


def task_resources(device_type: str, runs_per_gpu: int = 1) -> dict[str, float]:
    """What one run's task asks Ray for: 1/K of a GPU on CUDA (K runs share a GPU), else 1 CPU."""
    if device_type == "cuda":
        return {"num_gpus": 1 / runs_per_gpu}
    return {"num_cpus": 1}


def missing_resource(nodes: list[dict[str, float]], asked: dict[str, float]) -> str | None:
    """What a run's task asks for (``task_resources``) that no node has, in words, given each live
    node's resources (``ray.nodes()``); None when some node has it. Ray leaves such a task pending
    for ever without a word, even where the cluster's total would do (0.5 GPU on each of two nodes
    for a task of 1)."""
    name, amount = _resource(asked)
    most = max((node.get(name, 0) for node in nodes), default=0)
    if most >= amount:
        return None
    said = f"each run's task asks for {amount:g} {name}, and the cluster has {_totals(nodes)}"
    return said if sum(node.get(name, 0) for node in nodes) < amount else f"{said}, at most {most:g} {name} on one node"


def _resource(asked: dict[str, float]) -> tuple[str, float]:
    """A task's one request (``task_resources``) as Ray names the resource: ("GPU", 0.5)."""
    ((option, amount),) = asked.items()
    return {"num_gpus": "GPU", "num_cpus": "CPU"}[option], amount


def _totals(nodes: list[dict[str, float]]) -> str:
    """The live nodes' CPUs and GPUs in all, in words ("CPU 64, GPU 8")."""
    total = {key: sum(node.get(key, 0) for node in nodes) for key in ("CPU", "GPU")}
    return ", ".join(f"{key} {n:g}" for key, n in total.items() if any(key in node for node in nodes)) or (
        "neither CPU nor GPU"
    )


def described(connection: RayConnection) -> str:
    """The cluster and what each run's task asks of it, in words, for a dry run."""
    nodes = connection.nodes
    name, amount = _resource(connection.asked)
    count = f"{len(nodes)} node{'s' * (len(nodes) != 1)}"
    return f"{connection.cluster}: {count}, {_totals(nodes)}; each run's task asks for {amount:g} {name}"


def as_task(ray, fn):
    """``fn`` as a Ray task, retried when its worker or node is lost. max_calls=0 keeps each worker
    process for later tasks; Ray's default for a GPU task is a fresh process every time."""
    return ray.remote(max_retries=LOST_WORKER_RETRIES, max_calls=0)(fn)


def local_temp_dir(ray_default: str | None = None) -> str | None:
    """For a Ray instance started here: None when Ray's own temp dir leaves room for its socket
    paths, else a short folder under /tmp (a long $TMPDIR, as on many clusters, makes Ray fail
    to start with an opaque socket error)."""
    default = ray_default or os.path.join(os.environ.get("RAY_TMPDIR") or tempfile.gettempdir(), "ray")
    if sockets.fits(default, RAY_SOCKET_TAIL):
        return None
    return f"/tmp/ray-{os.getuid()}"


@dataclass(frozen=True)
class RayConnection:
    """The Ray a suite's tasks go to: ``ray`` the module, ``own`` whether ganbench started or
    joined it for this suite (else the caller's ray.init()), ``cluster`` which in words,
    ``nodes`` each live node's resources as it was joined, and ``asked`` what each run's task asks
    for (:func:`task_resources`)."""

    ray: Any
    own: bool
    cluster: str
    nodes: list[dict[str, float]]
    asked: dict[str, float]


@contextmanager
def connected(
    specs: list[RunSpec], address: str | None, reporter: Reporter, runs_per_gpu: int = 1, device_picked: bool = False
):
    """The :class:`RayConnection` for ``specs``: Ray joined or started, and refused (InvalidOption)
    where a Ray started here has no node for their tasks, before the suite's folder is written. A
    Ray of its own is shut down on leaving, which ends any task still running; the caller's stays.
    ``device_picked``: --device auto chose the specs' device, so a cluster's idle GPUs are pointed out."""
    ray = import_ray()
    own = not ray.is_initialized()  # else the caller's ray.init(): used as it is and left connected
    cluster = _connect(ray, address, reporter) if own else joined(ray)  # in words; None: started here
    try:
        live = [node["Resources"] for node in ray.nodes() if node["Alive"]]
        asked = task_resources(specs[0].device, runs_per_gpu)
        short = missing_resource(live, asked)
        if short and cluster is None:  # a Ray started here does not grow
            raise InvalidOption(
                f"--executor ray: {short}, so no run could start; train here with --jobs, or start Ray "
                "yourself with the resources (`ray start --head --num-gpus N`) and give --address auto"
            )
        if short:  # an autoscaler may add the node
            reporter.message(
                f"{cluster}: {short}; the runs will wait until a node that has it joins (Ctrl-C stops them)"
            )
        gpus = sum(node.get("GPU", 0) for node in live)
        if device_picked and cluster is not None and specs[0].device == "cpu" and gpus:  # a driver without CUDA
            reporter.message(
                f"{cluster}: has {gpus:g} GPU{'s' if gpus != 1 else ''}, and these runs train on CPUs; "
                "give --device cuda to train on the GPUs"
            )
        yield RayConnection(ray, own, cluster or "a Ray started here", live, asked)
    finally:
        if own:
            ray.shutdown()


def run_all(
    specs: list[RunSpec],
    out: Path,
    resume: bool,
    reporter: Reporter,
    connection: RayConnection,
    data_dir: Path | None = None,
    score_args: dict | None = None,
    runs_per_gpu: int = 1,
) -> list[RunResult]:
    """Train and score ``specs`` into ``out`` as tasks on ``connection``'s Ray (:func:`connected`)."""
    ray = connection.ray
    by_dataset = check_run_dirs(specs, out, resume)  # refuse a conflicting directory before any task starts
    runs = [run_dir_for(out, spec, by_dataset) for spec in specs]
    stopping: list[int] = []
    pending = {}

    def stop(signum, _frame):
        signals.on_stop_signal(signum)
        stopping.append(signum)
        if len(stopping) > 1:  # a second Ctrl-C: the finally below (or `connected`) ends the tasks at once
            raise KeyboardInterrupt

    on_main = threading.current_thread() is threading.main_thread()
    previous = {s: signal.signal(s, stop) for s in signals.stop_signals()} if on_main else {}
    try:
        steps = FollowedSteps([run.timing for run in runs], [spec.schedule.steps for spec in specs])
        task = as_task(ray, ray_task.one_run)
        for spec, run in zip(specs, runs):
            resources = task_resources(spec.device, runs_per_gpu)
            ref = task.options(**resources, name=f"ganbench {spec.label}").remote(
                spec.model_dump(mode="json"),
                str(Path(out).resolve()),
                str(Path(run.root).resolve()),
                str(Path(data_dir).resolve()) if data_dir else None,
                score_args,
            )
            pending[ref] = (spec, run)
        outcomes: dict[int, dict] = {}
        order = {id(spec): i for i, spec in enumerate(specs)}
        reporter.runs_dispatched(f"{len(specs)} run{'s' * (len(specs) != 1)} on Ray", len(specs))
        _found_done(reporter, specs, steps.found())
        cancelled, looked = False, time.monotonic()
        shown = _paths_as_given(out)
        while pending:
            if stopping and not cancelled:  # running tasks checkpoint and return; waiting ones never start
                for ref in pending:
                    ray.cancel(ref)
                cancelled = True
            done, _ = ray.wait(list(pending), num_returns=1, timeout=0.5)  # a signal is seen within 0.5 s
            if time.monotonic() - looked > FOLLOW_SECONDS:  # the steps the tasks logged meanwhile
                trained, taken_back = steps.look()
                reporter.runs_advanced([(specs[i].recipe, n) for i, n in trained.items()])
                _found_done(reporter, specs, taken_back)
                looked = time.monotonic()
            if not done:
                continue
            spec, run = pending.pop(done[0])
            outcome = _outcome(ray, done[0])
            for line in outcome.get("said", ()):
                reporter.message(shown(line))
            for note in outcome.get("notes", ()):  # the command shows each note once
                warnings.warn(note, CacheWarning, stacklevel=1)
            if outcome["status"] in FINISHED:
                reporter.runs_advanced([(spec.recipe, steps.finished(order[id(spec)]))])
            elif outcome["status"] == "failed":  # its steps not shown leave the suite's total
                reporter.runs_given_up([(spec.recipe, steps.not_shown(order[id(spec)]))])
            steps.stopped(order[id(spec)])
            if outcome["status"] not in STOPPED:
                reporter.advance()
                if line := outcome_line(spec.label, outcome):
                    reporter.message(line)
                reporter.suite_time_left()
            outcomes[order[id(spec)]] = outcome
        return suite_results(specs, [run.root for run in runs], outcomes, bool(stopping), " on Ray")
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
        if not connection.own:  # the caller's Ray goes on: a second Ctrl-C or an error ends the suite's tasks alone
            for ref in pending:  # (one of its own: leaving `connected` shuts it down, ending them)
                ray.cancel(ref, force=True)


def _connect(ray, address: str | None, reporter: Reporter) -> str | None:
    """Join the cluster that ``cluster_address`` names (returned in words), or start a Ray of its
    own (None), as for no address or Ray's ``local``."""
    here = starts_here(address)
    cluster = None if here else cluster_address(address)
    temp = local_temp_dir() if here else None
    if temp:
        reporter.message(f"Ray's temp dir: {temp} (the default path is too long for Ray's socket paths)")
    try:
        with _token_notice_muted() if here else nullcontext():  # a cluster joined keeps its notices
            ray.init(
                # without an address, a Ray of its own: ray.init() would join a cluster `ray start` runs here
                address=cluster or "local",
                include_dashboard=False,
                log_to_driver=False,
                configure_logging=False,
                **({"_temp_dir": temp} if temp else {}),
            )
    except ConnectionError as e:
        raise InvalidOption(f"{as_given(address, cluster)}: cannot reach a Ray cluster ({e})") from None
    return joined(ray, cluster) if cluster else None


@contextmanager
def _token_notice_muted():
    """Starting a local Ray, Ray (2.60 here) warns that it enabled token authentication and how to
    opt out: for the Ray a suite starts and stops itself, noise on every run."""
    notice = "Token authentication is enabled for this Ray cluster"
    logger = logging.getLogger("ray._private.authentication.authentication_token_setup")

    def muted(record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(notice)

    logger.addFilter(muted)
    try:
        yield
    finally:
        logger.removeFilter(muted)


def _found_done(reporter: Reporter, specs: list[RunSpec], steps: dict[int, int]) -> None:
    """Steps found done (or taken back from them), by run, to the suite display, each with its recipe."""
    for i, n in steps.items():
        if n:
            reporter.working_on(specs[i].recipe)
            reporter.suite_advance(n, trained=False)


def _paths_as_given(out: str | Path):
    """A task names a run's files below the resolved --out it was given (a worker has a working
    directory of its own); its lines show them below --out as the user gave it, as a run here does."""
    resolved = str(Path(out).resolve()) + os.sep
    given = "" if Path(out) == Path(".") else str(Path(out)) + os.sep
    return lambda line: line.replace(resolved, given)


def _outcome(ray, ref) -> dict:
    """A finished task's {"status", "summary"}: what it returned, or why it has none."""
    try:
        return ray.get(ref)
    except ray.exceptions.TaskCancelledError:  # cancelled before it began
        return {"status": "not started", "summary": "stopped before it began"}
    except ray.exceptions.RayError as e:  # the run failed for good; the others go on
        cause = getattr(e, "cause", None) or e
        return {"status": "failed", "summary": str(cause).strip().splitlines()[-1]}
