"""The notes under a report: where the runs' machines differ, which folders a process is still
writing, and which runs are not finished, not scored or not begun (with the commands that finish
them). The terminal, Markdown and HTML reports all carry them."""

from __future__ import annotations

import pandas as pd

from gan_bench.reporting import collect, environments


def of_report(df: pd.DataFrame) -> list[str]:
    """The notes for the runs of ``df`` (a :func:`gan_bench.report` table), in the order shown."""
    notes = [f"{note}; {environments.CAVEAT}" for note in environments.mixed(environments.of_runs(df))]
    if not {"run", "verdict"} <= set(df.columns):  # a table cut down to other columns: no runs to name
        return notes
    busy = collect.writing_now(df)
    notes += [
        f"{folder}: {holder} is writing to it now; its incomplete and unscored runs may still be training"
        for folder, holder in busy.items()
    ]
    return notes + collect.to_finish(df, busy)
