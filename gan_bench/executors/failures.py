"""How a suite's runs end when not all of them finish: runs that fail while the rest go on (one
line for each, naming the error and the line of the recipe's own code, or ganbench's, that
raised it, and one error once all have run), and a suite stopped by a signal."""

from __future__ import annotations

from pathlib import Path

from gan_bench import tracebacks
from gan_bench.errors import RunDirError, UserError
from gan_bench.training.signals import SuiteInterrupted

LOST_WORKER_RETRIES = 3  # how often a run is retried when the worker process or node running it is lost


def failure_summary(error: BaseException) -> str:
    """One line for a run that failed: a user error's message as it is; anything else as
    ``ValueError: shapes differ (at mygan/system.py:49, in train_step)`` (see tracebacks.one_line)."""
    if isinstance(error, UserError):
        return next(iter(str(error).strip().splitlines()), "")
    return tracebacks.one_line(error)


def settled(runs: list, scored: bool) -> list[bool]:
    """Which runs are complete, and scored where the suite scores: a unit skips them."""
    return [run.complete and (not scored or run.metrics.is_file()) for run in runs]


def unit_outcomes(runs: list, scored: bool, settled_before: list[bool], outcome: dict) -> list[dict]:
    """The outcome of each run of a unit (a run, or a seed group) that raised or whose worker was
    lost: ``outcome``, but for the runs settled (:func:`settled`) before the unit began and still,
    which a seed group's failure does not undo (they are skipped while another of the group, whose
    final checkpoint was damaged, is redone). A run that finished in the unit takes its outcome:
    what raised after it would go unsaid otherwise."""
    kept = {"status": "skipped (complete)", "summary": ""}
    return [kept if before and now else outcome for before, now in zip(settled_before, settled(runs, scored))]


def runs_failed(failed: list[tuple[str, str]], total: int, where: str = "") -> RunDirError:
    """The error a suite ends with when runs failed: each run's label and summary."""
    return RunDirError(
        f"{len(failed)} of {total} runs failed{where}: "
        + "; ".join(f"{label}: {summary}" for label, summary in failed)
        + ". Finished runs are kept; fix the cause and re-run with --resume"
    )


FINISHED = ("trained", "resumed", "skipped (complete)")
STOPPED = ("interrupted", "not started")  # a stop's outcomes: the suite's end says them, no line each


def outcome_line(label: str, outcome: dict) -> str | None:
    """The line that reports a run's outcome ({"status", "summary"}) as a worker or task tells it:
    none for a stopped run (the suite's end says them), nor for a run skipped with nothing to add
    (its own "complete in <run>, skipped" line said it). A skipped run with a summary was scored now."""
    if outcome["status"] in STOPPED or not outcome["summary"]:
        return None
    done = "scored" if outcome["status"] == "skipped (complete)" else outcome["status"]
    return f"{label}: {done}. {outcome['summary']}"


def suite_results(specs: list, roots: list[Path], outcomes: dict[int, dict], stopped: bool, where: str = "") -> list:
    """The suite's RunResults, from each run's outcome ({"status", "summary"}, by its place in
    ``specs``), or the error it ends with: SuiteInterrupted when it was ``stopped`` or a run was
    "interrupted", else runs_failed when a run "failed"."""
    from gan_bench.executors.lifecycle import RunResult  # imports torch

    if stopped or any(o["status"] == "interrupted" for o in outcomes.values()):
        raise SuiteInterrupted(sum(o["status"] in FINISHED for o in outcomes.values()), len(specs))
    failed = [(specs[i].label, o["summary"]) for i, o in outcomes.items() if o["status"] == "failed"]
    if failed:
        raise runs_failed(failed, len(specs), where)
    return [RunResult(specs[i], roots[i], outcomes[i]["status"], outcomes[i]["summary"]) for i in range(len(specs))]
