"""The files ganbench ships beside its code, found the same way in a source checkout and in an
installed wheel: the suite files, the committed baselines, and how to restore a damaged install.

In a checkout they live at the repository's top level (``suites/``, ``results/baselines/``); the
wheel carries copies under ``gan_bench/_shipped/`` (see ``setup.py``).
"""

from __future__ import annotations

import shlex
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
CHECKOUT = PACKAGE.parent
_IN_WHEEL = {"suites": PACKAGE / "_shipped" / "suites", "baselines": PACKAGE / "_shipped" / "baselines"}
_IN_CHECKOUT = {"suites": CHECKOUT / "suites", "baselines": CHECKOUT / "results" / "baselines"}


def is_checkout() -> bool:
    """Whether ganbench runs from its source tree (an editable install), not from an installed wheel."""
    return (CHECKOUT / "pyproject.toml").is_file() and _IN_CHECKOUT["suites"].is_dir()


def folder(kind: str) -> Path:
    """ganbench's own folder of ``kind`` ("suites" or "baselines")."""
    wheel = _IN_WHEEL[kind]
    return wheel if wheel.is_dir() or not is_checkout() else _IN_CHECKOUT[kind]


def restore_advice(path: Path) -> str:
    """How to bring back a file ganbench ships, for the way it was installed."""
    if is_checkout():
        return f"restore it with `git checkout -- {shlex.quote(_relative(path))}` in {CHECKOUT}"
    return "restore it with `pip install --force-reinstall --no-deps ganbench`"


def _relative(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(CHECKOUT))
    except ValueError:
        return str(path)
