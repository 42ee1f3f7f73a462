"""ganbench's mean against a published one, in standard errors.

ganbench's cells are mean ± sample std over its n seeds; the papers give mean ± s.e. (or ± std)
over their own trials. The two only compare on one scale: the standard error of each mean. For a
metric both report, Δ = ganbench − published and the combined s.e. is √(se_ganbench² + se_published²);
ganbench lies *within* the combined error bars when |Δ| ≤ that s.e., and the column says by how
many combined s.e. it is off either way.
"""

from __future__ import annotations

import math

from gan_bench.reporting.published import counterpart


def standard_error(std: float, n: int) -> float | None:
    return std / math.sqrt(n) if n > 1 and math.isfinite(std) else None


def published_se(row: dict, spread: str | None) -> float | None:
    """A published cell's standard error: its spread when that is one, std/√trials when it is a std
    with a stated trial count, else unknown."""
    if spread is None:
        return None
    value = float(spread)
    if row["spread"] == "s.e.":
        return value
    if row["spread"] == "std" and row["trials"]:
        return value / math.sqrt(row["trials"])
    return None


def offset(mean: float, se: float | None, published: float, pub_se: float | None) -> tuple[float, float] | None:
    """(Δ in combined s.e., combined s.e.), or None when neither side has an error to scale by."""
    parts = [e for e in (se, pub_se) if e is not None]
    combined = math.sqrt(sum(e * e for e in parts)) if parts else 0.0
    if combined == 0.0:
        return None
    return (mean - published) / combined, combined


def describe(recipe: str, summary_row, metrics: list[str], dataset: str) -> str:
    """The 'vs published' cell of one recipe: its counterpart's model and, per shared metric, within
    or off and by how many combined s.e.; '' when the recipe reproduces no published model."""
    row = counterpart(recipe, metrics, dataset)
    if row is None:
        return ""
    parts = []
    for metric, (value, spread) in row["values"].items():
        mean, std, n = summary_row[f"{metric}_mean"], summary_row[f"{metric}_std"], int(summary_row[f"{metric}_n"])
        if n == 0 or not math.isfinite(mean):
            continue
        se = standard_error(std, n)
        off = offset(mean, se, float(value), published_se(row, spread))
        if off is None:
            parts.append(f"{metric} no error bars to compare (n={n})")
            continue
        z, _ = off
        verdict = "within" if abs(z) <= 1 else "outside"
        missing = "" if se is not None and published_se(row, spread) is not None else ", one side's s.e. unknown"
        parts.append(f"{metric} {verdict} ({z:+.1f} s.e.{missing})")
    return f"{row['model']}: " + "; ".join(parts) if parts else ""
