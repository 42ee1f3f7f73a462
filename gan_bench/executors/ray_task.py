"""What one Ray task does in its worker (``--executor ray``): check that ``--out`` is the driver's,
train (or resume) and score one run, and hand the driver its outcome with what the run said and
warned. ``ray.cancel`` stops it as a stop signal stops a ``--jobs`` worker: training at its next
step with a checkpoint, scoring at its next batch."""

from __future__ import annotations

import signal
import socket
import threading
import warnings
from contextlib import contextmanager
from pathlib import Path

from gan_bench.errors import InvalidOption, RunDirError, notes_to
from gan_bench.executors.failures import failure_summary
from gan_bench.rundir.layout import RunDir
from gan_bench.rundir.lock import LOCK_NAME
from gan_bench.suite.run_spec import RunSpec
from gan_bench.training import signals
from gan_bench.training.progress import Reporter
from gan_bench.training.signals import Interrupted


def check_visible(out: str) -> None:
    """In a task: the driver holds ``<out>/.ganbench.lock`` for the whole run; a node that cannot
    see it does not share the driver's filesystem."""
    if not (Path(out) / LOCK_NAME).is_file():
        raise RunDirError(
            f"--out {out}: not visible on Ray node {socket.gethostname()}; every node must reach --out at "
            "the same path (a shared filesystem such as NFS), so put --out there"
        )


def check_cuda_here(device: str) -> None:
    """In a task: a CUDA run needs CUDA where Ray placed it. Ray schedules by the GPUs a node was
    started with (``ray start --num-gpus``), which torch there may not find (no NVIDIA driver, a
    CPU-only torch); the run fails before its run directory is written, saying so."""
    import torch

    if device == "cuda" and not torch.cuda.is_available():
        build = "a CPU-only torch build" if torch.version.cuda is None else "no NVIDIA driver or GPU that it can use"
        raise InvalidOption(
            f"--device cuda: Ray node {socket.gethostname()} took this run as one with a GPU, but torch there "
            f"finds no CUDA ({build}); start that node's Ray with the GPUs torch can use (or --num-gpus 0)"
        )


def one_run(spec_json: dict, out: str, run_root: str, data_dir: str | None, score_args: dict) -> dict:
    """Inside a worker: train (or resume) and score one run; returns what the driver reports."""
    from gan_bench.data import datasets
    from gan_bench.executors.lifecycle import execute
    from gan_bench.scoring.score_run import score_run

    check_visible(out)
    spec = RunSpec.model_validate(spec_json)
    check_cuda_here(spec.device)
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
