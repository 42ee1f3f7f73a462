"""The same seed more than once in what a table or a gate pools: two suite runs of one suite given
together, or a copied run directory. Pooling them would count one seed as two (a spread of 0 over
"seeds" that are one seed), so ``report`` puts each suite run in its own table and ``check`` and
``baseline`` refuse."""

from __future__ import annotations

import pandas as pd

from gan_bench.errors import RunDirError

GROUP = ["suite", "dataset", "profile", "device"]  # one comparison table each
SEED = [*GROUP, "recipe", "seed"]  # a seed of a recipe in one table


def repeated(df: pd.DataFrame) -> list[pd.DataFrame]:
    """The runs that share a table, a recipe and a seed, in groups of two or more (none in a frame
    without seeds, such as a hand-made table)."""
    if df.empty or not set(SEED) <= set(df.columns):
        return []
    return [part for _, part in df.groupby(SEED, sort=True, dropna=False) if len(part) > 1]


def _named(part: pd.DataFrame) -> str:
    first = part.iloc[0]
    where = f"{first['suite'] or 'no suite'}, profile {first['profile']}, {first['device']}"
    return f"{first['recipe']} seed {first['seed']} ({where}) is in {len(part)} runs: {', '.join(part['run'])}"


def refuse(df: pd.DataFrame, command: str) -> None:
    """For ``check`` and ``baseline``, which pool every run of a recipe: each seed once."""
    found = repeated(df)
    if found:
        raise RunDirError(
            f"{_named(found[0])}; {command} counts each seed once: give one suite run "
            "(`ganbench report` shows several side by side)"
        )


def table_columns(df: pd.DataFrame) -> list[str]:
    """The columns that make one table: GROUP, and the run's source folder when a seed would
    otherwise appear twice in a table. A seed twice within one source (a copied run directory)
    cannot be told apart, and is refused."""
    found = repeated(df)
    if not found:
        return GROUP
    for part in found:
        if part["source"].nunique() < len(part):
            raise RunDirError(f"{_named(part)}, in one folder; remove the copy, or report the runs apart")
    return [*GROUP, "source"]
