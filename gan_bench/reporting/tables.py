"""The per-suite comparison table: rows are recipes, each metric is mean ± std over seeds (n),
the best value of each column is marked, and protocol columns say how the numbers were made."""

from __future__ import annotations

import math

import pandas as pd

from gan_bench.metrics import names
from gan_bench.reporting.published import published_rows
from gan_bench.reporting.repeats import table_columns
from gan_bench.reporting.versus_published import describe, standard_error

BEST = "★"
# metrics.json protocol fields shown as columns, and their headers
PROTOCOL_COLUMNS = {
    "protocol.samples": "samples",
    "protocol.reference_split": "reference",
    "protocol.evaluator_sha256": "evaluator sha256",
    "protocol.g_batch_norm": "G batch norm",
}


direction = names.direction  # which way is better: the metric name grammar decides (metrics/names.py)


def metric_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if "." not in c and direction(c) != 0]


def summarise(df: pd.DataFrame) -> pd.DataFrame:
    """Numbers: one row per (table, recipe) with <metric>_mean, <metric>_std, n and the protocol;
    a table is a GROUP, or a GROUP and source folder (repeats.table_columns)."""
    metrics = metric_columns(df)
    columns = table_columns(df)
    rows = []
    for keys, part in df.groupby(columns + ["recipe"], sort=True, dropna=False):
        row = dict(zip(columns + ["recipe"], keys))
        row["n"] = len(part)
        row["verdicts"] = ", ".join(f"{v} ×{c}" for v, c in part["verdict"].value_counts().sort_index().items())
        for m in metrics:
            values = part[m].dropna()
            row[f"{m}_mean"] = values.mean() if len(values) else math.nan
            row[f"{m}_std"] = values.std(ddof=1) if len(values) > 1 else math.nan  # one seed has no spread
            row[f"{m}_n"] = len(values)
        for col in PROTOCOL_COLUMNS:
            if col in part:
                row[col] = ", ".join(sorted({_plain(v) for v in part[col].dropna()}))
        rows.append(row)
    return pd.DataFrame(rows)


def _plain(value) -> str:
    """A protocol value as written: 2500, not the 2500.0 that a column with an unscored run holds."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _fmt(mean: float, std: float, n: int, runs: int, metric: str) -> str:
    """mean ± std; a single value has no std, so it stands alone rather than as "± 0"; (n=k) only when
    fewer runs than the row's n have the metric. Mode counts get one decimal at any size, as the
    published tables give them."""
    if n == 0 or math.isnan(mean):
        return "—"
    digits = 3 if abs(mean) < 10 and not metric.startswith("modes_") else 1
    spread = f" ± {std:.{digits}f}" if n > 1 else ""
    return f"{mean:.{digits}f}{spread}" + (f" (n={n})" if n != runs else "")


def _se(std: float, n: int, metric: str) -> str:
    """ganbench's standard error beside a cell that published rows (mean ± s.e.) stand next to."""
    se = standard_error(std, n)
    digits = 1 if metric.startswith("modes_") else 3
    return "" if se is None else f" (s.e. {se:.{digits}f})"


def _shown(metrics: list[str], part: pd.DataFrame) -> list[str]:
    """The metrics a group has values for (a report of MNIST and toy runs gives each table its own),
    less ``modes_covered`` where a protocol-named mode count (``modes_2d_2500``, ``modes_stacked_…``)
    says the same."""
    present = [m for m in metrics if part[f"{m}_n"].sum() > 0]
    if any(m.startswith("modes_") and m != "modes_covered" for m in present):
        present = [m for m in present if m != "modes_covered"]
    return present


def comparison(df: pd.DataFrame) -> dict[tuple, pd.DataFrame]:
    """Display tables of strings, one per (suite, dataset, profile, device) group, best marked;
    keyed by the values of ``table_columns(df)`` (the group, and the source folder where needed)."""
    summary = summarise(df)
    metrics = metric_columns(df)
    tables = {}
    for keys, part in summary.groupby(table_columns(df), sort=True, dropna=False):
        table = pd.DataFrame({"recipe": part["recipe"], "n": part["n"]})
        shown = _shown(metrics, part)
        dataset = keys[1]
        compared = {m for row in published_rows(shown, dataset) for m in row["values"]}
        for m in shown:
            means = part[f"{m}_mean"]
            # no mark where the column holds one value: a tie of every row singles out none
            best = (means.min() if direction(m) < 0 else means.max()) if means.nunique() > 1 else None
            table[m] = [
                _fmt(mean, std, n, runs, m)
                + (_se(std, n, m) if m in compared else "")
                + (f" {BEST}" if best is not None and mean == best else "")
                for mean, std, n, runs in zip(means, part[f"{m}_std"], part[f"{m}_n"], part["n"])
            ]
        table["verdicts"] = part["verdicts"]
        if compared:
            table["vs published"] = [describe(r["recipe"], r, shown, dataset) for _, r in part.iterrows()]
        for col, label in PROTOCOL_COLUMNS.items():
            if col in part:
                table[label] = part[col].map(lambda v: v[:12] if label == "evaluator sha256" else v)
        backbones = sorted({b for b in map(names.backbone_of, shown) if b})
        if backbones:  # only IS, FID, KID and precision/recall have one; the toy suite's tables have none
            table["backbone"] = ", ".join(backbones)
        tables[tuple(keys)] = table.reset_index(drop=True)
    return tables
