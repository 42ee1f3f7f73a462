"""`ganbench report`, `check`, `baseline` and `export`: parse, call gan_bench.api, print, choose the exit code."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.text import Text

import gan_bench as gb
from gan_bench import defaults
from gan_bench.cli.app import (
    COMPARE_PANEL,
    RUNS_HELP,
    app,
    export_app,
    names,
    out_console,
    runs_or_latest,
    user_errors,
)
from gan_bench.cli.tables import terminal_table
from gan_bench.errors import InvalidOption, unknown
from gan_bench.rundir import atomic, paths

FORMAT_OF_SUFFIX = {".md": "md", ".markdown": "md", ".csv": "csv", ".html": "html", ".htm": "html"}


def report_format(format: Optional[str], out: Optional[Path]) -> str:
    """The report's format: as given, else the one the --out file's ending names, else rich; a
    file ending that names another format than the one given is refused (report.html holding csv)."""
    suffix = out.suffix.lower() if out is not None else ""
    implied = FORMAT_OF_SUFFIX.get(suffix)
    if format is None:
        if out is None:
            return "rich"
        if implied is None:
            raise InvalidOption(f"--out: {out} does not end in .md, .csv or .html; give --format md, csv or html")
        return implied
    if format not in defaults.REPORT_FORMATS:
        raise InvalidOption(f"--format: {unknown('format', format, defaults.REPORT_FORMATS)}")
    if out is not None and format == "rich":
        instead = f"leave --format out to write {implied}" if implied else "give --format md, csv or html"
        raise InvalidOption(f"--format rich prints to the terminal, and --out writes a file; {instead}")
    if implied is not None and implied != format:
        raise InvalidOption(
            f"--out: {out} ends in {suffix} but --format is {format}; name the file .{format}, or give --format {implied}"
        )
    return format


@app.command(rich_help_panel=COMPARE_PANEL)
@user_errors
def report(
    runs: Optional[list[Path]] = typer.Argument(None, help=RUNS_HELP, show_default=False),
    format: Optional[str] = typer.Option(
        None,
        "--format",
        "-f",
        help="rich (terminal), md, csv (one row per run, full spec as columns) or html (self-contained, with "
        "plots). Default: from the --out file's ending (.md, .csv, .html), else rich.",
        show_default=False,
    ),
    out: Optional[Path] = typer.Option(None, help="Write to this file instead of standard output."),
    recipes: Optional[str] = typer.Option(None, help="Only these recipes' runs, comma-separated."),
) -> None:
    """Comparison tables: recipes x metrics, mean ± std over seeds, best marked, with protocols."""
    from gan_bench.reporting import render

    format = report_format(format, out)
    if out is not None:
        paths.output_file(out, "--out")
    df = gb.report(runs_or_latest(runs), recipes=names(recipes))
    if format == "rich":
        for title, table in render.rich_tables(df):
            out_console.print(render.as_rich(title, table, out_console.width))
        for note in gb.report_notes(df):
            out_console.print(f"note: {note}", highlight=False, soft_wrap=True)
        return
    text = gb.render_report(df, format)
    if out:
        atomic.write_text(out, text)
        out_console.print(f"wrote {out}")
    else:
        print(text)


@app.command(rich_help_panel=COMPARE_PANEL)
@user_errors
def check(
    runs: Optional[list[Path]] = typer.Argument(None, help=RUNS_HELP, show_default=False),
    suite: Optional[str] = typer.Option(None, help="Suite whose thresholds apply (default: the runs' suite.json)."),
    baseline: Optional[Path] = typer.Option(
        None,
        help="Baseline file for relative thresholds (default: "
        "results/baselines/<suite>-<profile>-<device>.json, <suite>-BtoA-... for a suite run translating "
        "B to A; else the baseline ganbench ships with a shipped suite).",
    ),
    junit: Optional[Path] = typer.Option(None, help="Also write a JUnit XML report here."),
    format: str = typer.Option(
        "rich",
        "--format",
        "-f",
        help="rich (terminal) or md (Markdown: append it to $GITHUB_STEP_SUMMARY or a pull request comment).",
    ),
    recipes: Optional[str] = typer.Option(
        None, help="Only these recipes' thresholds, comma-separated (the recipes a --recipes suite run trained)."
    ),
) -> None:
    """Gate on the suite's thresholds: exit 1 on any regression or missing metric, 0 when all pass."""
    from gan_bench.reporting import environments

    if format not in defaults.CHECK_FORMATS:
        raise InvalidOption(f"--format: {unknown('format', format, defaults.CHECK_FORMATS)}")
    if junit is not None:
        paths.output_file(junit, "--junit")
    result = gb.check(runs_or_latest(runs), suite=suite, baseline=baseline, recipes=names(recipes))
    if junit:
        result.write_junit(junit)
    if format == "md":
        print(result.markdown(), end="")
        raise typer.Exit(0 if result.passed else 1)
    shown = result.table()
    table = terminal_table(
        f"ganbench check: suite {result.suite}", shown.columns, whole=("recipe", "dataset", "metric", "value")
    )
    for v, row in zip(result.verdicts, shown.itertuples(index=False)):
        table.add_row(*row[:-1], Text(row[-1], "green" if v.passed else "red"))
    out_console.print(table)
    if result.baseline is not None:
        out_console.print(f"baseline: {result.baseline}", highlight=False, soft_wrap=True)
    for note in result.environment_notes:
        out_console.print(f"note: {note}; {environments.CAVEAT}", highlight=False, soft_wrap=True)
    for note in filter(None, [result.hint, *result.to_finish]):
        out_console.print(f"note: {note}", highlight=False, soft_wrap=True)
    failed = len(result.failures)
    out_console.print(f"{len(result.verdicts) - failed} passed, {failed} failed", highlight=False)
    if failed:
        raise typer.Exit(1)


@app.command(rich_help_panel=COMPARE_PANEL)
@user_errors
def baseline(
    runs: Optional[list[Path]] = typer.Argument(
        None,
        help="Scored run directories of one suite, profile and device (default: the newest suite run).",
        show_default=False,
    ),
    out: Optional[Path] = typer.Option(
        None,
        help="Default: results/baselines/<suite>-<profile>-<device>.json (<suite>-BtoA-... for runs translating B to A).",
    ),
) -> None:
    """Write a baseline file (per-recipe metric means) from real runs, for relative thresholds."""
    out_console.print(f"wrote {gb.write_baseline(runs_or_latest(runs), out)}")


@export_app.command("tensorboard")
@user_errors
def export_tensorboard(
    runs: Optional[list[Path]] = typer.Argument(None, help=RUNS_HELP, show_default=False),
    logdir: Path = typer.Option(
        ...,
        "--logdir",
        "--out",  # the name every other command that writes gives its output
        help="Where the event files go: <logdir>/<dataset>/<recipe>/seed-<n>.",
    ),
) -> None:
    """Write runs' history, metrics, quality over time and sample grids as TensorBoard events."""
    written = gb.export_tensorboard(runs_or_latest(runs), logdir)
    for target, counts in written.items():
        out_console.print(f"{target}: {counts['scalars']} scalars, {counts['images']} images")
    out_console.print(f"open with: tensorboard --logdir {logdir}")
