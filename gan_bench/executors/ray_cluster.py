"""Run a suite's specs as Ray tasks, one per (recipe, seed), on a Ray cluster (``--executor ray``).

Each task trains and scores one run into ``<out>``, which every node must reach at the same path
(a shared filesystem); a task on a node that cannot see ``<out>`` fails with a message saying so
rather than write its run where the driver will never look. A task asks for 1/K of a GPU on CUDA
(``--runs-per-gpu K``: K runs share each GPU) and 1 CPU otherwise. Worker processes are kept for
later tasks (Ray starts a fresh process for every GPU task by default), so the imports, the CUDA
context and each dataset are paid once per worker. A task whose worker dies is retried by Ray; the
retry finds the run directory the lost worker left and resumes it from its last checkpoint, so
every run ends up present exactly once. The driver shows how many runs are done in its rich
display and prints each run's summary as it finishes.

Ctrl-C, SIGTERM or a hangup cancels the tasks (``ray.cancel``, which interrupts a running task
as a SIGINT in its worker): a run in training writes a checkpoint at its next step, one being
scored stops at the next batch, and tasks not begun never start, as under ``--jobs``. A second
one ends them at once (``ray.shutdown``), each run keeping its last periodic checkpoint.
"""

from __future__ import annotations

import os
import signal
import socket
import tempfile
import threading
import warnings
from contextlib import contextmanager
from pathlib import Path

from gan_bench.errors import CacheWarning, InvalidOption, RunDirError, notes_to
from gan_bench.executors import sockets
from gan_bench.executors.failures import LOST_WORKER_RETRIES, failure_summary, suite_results
from gan_bench.executors.lifecycle import RunResult
from gan_bench.executors.local import check_run_dirs
from gan_bench.rundir.layout import RunDir, run_dir_for
from gan_bench.rundir.lock import LOCK_NAME
from gan_bench.suite.run_spec import RunSpec
from gan_bench.training import signals
from gan_bench.training.progress import Reporter
from gan_bench.training.signals import Interrupted

# the longest path Ray puts under its temp dir: its per-start folder (a long one), then a socket
RAY_SOCKET_TAIL = len("/session_2026-12-31_23-59-59_999999_4194304/sockets/plasma_store.xxxxxxxx")


def task_resources(device_type: str, runs_per_gpu: int = 1) -> dict[str, float]:
    """What one run's task asks Ray for: 1/K of a GPU on CUDA (K runs share a GPU), else 1 CPU."""
    if device_type == "cuda":
        return {"num_gpus": 1 / runs_per_gpu}
    return {"num_cpus": 1}


def missing_resource(cluster: dict[str, float], asked: dict[str, float]) -> str | None:
    """What a run's task asks for (``task_resources``) that no node of the cluster has
    (``ray.cluster_resources()``), in words; None when some node has it. Ray leaves such a task
    pending for ever without a word."""
    name, amount = {"num_gpus": "GPU", "num_cpus": "CPU"}[next(iter(asked))], next(iter(asked.values()))
    if cluster.get(name, 0) >= amount:
        return None
    has = ", ".join(f"{key} {cluster[key]:g}" for key in ("CPU", "GPU") if key in cluster) or "neither CPU nor GPU"
    return f"each run's task asks for {amount:g} {name}, and the cluster has {has}"


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


def check_address(address: str | None, timeout_s: float = 5.0) -> None:
    """Refuse an ``--address`` where nothing answers, before anything is written: Ray itself retries
    such an address for minutes before it gives up. ``auto`` and ``local`` are Ray's to resolve, as
    are addresses of other schemes than ``ray://``."""
    if address is None or address in ("auto", "local") or ("://" in address and not address.startswith("ray://")):
        return
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InvalidOption(
            f"--address {address}: expected auto or HOST:PORT, the head node's address (port 6379 unless "
            "`ray start --head --port` chose another)"
        )
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s).close()
    except OSError as e:
        reason = f"no answer in {timeout_s:g} s" if isinstance(e, TimeoutError) else (e.strerror or str(e))
        raise InvalidOption(
            f"--address {address}: no Ray cluster answers there ({reason}); give the head node's address as "
            "`ray status` on it shows it, or auto on a node of the cluster"
        ) from None


def check_visible(out: str) -> None:
    """In a task: the driver holds ``<out>/.ganbench.lock`` for the whole run; a node that cannot
    see it does not share the driver's filesystem."""
    if not (Path(out) / LOCK_NAME).is_file():
        raise RunDirError(
            f"--out {out}: not visible on Ray node {socket.gethostname()}; every node must reach --out at "
            "the same path (a shared filesystem such as NFS), so put --out there"
        )


def _ray():
    try:
        import ray
    except ImportError:
        raise InvalidOption("--executor ray needs Ray: pip install 'ganbench[ray]'") from None
    return ray


def _one_run(spec_json: dict, out: str, run_root: str, data_dir: str | None, score_args: dict) -> dict:
    """Inside a worker: train (or resume) and score one run; returns what the driver reports."""
    from gan_bench.data import datasets
    from gan_bench.executors.lifecycle import execute
    from gan_bench.scoring.score_run import score_run

    check_visible(out)
    spec = RunSpec.model_validate(spec_json)
    folder = Path(data_dir) if data_dir else None

    def load(name: str, direction: str):  # the worker's one verified load per dataset, for training and scoring
        return datasets.load_once(name, folder, direction)

    score = None
    if score_args is not None:

        def score(run, load_dataset):
            return score_run(run, device=_device(spec), load=load_dataset, **score_args)

    told = _Told()
    try:
        with _stopped_by_cancel(), told.keeping_notes():
            # resume=True: the driver already checked the directory; a retried task continues what a lost worker left
            result = execute(spec, RunDir(Path(run_root)), True, told, load, score)
        outcome = {"status": result.status, "summary": result.summary}
    except Interrupted as e:  # cancelled: checkpointed, or stopped while being scored
        outcome = {"status": "interrupted", "summary": str(e)}
    except Exception as e:  # noqa: BLE001 - summed up where its traceback is, as under --jobs; not retried
        outcome = {"status": "failed", "summary": failure_summary(e)}
    finally:
        _release_gpu_memory(spec)
    return {**outcome, "said": told.lines, "notes": told.notes}


class _Told(Reporter):
    """A task's reporter: keeps what its run says (a checkpoint set aside, a resume with another
    thread count or torch) and the notes it warns (a cache it cannot use) for the driver, which
    shows them with the run's outcome, as ``--jobs`` lanes forward theirs. Ray's own log
    forwarding is off: the driver shows its display, not the workers' raw output."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.notes: list[str] = []

    def message(self, text: str) -> None:
        self.lines.append(text)

    @contextmanager
    def keeping_notes(self):
        with warnings.catch_warnings():
            warnings.showwarning = notes_to(self.notes.append, warnings.showwarning)
            yield


@contextmanager
def _stopped_by_cancel():
    """In a task: ``ray.cancel`` interrupts a running task as a SIGINT in its worker's main thread,
    which here asks training to stop at its next step (writing a checkpoint) and scoring at its
    next batch, as a stop does under --jobs. A kept worker starts each task with no stop asked."""
    signals.STOP_REQUESTED.clear()
    on_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, lambda _signum, _frame: signals.STOP_REQUESTED.set()) if on_main else None
    try:
        yield
    finally:
        if on_main:
            signal.signal(signal.SIGINT, previous)
        signals.STOP_REQUESTED.clear()


def _release_gpu_memory(spec: RunSpec) -> None:
    """A kept worker returns the memory its finished run cached, for the runs sharing its GPU."""
    if spec.device == "cuda":
        import torch

        torch.cuda.empty_cache()


def _device(spec: RunSpec):
    import torch

    return torch.device(spec.device)


def run_all(
    specs: list[RunSpec],
    out: Path,
    resume: bool,
    reporter: Reporter,
    address: str | None,
    data_dir: Path | None = None,
    score_args: dict | None = None,
    runs_per_gpu: int = 1,
) -> list[RunResult]:
    ray = _ray()
    by_dataset = check_run_dirs(specs, out, resume)  # refuse a conflicting directory before any task starts
    runs = [run_dir_for(out, spec, by_dataset) for spec in specs]
    temp = None if address else local_temp_dir()
    if temp:
        reporter.message(f"Ray's temp dir: {temp} (the default path is too long for Ray's socket paths)")
    try:
        ray.init(
            address=address,
            include_dashboard=False,
            log_to_driver=False,
            configure_logging=False,
            **({"_temp_dir": temp} if temp else {}),
        )
    except ConnectionError as e:
        raise InvalidOption(f"--address {address}: cannot reach a Ray cluster ({e})") from None
    stopping: list[int] = []

    def stop(signum, _frame):
        signals.on_stop_signal(signum)
        stopping.append(signum)
        if len(stopping) > 1:  # a second Ctrl-C: ray.shutdown below ends the tasks at once
            raise KeyboardInterrupt

    on_main = threading.current_thread() is threading.main_thread()
    previous = {s: signal.signal(s, stop) for s in signals.stop_signals()} if on_main else {}
    try:
        short = missing_resource(ray.cluster_resources(), task_resources(specs[0].device, runs_per_gpu))
        if short and address is None:
            raise InvalidOption(
                f"--executor ray: {short}, so no run could start; train here with --jobs, or start Ray "
                "yourself with the resources (`ray start --head --num-gpus N`) and give --address auto"
            )
        if short:  # an autoscaler may add the node
            reporter.message(
                f"--address {address}: {short}; the runs wait until a node that has it joins (Ctrl-C stops)"
            )
        task = as_task(ray, _one_run)
        pending = {}
        for spec, run in zip(specs, runs):
            resources = task_resources(spec.device, runs_per_gpu)
            ref = task.options(**resources, name=f"ganbench {spec.label}").remote(
                spec.model_dump(mode="json"),
                str(Path(out).resolve()),
                str(Path(run.root).resolve()),
                str(data_dir) if data_dir else None,
                score_args,
            )
            pending[ref] = (spec, run)
        outcomes: dict[int, dict] = {}
        order = {id(spec): i for i, spec in enumerate(specs)}
        reporter.run_started(f"{len(specs)} runs on Ray", len(specs), 0)
        cancelled = False
        while pending:
            if stopping and not cancelled:  # running tasks checkpoint and return; waiting ones never start
                for ref in pending:
                    ray.cancel(ref)
                cancelled = True
            done, _ = ray.wait(list(pending), num_returns=1, timeout=0.5)  # a signal is seen within 0.5 s
            if not done:
                continue
            spec, run = pending.pop(done[0])
            outcome = _outcome(ray, done[0])
            for line in outcome.get("said", ()):
                reporter.message(line)
            for note in outcome.get("notes", ()):  # the command shows each note once
                warnings.warn(note, CacheWarning, stacklevel=1)
            if outcome["status"] not in ("interrupted", "not started"):
                reporter.advance()
                reporter.message(f"{spec.label}: {outcome['status']}. {outcome['summary']}")
            outcomes[order[id(spec)]] = outcome
        return suite_results(specs, [run.root for run in runs], outcomes, bool(stopping), " on Ray")
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
        ray.shutdown()


def _outcome(ray, ref) -> dict:
    """A finished task's {"status", "summary"}: what it returned, or why it has none."""
    try:
        return ray.get(ref)
    except ray.exceptions.TaskCancelledError:  # cancelled before it began
        return {"status": "not started", "summary": "stopped before it began"}
    except ray.exceptions.RayError as e:  # the run failed for good; the others go on
        cause = getattr(e, "cause", None) or e
        return {"status": "failed", "summary": str(cause).strip().splitlines()[-1]}
