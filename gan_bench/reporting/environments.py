"""Which machines the runs (and a baseline) come from, and where they differ.

A run's bits depend on the CPU's kernel capability (AVX2 against AVX-512 picks other kernels),
its model, torch's thread count and torch's version. Runs of one spec from different machines
are therefore close, not equal; report and check say so when they compare across such a change.
"""

from __future__ import annotations

import json

import pandas as pd

from gan_bench.rundir.layout import BIT_KEYS


def of_runs(df: pd.DataFrame) -> dict[str, list]:
    """Per key, the distinct known values among the runs, those they were resumed in included
    (unknown ones, from old or damaged env.json, left out)."""
    resumed = [r for text in df.get("env.resumed", pd.Series(dtype=object)).dropna() for r in json.loads(text)]
    out = {}
    for key in BIT_KEYS:
        column = f"env.{key}"
        if column in df:
            later = {r[key] for r in resumed if isinstance(r.get(key), (str, int, float))}
            values = {_as_written(v) for v in df[column].dropna()} | later
            out[key] = [str(v) for v in sorted(values, key=_numbers_first)]
    return out


def _as_written(value):
    """A thread count as env.json wrote it: a run without one turns the column's integers into floats."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _numbers_first(value) -> tuple:
    return (0, value, "") if isinstance(value, (int, float)) else (1, 0, str(value))


def mixed(runs: dict[str, list]) -> list[str]:
    """Notes for keys on which the runs themselves differ."""
    return [f"runs differ in {BIT_KEYS[k]}: {', '.join(v)}" for k, v in runs.items() if len(v) > 1]


def against(runs: dict[str, list], baseline: dict[str, list]) -> list[str]:
    """Notes for keys on which the runs and a baseline's runs differ."""
    notes = []
    for key, label in BIT_KEYS.items():
        mine, theirs = runs.get(key), baseline.get(key)
        if mine and theirs and set(mine) != set(theirs):
            notes.append(f"runs and baseline differ in {label}: {', '.join(mine)} against {', '.join(theirs)}")
    return notes


CAVEAT = "bits differ across CPU kinds, thread counts and torch versions, so values of one spec differ slightly"
