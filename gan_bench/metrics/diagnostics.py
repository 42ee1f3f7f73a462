"""Convergence diagnostics from history.csv, and the verdict.

Rules (first match wins), over the last WINDOW share of history rows:
1. ``diverged``: any NaN or inf in history (or in the generated samples).
2. ``mode-collapse``: the evaluator finds fewer than COLLAPSE_MIN_MODES of the classes covered.
3. ``vanishing-gradient`` (D dominates): mean D(G(z)) < D_FAKE_DOMINATED and either mean D(x) >
   D_REAL_DOMINATING or G's gradient norm fell below GRAD_COLLAPSE of its peak.
4. ``oscillating``: the losses swing: the coefficient of variation of d_loss or g_loss over the
   window exceeds OSCILLATION_CV, or D(G(z)) spans more than D_FAKE_SWING within it.
5. ``converged``: none of the above.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pandas as pd

WINDOW = 0.2
COLLAPSE_MIN_MODES = 0.8  # share of the classes
D_FAKE_DOMINATED = 0.05
D_REAL_DOMINATING = 0.95
GRAD_COLLAPSE = 0.01
OSCILLATION_CV = 0.5
D_FAKE_SWING = 0.5
RULES = {
    "window": WINDOW,
    "collapse_min_modes": COLLAPSE_MIN_MODES,
    "d_fake_dominated": D_FAKE_DOMINATED,
    "d_real_dominating": D_REAL_DOMINATING,
    "grad_collapse": GRAD_COLLAPSE,
    "oscillation_cv": OSCILLATION_CV,
    "d_fake_swing": D_FAKE_SWING,
}
# "no-history": samples scored without a training run (`score --input`), where only coverage applies.
VERDICTS = ("converged", "oscillating", "vanishing-gradient", "mode-collapse", "diverged", "no-history")


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def history_numbers(history: pd.DataFrame) -> dict:
    """The numbers behind the verdict, from the history rows."""
    values = history.drop(columns=["step", "epoch"])
    nonfinite = ~values.apply(lambda c: c.map(math.isfinite)).all(axis=1)
    first_bad = history.loc[nonfinite, "step"]
    good = history[~nonfinite]
    window = good.tail(max(1, math.ceil(len(good) * WINDOW)))

    def cv(col: str) -> float:
        if window.empty:  # no finite row: no spread to speak of
            return float("nan")
        mean = window[col].abs().mean()
        return float(window[col].std(ddof=0) / mean) if mean > 0 else 0.0

    peak = good["g_grad_norm"].max() if len(good) else float("nan")
    return {
        "rows": int(len(history)),
        "window_rows": int(len(window)),
        "window_from_step": int(window["step"].iloc[0]) if len(window) else None,
        "nonfinite": bool(nonfinite.any()),
        "first_nonfinite_step": int(first_bad.iloc[0]) if len(first_bad) else None,
        "d_real_mean": _finite(window["d_real"].mean()),
        "d_fake_mean": _finite(window["d_fake"].mean()),
        "equilibrium_gap": _finite(abs(window["d_real"].mean() - 0.5) + abs(window["d_fake"].mean() - 0.5)),
        "d_loss_cv": _finite(cv("d_loss")),
        "g_loss_cv": _finite(cv("g_loss")),
        "d_loss_amplitude": _finite(window["d_loss"].max() - window["d_loss"].min()),
        "g_loss_amplitude": _finite(window["g_loss"].max() - window["g_loss"].min()),
        "d_fake_swing": _finite(window["d_fake"].max() - window["d_fake"].min()),
        "g_grad_norm_window": _finite(window["g_grad_norm"].mean()),
        "g_grad_norm_peak": _finite(peak),
        "g_grad_ratio": _finite(window["g_grad_norm"].mean() / peak) if peak and peak > 0 else None,
    }


def _shown(x: float | None) -> str:
    return "unknown" if x is None else f"{x:.3g}"


def read_history(path: Path) -> pd.DataFrame:
    """history.csv as numbers. A last row without its newline was cut short by a kill mid-append and
    is dropped; a row of the wrong length or a field that is not a number elsewhere means the file
    is damaged, which is refused rather than read as a diverged run."""
    from gan_bench.errors import RunDirError

    try:
        text = Path(path).read_text()
    except (OSError, UnicodeDecodeError) as e:
        raise RunDirError(f"{path}: cannot read the run's history ({e})") from None
    text = text[: text.rfind("\n") + 1]
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or rows[0][:2] != ["step", "epoch"]:
        raise RunDirError(f"{path}: no header row starting step,epoch; the file is damaged")
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(rows[0]):
            raise RunDirError(f"{path}: line {number} has {len(row)} fields, not {len(rows[0])}; the file is damaged")
        for field in row:
            try:
                float(field)
            except ValueError:
                raise RunDirError(f"{path}: line {number}: {field!r} is not a number; the file is damaged") from None
    return pd.read_csv(io.StringIO(text), dtype=float).astype({"step": int})


def verdict(numbers: dict, coverage: dict | None) -> tuple[str, str]:
    """(verdict, the rule that decided it)."""
    if numbers["nonfinite"]:
        return "diverged", f"non-finite values from step {numbers['first_nonfinite_step']}"
    if coverage is not None and coverage.get("nonfinite_samples"):
        return "diverged", "the generator produces non-finite samples"
    if (
        coverage is not None
        and coverage.get("modes_total")
        and coverage["modes_covered"] < COLLAPSE_MIN_MODES * coverage["modes_total"]
    ):
        return "mode-collapse", f"{coverage['modes_covered']} of {coverage['modes_total']} classes covered"
    d_fake, d_real, ratio = numbers["d_fake_mean"], numbers["d_real_mean"], numbers["g_grad_ratio"]
    if (
        d_fake is not None
        and d_fake < D_FAKE_DOMINATED
        and ((d_real is not None and d_real > D_REAL_DOMINATING) or (ratio is not None and ratio < GRAD_COLLAPSE))
    ):
        return "vanishing-gradient", (
            f"mean D(G(z)) {_shown(d_fake)} with D(x) {_shown(d_real)}, G grad ratio {_shown(ratio)}"
        )
    cvs = [c for c in (numbers["d_loss_cv"], numbers["g_loss_cv"]) if c is not None]
    swing = numbers["d_fake_swing"] or 0.0
    if (cvs and max(cvs) > OSCILLATION_CV) or swing > D_FAKE_SWING:
        return "oscillating", f"loss CV {max(cvs or [0]):.3g}, D(G(z)) swing {swing:.3g}"
    return "converged", "no failure rule matched"
