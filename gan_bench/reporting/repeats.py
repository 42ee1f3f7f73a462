"""What a table or a gate may not pool: the same seed more than once (two suite runs of one suite
given together, or a copied run directory), which would count one seed as two (a spread of 0 over
"seeds" that are one seed); and runs of one recipe made with different settings (another step
count, recipe facts or plug-in version), whose mean would describe neither. ``report`` puts each
suite run in its own table where that parts them, and ``check`` and ``baseline`` refuse."""

from __future__ import annotations

import pandas as pd

from gan_bench.errors import RunDirError
from gan_bench.rundir.identity import PROVENANCE, chosen_first

GROUP = ["suite", "dataset", "profile", "device"]  # the runs a check or baseline pools per recipe
# One comparison table each: a translation task's two directions are two tasks, never compared
TABLE = ["suite", "dataset", "direction", "profile", "device"]
# A translation folder's images (their sha256): one path may hold other images on another day, and
# runs or samples scored on other images are never compared in one table, nor pooled (a setting)
IMAGES = "spec.data.images_sha256"


def repeated(df: pd.DataFrame, table: list[str]) -> list[pd.DataFrame]:
    """The runs that share a table (``table``: its columns), a recipe and a seed, in groups of two
    or more (none in a frame without seeds, such as a hand-made table)."""
    seed = [*table, "recipe", "seed"]
    if df.empty or not set(seed) <= set(df.columns):
        return []
    return [part for _, part in df.groupby(seed, sort=True, dropna=False) if len(part) > 1]


def _setting_columns(df: pd.DataFrame) -> list[str]:
    """The spec columns that make a run's setting: all but its seed, its hash and the recipe's
    provenance text."""
    provenance = tuple(f"spec.recipe.{field}" for field in PROVENANCE)
    return [
        c
        for c in df.columns
        if c.startswith("spec.") and c not in ("spec.seed", "spec.spec_hash") and not c.startswith(provenance)
    ]


def mixed(df: pd.DataFrame, table: list[str]) -> list[pd.DataFrame]:
    """The runs of a recipe in one table (``table``: its columns) whose settings differ, a group each."""
    settings = _setting_columns(df)
    if df.empty or not settings or not set(table) <= set(df.columns):
        return []
    parts = df.groupby([*table, "recipe"], sort=True, dropna=False)
    return [part for _, part in parts if len(part[settings].astype(str).drop_duplicates()) > 1]


def _mixed_named(part: pd.DataFrame) -> str:
    differing = [c.removeprefix("spec.") for c in _setting_columns(part) if part[c].astype(str).nunique() > 1]
    settings = sorted(differing, key=chosen_first)
    shown = "; ".join(f"{c}: {', '.join(part[f'spec.{c}'].astype(str).unique())}" for c in settings[:3])
    more = f"; and {len(settings) - 3} more" if len(settings) > 3 else ""
    return f"{_table_of(part)} has runs made with different settings ({shown}{more}): {', '.join(part['run'])}"


def _table_of(part: pd.DataFrame) -> str:
    """The recipe and the table its runs share: "tf-mlp (smoke, profile smoke, cpu)"."""
    first = part.iloc[0]
    return f"{first['recipe']} ({first['suite'] or 'no suite'}, profile {first['profile']}, {first['device']})"


def _named(part: pd.DataFrame) -> str:
    first = part.iloc[0]
    recipe, where = _table_of(part).split(" ", 1)
    return f"{recipe} seed {first['seed']} {where} is in {len(part)} runs: {', '.join(part['run'])}"


def refuse(df: pd.DataFrame, command: str) -> None:
    """For ``check`` and ``baseline``, which pool every run of a recipe: each seed once."""
    found = repeated(df, GROUP)
    if found:
        raise RunDirError(
            f"{_named(found[0])}; {command} counts each seed once: give one suite run "
            "(`ganbench report` shows several side by side)"
        )
    different = mixed(df, GROUP)
    if different:
        raise RunDirError(
            f"{_mixed_named(different[0])}; {command} pools the runs of a recipe, so they must share one "
            "setting: give the runs of one"
        )


def table_columns(df: pd.DataFrame) -> list[str]:
    """The columns that make one table: TABLE (GROUP in a hand-made frame without directions), a
    translation folder's images (IMAGES, where rows have them), and the run's source folder when a
    seed would otherwise appear twice in a table, or a recipe's runs
    of different settings share one. Either within one source (a copied run directory, runs
    gathered into a folder) cannot be told apart, and is refused."""
    table = TABLE if "direction" in df.columns else GROUP
    table = [*table, IMAGES] if IMAGES in df.columns else table
    found = repeated(df, table)
    if not found and not mixed(df, table):
        return table
    for part in found:
        if part["source"].nunique() < len(part):
            raise RunDirError(f"{_named(part)}, in one folder; remove the copy, or report the runs apart")
    different = mixed(df, [*table, "source"])  # within one folder, a table per suite run cannot part them
    if different:
        raise RunDirError(f"{_mixed_named(different[0])}; report them apart")
    return [*table, "source"]
