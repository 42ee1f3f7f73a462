"""The commands that finish interrupted runs: their suite run resumed, or, for a run outside a
suite, `ganbench train --resume --out RUN`."""

from __future__ import annotations

import shlex
from pathlib import Path

from gan_bench.rundir.layout import RunDir, read_suite_info, run_suite_folder


def _resumed_suite(run: RunDir) -> str | None:
    """`ganbench run --resume FOLDER` for the suite run holding ``run``, if one does: a resume finds
    the suite, and the runs, profile and device, in the folder's suite.json."""
    folder = run_suite_folder(run)
    if folder is None or not read_suite_info(folder):
        return None
    return suite_resumed(folder)


def suite_resumed(folder: Path) -> str:
    """`ganbench run --resume FOLDER`, which continues the suite run in ``folder`` as it began."""
    return f"ganbench run --resume {shlex.quote(str(folder))}"


def train_resumed(run: RunDir) -> str:
    """`ganbench train --resume --out RUN`: a resume finds the recipe, seed and the rest in spec.json."""
    return f"`ganbench train --resume --out {shlex.quote(str(run.root))}`"


def how_to_finish(run: RunDir, spec: dict) -> str:
    """The command that finishes one interrupted run: its suite run resumed for this recipe and
    seed, when it lies in one."""
    suite = _resumed_suite(run)
    if suite is None:
        return train_resumed(run)
    return f"`{suite} --recipes {shlex.quote(spec['recipe']['name'])} --seeds {spec['seed']}`"


def how_to_finish_all(runs: list[RunDir]) -> str:
    """The commands that finish every run of ``runs``: one per suite run, then one per run outside."""
    resumed = {run.root: _resumed_suite(run) for run in runs}  # each suite.json read once
    commands = list(dict.fromkeys(f"`{s}`" for s in resumed.values() if s is not None))
    alone = [run for run in runs if resumed[run.root] is None]
    if len(alone) == 1:
        commands.append(train_resumed(alone[0]))
    elif alone:
        commands.append("`ganbench train --resume --out RUN` for each run RUN outside a suite")
    return "; ".join(commands)
