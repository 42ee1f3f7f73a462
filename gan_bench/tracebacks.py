"""An exception from a user's own code (a plug-in, a recipe) on one line: its type, its message
(a pydantic ValidationError's field by field), and the innermost frame outside the libraries it
passed through: ``ValueError: shapes differ (at mygan/system.py:49, in train_step)``."""

from __future__ import annotations

import os
import sysconfig
import traceback
from pathlib import Path

from gan_bench.errors import field_problem


def _library_roots() -> tuple[Path, ...]:
    """Where torch, pydantic and Python's standard library live: a user's error passes through
    their frames (a shape error is raised inside torch), but its cause is never there."""
    import pydantic
    import torch

    libraries = (Path(torch.__file__).resolve().parent, Path(pydantic.__file__).resolve().parent)
    return (*libraries, Path(os.path.realpath(sysconfig.get_paths()["stdlib"])))


def _in_a_library(filename: str, roots: tuple[Path, ...]) -> bool:
    *libraries, stdlib = roots
    if filename.startswith("<frozen "):  # the import machinery: importlib's frozen modules
        return True
    path = Path(os.path.realpath(filename))
    installed = {"site-packages", "dist-packages"} & set(path.parts)  # a plug-in, ganbench: under stdlib at times
    return any(path.is_relative_to(root) for root in libraries) or (path.is_relative_to(stdlib) and not installed)


def _text(error: BaseException) -> str:
    """The message: a ValidationError's errors joined on one line, else the first line."""
    from pydantic import ValidationError

    if isinstance(error, ValidationError):
        return f"{error.title} " + "; ".join("field '{}': {}".format(*field_problem(e)) for e in error.errors())
    return next(iter(str(error).strip().splitlines()), "")


def one_line(error: BaseException) -> str:
    """``Type: message (at file:line, in function)``, the frame the innermost outside torch,
    pydantic and Python's library (left out when every frame is inside)."""
    roots = _library_roots()
    frames = traceback.extract_tb(error.__traceback__)
    frame = next((f for f in reversed(frames) if not _in_a_library(f.filename, roots)), None)
    where = ""
    if frame is not None and not isinstance(error, SyntaxError):  # a SyntaxError's message names its file and line
        shown = os.path.relpath(frame.filename)
        where = f" (at {frame.filename if shown.startswith('..') else shown}:{frame.lineno}, in {frame.name})"
    text = _text(error)
    return f"{type(error).__name__}{': ' + text if text else ''}{where}"
