"""Where a run's output goes when the user names none, which folder a resume continues, and which
suite run `report`, `check` and `baseline` read when given none."""

from __future__ import annotations

import json
import os
import shlex
from datetime import datetime, timezone
from pathlib import Path

from gan_bench import defaults
from gan_bench.errors import RunDirError
from gan_bench.rundir.layout import (
    SUITE_FILE,
    RunDir,
    holds_scored_samples,
    read_suite_info,
    scored_samples_here,
    spec_problem,
)
from gan_bench.rundir.lock import has_content
from gan_bench.suite.run_spec import RunSpec


def new_output(prefix: str) -> Path:
    """results/runs/<prefix>-<UTC time>, with a counter if that second is taken."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    root = defaults.RUNS_ROOT
    path, n = root / f"{prefix}-{stamp}", 1
    while path.exists():
        n += 1
        path = root / f"{prefix}-{stamp}-{n}"
    return path


def latest_unfinished(spec: RunSpec) -> RunDir:
    """The newest unfinished run of exactly this spec under results/runs/."""
    root = defaults.RUNS_ROOT
    candidates = sorted(
        root.glob(f"*/{spec.recipe}/seed-{spec.seed}/spec.json"), key=lambda p: p.stat().st_mtime, reverse=True
    )
    for path in candidates:
        run = RunDir(path.parent)
        if not run.complete and run.read_spec().get("spec_hash") == spec.hash:
            return run
    raise RunDirError(
        f"--resume: no unfinished run of {spec.label} ({spec.profile}, {spec.dataset}) "
        f"under {root}; pass --out with the run directory to resume"
    )


def latest_suite_output() -> Path:
    """The suite output folder under results/runs/ whose suite.json was written last: the suite run
    started or resumed most recently."""
    root = defaults.RUNS_ROOT
    found = [p for p in root.glob(f"*/{SUITE_FILE}") if p.is_file()]
    if not found:
        raise RunDirError(
            f"no run directories given, and no suite run under {root} in {Path.cwd()}; name the run "
            f"directories (or the folder a suite wrote), or run `ganbench run --suite NAME` first"
        )
    return max(found, key=lambda p: (p.stat().st_mtime_ns, p.parent.name)).parent


def given_or_latest(runs) -> list[Path]:
    """The run folders given (an iterable of paths), or, given None, the newest suite run's folder."""
    return [latest_suite_output()] if runs is None else [Path(r) for r in runs]


def _json_or_none(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None


SUITE_FOLDER, RUN_DIRECTORY = "another suite's output folder", "a run directory"  # what _kind_of tells


def _kind_of(folder: Path) -> str | None:
    """What ganbench made ``folder`` into, by the record it left there (a file of the same name
    that ganbench did not write does not count)."""
    suite = _json_or_none(folder / SUITE_FILE)
    if isinstance(suite, dict) and "suite_hash" in suite:
        return SUITE_FOLDER
    if (folder / "spec.json").is_file() and spec_problem(_json_or_none(folder / "spec.json")) is None:
        return RUN_DIRECTORY
    return None


def _refuse_enclosing(root: Path, whose: str) -> None:
    """Refuse ``root`` when a folder above it is a suite's output folder or a run directory: a
    report of that folder would count ``whose`` runs as its own."""
    for outer in Path(os.path.abspath(root)).parents:
        kind = _kind_of(outer)
        if kind is not None:
            shown = os.path.relpath(outer) if not root.is_absolute() else outer
            raise RunDirError(
                f"--out: {root} lies inside {shown}, {kind}; a report of it would count {whose} "
                f"as its own. Choose a folder outside it"
            )


def check_suite_output(root: Path) -> Path:
    """A suite's output folder: a new or empty folder, or one a suite run made (its suite.json says
    so); never a folder of other files, which the runs would be written among. Then
    :func:`check_not_nested`."""
    root = Path(root)
    if _kind_of(root) != SUITE_FOLDER and has_content(root):
        raise RunDirError(
            f"--out: {root} is not empty and is no suite's output folder (it holds no {SUITE_FILE} that "
            f"ganbench wrote); choose an empty folder or a new one"
        )
    return check_not_nested(root)


def check_not_nested(root: Path) -> Path:
    """A suite's output folder may neither lie inside another suite's folder or a run directory,
    nor hold another suite's folder: a report of the outer folder would count those runs twice."""
    root = Path(root)
    _refuse_enclosing(root, "these runs")
    if root.is_dir():
        inner = next((p.parent for p in root.glob(f"*/**/{SUITE_FILE}") if _kind_of(p.parent)), None)
        if inner is not None:
            raise RunDirError(
                f"--out: {root} holds {inner}, another suite's output folder; a report of {root} "
                f"would count its runs too. Choose an empty folder or a new one"
            )
    return root


def check_run_not_nested(run: Path, whose: str = "this run") -> Path:
    """A new run directory (`train --out`, or scored samples' folder) may not lie inside a suite's
    output folder or another run directory; a run that is already there (resumed, or complete) is
    left as it is."""
    run = Path(run)
    if _kind_of(run) != RUN_DIRECTORY:
        _refuse_enclosing(run, whose)
    return run


def resume_folder(run_id: str | Path, out: Path | None) -> tuple[Path, dict]:
    """The output folder of suite run ``run_id`` (a name under results/runs/, or a path) and its
    suite.json, which records the suite and the runs it planned."""
    root = Path(run_id) if Path(run_id).is_dir() else defaults.RUNS_ROOT / str(run_id)
    if (root / "spec.json").is_file():  # a run directory: resume its suite's folder, never nest a run inside
        suite_root = next((p for p in root.resolve().parents if (p / SUITE_FILE).is_file()), None)
        if holds_scored_samples(_json_or_none(root / "spec.json") or {}):
            raise RunDirError(f"--resume {run_id}: {scored_samples_here(root)}; there is nothing to resume")
        if suite_root is None:
            raise RunDirError(
                f"--resume {run_id}: {root} is a single run directory, not a suite's output folder; "
                f"resume it with `ganbench train RECIPE --resume --out {shlex.quote(str(root))}`"
            )
        root = suite_root
    if out is not None and Path(out).resolve() != root.resolve():
        raise RunDirError(f"--resume {run_id}: resumes into {root}; leave out --out (or give that same folder)")
    info = read_suite_info(root) if root.is_dir() else None
    if info is None or info.get("name") is None:
        raise RunDirError(
            f"--resume {run_id}: {root} is not the output folder of a suite run (no suite.json); "
            f"pass a folder name under {defaults.RUNS_ROOT} or a path"
        )
    return root, info


def check_same_suite(root: Path, info: dict, suite: str, suite_hash: str, direction: str | None = None) -> None:
    """Refuse to resume ``root`` with a suite whose content differs from the one it ran.
    ``direction``: the --direction given now, which is part of the suite's content."""
    if info.get("suite_hash") not in (None, suite_hash):
        raise RunDirError(
            f"{root / SUITE_FILE}: the suite has changed since this run started (suite_hash "
            f"{info['suite_hash'][:12]}…, now {suite_hash[:12]}…{other_direction(info, suite, direction)}); "
            "run it into a new --out instead"
        )


def other_direction(info: dict, suite: str, direction: str | None) -> str:
    """Where the --direction given to ``suite`` differs from the one its suite run (its
    suite.json ``info``) began with, which changes the suite's hash: words saying so, else nothing."""
    began = info.get("training", {}).get("direction")
    if info.get("name") != suite or began == direction:
        return ""
    return (
        f"; it began with --direction {began}"
        if began
        else f"; it began without --direction, and this gives {direction}"
    )
