"""Runs that fail while the rest of a suite goes on: one line for each, naming the error and the
line of the recipe's own code (or ganbench's) that raised it, and one error once all have run."""

from __future__ import annotations

import os
import sysconfig
import traceback
from pathlib import Path

from gan_bench.errors import RunDirError, UserError


def _library_roots() -> tuple[Path, Path]:
    """Where torch and Python's standard library live: a recipe's error passes through their
    frames (a shape error is raised inside torch), but its cause is never there."""
    import torch

    return Path(torch.__file__).resolve().parent, Path(os.path.realpath(sysconfig.get_paths()["stdlib"]))


def _in_a_library(filename: str, roots: tuple[Path, Path]) -> bool:
    torch_root, stdlib = roots
    path = Path(os.path.realpath(filename))
    installed = {"site-packages", "dist-packages"} & set(path.parts)  # a plug-in, ganbench: under stdlib at times
    return path.is_relative_to(torch_root) or (path.is_relative_to(stdlib) and not installed)


def failure_summary(error: BaseException) -> str:
    """One line for a run that failed: a user error's message as it is; anything else as
    ``ValueError: shapes differ (at mygan/system.py:49, in train_step)``, its first line and the
    innermost frame outside torch and Python's library (none when every frame is inside)."""
    text = next(iter(str(error).strip().splitlines()), "")
    if isinstance(error, UserError):
        return text
    roots = _library_roots()
    frames = traceback.extract_tb(error.__traceback__)
    frame = next((f for f in reversed(frames) if not _in_a_library(f.filename, roots)), None)
    where = ""
    if frame is not None:
        shown = os.path.relpath(frame.filename)
        where = f" (at {frame.filename if shown.startswith('..') else shown}:{frame.lineno}, in {frame.name})"
    return f"{type(error).__name__}{': ' + text if text else ''}{where}"


def runs_failed(failed: list[tuple[str, str]], total: int, where: str = "") -> RunDirError:
    """The error a suite ends with when runs failed: each run's label and summary."""
    return RunDirError(
        f"{len(failed)} of {total} runs failed{where}: "
        + "; ".join(f"{label}: {summary}" for label, summary in failed)
        + ". Finished runs are kept; fix the cause and re-run with --resume"
    )
