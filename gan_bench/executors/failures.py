"""Runs that fail while the rest of a suite goes on: one line for each, naming the error and the
line of the recipe's own code (or ganbench's) that raised it, and one error once all have run."""

from __future__ import annotations

from gan_bench import tracebacks
from gan_bench.errors import RunDirError, UserError

LOST_WORKER_RETRIES = 3  # how often a run is retried when the worker process or node running it is lost


def failure_summary(error: BaseException) -> str:
    """One line for a run that failed: a user error's message as it is; anything else as
    ``ValueError: shapes differ (at mygan/system.py:49, in train_step)`` (see tracebacks.one_line)."""
    if isinstance(error, UserError):
        return next(iter(str(error).strip().splitlines()), "")
    return tracebacks.one_line(error)


def runs_failed(failed: list[tuple[str, str]], total: int, where: str = "") -> RunDirError:
    """The error a suite ends with when runs failed: each run's label and summary."""
    return RunDirError(
        f"{len(failed)} of {total} runs failed{where}: "
        + "; ".join(f"{label}: {summary}" for label, summary in failed)
        + ". Finished runs are kept; fix the cause and re-run with --resume"
    )
