"""The API's results: reports, checks against a suite's thresholds, baselines and exports."""

from __future__ import annotations

import itertools
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from gan_bench.api.arguments import PathLike, checked_arguments
from gan_bench.errors import GateError, InvalidOption, RunDirError, did_you_mean, unknown
from gan_bench.gates import baselines, verdict_formats
from gan_bench.gates import check as gate
from gan_bench.gates.check import Verdict
from gan_bench.reporting import environments
from gan_bench.rundir import atomic, lock, outputs, paths
from gan_bench.rundir.layout import (
    SUITE_FILE,
    find_runs,
    read_suite_info,
    run_suite_folder,
    suite_folder,
)
from gan_bench.suite.locate import recorded_suite
from gan_bench.suite.suite_file import Suite, load_suite


@dataclass
class CheckResult:
    """The verdict of :func:`check`: one :class:`Verdict` per (recipe, metric) threshold."""

    suite: str
    verdicts: list[Verdict]
    baseline: Path | None
    # where the runs' machines differ from each other or from the baseline's (bits differ across them)
    environment_notes: list[str] = field(default_factory=list)
    # the gated runs not finished or not scored, and the commands that finish and score them
    to_finish: list[str] = field(default_factory=list)
    # where some gated recipes ran and others were left out of the suite run: how to gate only those that ran
    hint: str | None = None

    @property
    def failures(self) -> list[Verdict]:
        return [v for v in self.verdicts if not v.passed]

    @property
    def passed(self) -> bool:
        return not self.failures

    def write_junit(self, path: PathLike) -> None:
        verdict_formats.junit(self.verdicts, paths.output_file(Path(path), "--junit"))

    def table(self) -> pd.DataFrame:
        """One row per threshold: recipe, metric, value, rule, result (as `ganbench check` prints)."""
        return verdict_formats.verdict_table(self.verdicts)

    def markdown(self) -> str:
        """The check as Markdown (a table, the baseline, notes, the count), for a CI job summary."""
        return verdict_formats.markdown(
            self.suite, self.verdicts, self.baseline, self.environment_notes, self.to_finish, self.hint
        )


def latest_suite_run() -> Path:
    """The suite output folder under results/runs/ started or resumed most recently: what
    :func:`report`, :func:`check` and :func:`write_baseline` read when given no runs."""
    return outputs.latest_suite_output()


@checked_arguments
def export_tensorboard(runs: Iterable[PathLike] | None, logdir: PathLike) -> dict[Path, dict]:
    """Write each run's history scalars, final metrics, quality over time and sample grids as
    TensorBoard events under ``logdir``/<dataset>/<recipe>/seed-<n> (needs ``ganbench[tensorboard]``;
    ``runs`` None: the newest suite run). Returns {event folder: {"scalars": n, "images": n}}."""
    from gan_bench.exporting.tensorboard import export_tensorboard as _export

    return _export(outputs.given_or_latest(runs), Path(logdir))


@checked_arguments
def report(runs: Iterable[PathLike] | None = None, *, recipes: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per run: its spec (flattened), protocol, metrics, coverage and verdict (``runs``:
    default, the newest suite run, :func:`latest_suite_run`); ``recipes``: only these recipes' runs
    (or scored samples')."""
    from gan_bench.reporting.collect import RECIPES_SHOWN, collect

    df = collect(outputs.given_or_latest(runs))
    if recipes is None:
        return df
    shown = df[df["recipe"].isin(_among_runs(list(recipes), df))].reset_index(drop=True)
    shown.attrs[RECIPES_SHOWN] = list(recipes)  # the notes on runs not begun keep to these
    return shown


def _among_runs(recipes: list[str], df: pd.DataFrame) -> list[str]:
    """``recipes``, each of which has runs in ``df``; refused otherwise, naming the recipes that do."""
    ran = sorted(set(df["recipe"]))
    if not recipes or len(set(recipes)) != len(recipes):
        raise InvalidOption(f"--recipes: expected distinct names, got {recipes}; these runs are of {', '.join(ran)}")
    for name in recipes:
        if name not in ran:
            raise InvalidOption(
                f"--recipes: no runs of {name!r} here; {did_you_mean(name, ran)}valid: {', '.join(ran)}"
            )
    return recipes


@checked_arguments
def render_report(runs: Iterable[PathLike] | pd.DataFrame, format: str = "md") -> str:
    """The comparison tables as text: ``md``, ``csv`` or self-contained ``html`` (with plots)."""
    from gan_bench.reporting import render

    renderers = {"md": render.markdown, "csv": render.csv, "html": render.html}
    if format not in renderers:
        raise InvalidOption(f"--format: {unknown('format', format, renderers)}")
    df = runs if isinstance(runs, pd.DataFrame) else report(runs)
    if format == "csv":  # one row per run, for analysis: the notes are for readers of the tables
        return render.csv(df)
    return renderers[format](df, report_notes(df))


@checked_arguments
def report_notes(runs: Iterable[PathLike] | pd.DataFrame) -> list[str]:
    """The notes under a report of these runs, as `ganbench report` prints them: where their
    machines differ, which folders a process is writing now, and which runs did not finish training,
    are not scored, or were planned by their suite run and never begun, with the commands that
    continue, score or begin them. Empty when there is nothing to note."""
    from gan_bench.reporting import notes

    return notes.of_report(runs if isinstance(runs, pd.DataFrame) else report(runs))


@checked_arguments
def suite_of_runs(runs: Iterable[PathLike]) -> Suite:
    """The suite recorded in the suite.json beside the runs, or beside the runs that links in
    them lead to, in the translation direction that suite run trained."""
    runs = [Path(path) for path in runs]
    folders = (suite_folder(path) for path in runs)
    linked = (run_suite_folder(run) for run in find_runs(runs))
    for folder in itertools.chain(folders, linked):  # lazily: runs are searched only if needed
        info = read_suite_info(folder) if folder is not None else None
        if info:
            s = load_suite(recorded_suite(info, folder / SUITE_FILE))
            began = info.get("training", {}).get("direction")  # as `run --direction` ran it
            return s.model_copy(update={"direction": began}) if began else s
    raise GateError("cannot tell which suite these runs belong to (no suite.json beside them); pass --suite")


@checked_arguments
def check(
    runs: Iterable[PathLike] | None = None,
    *,
    suite: PathLike | None = None,
    baseline: PathLike | None = None,
    recipes: Sequence[str] | None = None,
) -> CheckResult:
    """Gate the runs (default: the newest suite run) on their suite's thresholds (``suite``:
    default, the runs' suite.json); ``recipes``: only these recipes' thresholds (or scored samples').

    Relative thresholds read ``baseline``, by default results/baselines/<suite>-<profile>-<device>.json
    in the working directory, else the baseline ganbench ships with that suite."""
    from gan_bench.reporting import collect, repeats

    runs = outputs.given_or_latest(runs)
    df = report(runs)  # first: a path that holds no runs is named before the suite is looked for
    repeats.refuse(df, "check")
    lock.refuse_while_held(collect.writing_now(df), "the check")
    s = load_suite(suite) if suite is not None else suite_of_runs(runs)
    recipes = None if recipes is None else list(recipes)
    _, gated = gate.gated_of(df, s, recipes)  # before a baseline is looked for: a mistake here is named first
    path, base = None, None
    if baseline is not None or baselines.needs_baseline(s):
        path = (
            Path(baseline)
            if baseline is not None
            else baselines.find_baseline(s, df["profile"].iloc[0], df["device"].iloc[0])
        )
        base = baselines.read_baseline(path)
        baselines.check_baseline_fits(path, base, s.name, df)
    runs_env = environments.of_runs(df)
    notes = environments.mixed(runs_env) + environments.against(runs_env, (base or {}).get("environment", {}))
    to_finish = collect.to_finish(df, recipes=gated)
    verdicts = gate.check(df, s, base, recipes)
    not_begun = {r for _, missing, _ in collect.missing_runs(df, recipes=gated).values() for r, *_ in missing}
    return CheckResult(s.name, verdicts, path, notes, to_finish, gate.narrowing_hint(verdicts, not_begun))


@checked_arguments
def write_baseline(
    runs: Iterable[PathLike] | None = None, out: PathLike | None = None, command: str | None = None
) -> Path:
    """Write a baseline file (per-recipe metric means) from scored runs (default: the newest suite
    run); returns its path. An existing file is never overwritten."""
    runs = outputs.given_or_latest(runs)
    if out is not None:
        paths.output_file(Path(out), "--out")
    from gan_bench.reporting import collect, repeats

    df = report(runs)
    repeats.refuse(df, "a baseline")
    lock.refuse_while_held(collect.writing_now(df), "the baseline")
    unfinished = collect.unfinished(df)
    if unfinished:  # scoring refuses these: finishing them comes first
        raise RunDirError(f"{unfinished}; then score them")
    unscored = collect.unscored(df)
    if unscored:
        raise RunDirError(f"{unscored}; then make the baseline")
    not_begun = collect.not_begun(df)
    if not_begun:  # the means would be of fewer seeds or recipes than the suite run planned
        raise RunDirError(f"{'; '.join(not_begun)}; then make the baseline")
    command = command or shlex.join(["ganbench", "baseline", *map(str, runs)] + (["--out", str(out)] if out else []))
    data = baselines.baseline_from(df, command)
    path = (
        Path(out)
        if out is not None
        else baselines.baseline_path(data["suite"] or "runs", data["profile"], data["device"], data.get("direction"))
    )
    atomic.write_json(paths.output_file(path, "--out"), data)
    return path
