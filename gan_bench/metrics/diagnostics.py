"""Convergence diagnostics from history.csv, and the verdict.

Every spread is per step: history rows carry each interval's mean and, for d_loss, g_loss,
D(x) and D(G(z)), its per-step standard deviation (``<name>_sd``), which together give the
per-step mean and variance over the window whatever the logging interval. (History from before
those columns falls back to the spread of the row means, and says so.)

D's outputs are read against the run's own targets: ``fake`` (0) and ``real`` (1, or the
recipe's smoothed ``real_label`` such as keras-mlp's 0.9); least-squares D outputs (cyclegan)
are scores, not probabilities, on the same targets. Thresholds are shares of the target gap.

Rules (first match wins), over the last WINDOW share of the run's steps:
1. ``diverged``: any NaN or inf in history (or in the generated samples).
2. ``still-improving``: fewer than COLLAPSE_MIN_MODES of the classes (or modes) are covered, but
   coverage rose between the last two scored snapshots: too short to call it collapse.
3. ``mode-collapse``: fewer than COLLAPSE_MIN_MODES of the classes (or modes) are covered.
4. ``vanishing-gradient``: D wins (mean D(G(z)) within DOMINATED of the fake target) **and** G's
   gradient norm fell below GRAD_COLLAPSE of its peak. A dominant D alone does not starve G
   under the non-saturating loss.
5. ``d-dominant``: D wins (as in 4) with D(x) within DOMINATED of the real target, while G's
   gradient is still alive.
6. ``oscillating``: the per-step coefficient of variation of d_loss or g_loss exceeds
   OSCILLATION_CV, or D(G(z))'s per-step standard deviation exceeds D_FAKE_SPREAD of the gap.
7. ``converged``: none of the above.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pandas as pd

from gan_bench.rundir.layout import MOMENTS, SD  # the per-step spread columns history.csv carries

WINDOW = 0.2
COLLAPSE_MIN_MODES = 0.8  # share of the classes
DOMINATED = 0.05  # share of the target gap
GRAD_COLLAPSE = 0.01
OSCILLATION_CV = 0.5
D_FAKE_SPREAD = 0.15  # share of the target gap; a 0.05 <-> 0.55 square wave has 0.25
RULES = {
    "window": WINDOW,
    "collapse_min_modes": COLLAPSE_MIN_MODES,
    "dominated_share_of_gap": DOMINATED,
    "grad_collapse": GRAD_COLLAPSE,
    "oscillation_cv": OSCILLATION_CV,
    "d_fake_spread_share_of_gap": D_FAKE_SPREAD,
    "cadence": "per step",
}
# "no-history": samples scored without a training run (`score --input`), where only coverage applies.
VERDICTS = (
    "converged",
    "oscillating",
    "d-dominant",
    "vanishing-gradient",
    "still-improving",
    "mode-collapse",
    "diverged",
    "no-history",
)


def targets(recipe: dict) -> tuple[float, float]:
    """(fake, real) targets of D's outputs for a recipe as spec.json records it."""
    return 0.0, float(recipe.get("real_label", 1.0))


def _per_step(window: pd.DataFrame, col: str) -> tuple[float, float]:
    """(mean, standard deviation) per step over the window's rows, weighting each row by the steps
    it covers. Rows with ``<col>_sd`` give the exact per-step spread; without it, that of the means."""
    weights = window["_span"].to_numpy(dtype=float)
    means = window[col].to_numpy(dtype=float)
    total = weights.sum()
    mean = float((weights * means).sum() / total)
    within = window[col + SD].to_numpy(dtype=float) ** 2 if col + SD in window else 0.0
    second = float((weights * (within + means * means)).sum() / total)
    return mean, math.sqrt(max(second - mean * mean, 0.0))


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def history_numbers(history: pd.DataFrame) -> dict:
    """The numbers behind the verdict, from the history rows, per step over the last WINDOW of steps."""
    values = history.drop(columns=["step", "epoch"])
    nonfinite = ~values.apply(lambda c: c.map(math.isfinite)).all(axis=1)
    first_bad = history.loc[nonfinite, "step"]
    good = history[~nonfinite].copy()
    good["_span"] = good["step"].diff().fillna(good["step"]).clip(lower=1)  # steps each row covers
    if len(good):
        last = good["step"].iloc[-1]
        window = good[good["step"] > last - math.ceil(last * WINDOW)]
        window = window if len(window) else good.tail(1)
    else:
        window = good
    stats = {c: (_per_step(window, c) if len(window) else (math.nan, math.nan)) for c in (*MOMENTS, "g_grad_norm")}

    def cv(col: str) -> float:
        mean, sd = stats[col]
        return sd / abs(mean) if mean else 0.0

    peak = good["g_grad_norm"].max() if len(good) else float("nan")
    grad_window = stats["g_grad_norm"][0]  # its mean over the window's steps
    d_real, d_fake = stats["d_real"][0], stats["d_fake"][0]
    return {
        "rows": int(len(history)),
        "window_rows": int(len(window)),
        "window_from_step": int(window["step"].iloc[0]) if len(window) else None,
        "cadence": "per step" if "d_fake" + SD in history else "logged rows (history without per-step spreads)",
        "nonfinite": bool(nonfinite.any()),
        "first_nonfinite_step": int(first_bad.iloc[0]) if len(first_bad) else None,
        "d_real_mean": _finite(d_real),
        "d_fake_mean": _finite(d_fake),
        "equilibrium_gap": _finite(abs(d_real - 0.5) + abs(d_fake - 0.5)),
        "d_loss_cv": _finite(cv("d_loss")),
        "g_loss_cv": _finite(cv("g_loss")),
        "d_fake_sd": _finite(stats["d_fake"][1]),
        "g_grad_norm_window": _finite(grad_window),
        "g_grad_norm_peak": _finite(peak),
        "g_grad_ratio": _finite(grad_window / peak) if peak and peak > 0 else None,
    }


def _shown(x: float | None) -> str:
    return "unknown" if x is None else f"{x:.3g}"


def read_history(path: Path) -> pd.DataFrame:
    """history.csv as numbers. A last row without its newline was cut short by a kill mid-append and
    is dropped; a row of the wrong length or a field that is not a number elsewhere means the file
    is damaged, which is refused rather than read as a diverged run."""
    from gan_bench.errors import RunDirError

    try:
        text = Path(path).read_text(encoding="utf-8")
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


def logged_steps(schedule: dict) -> list[int]:
    """The steps a finished run's history has rows at: every ``log_every`` steps, and the last."""
    steps, every = schedule["steps"], schedule["log_every"]
    return sorted({*range(every, steps + 1, every), steps})


def rows_problem(history: pd.DataFrame, schedule: dict) -> str | None:
    """Why a finished run's history rows are not the ones its schedule logged (None when they are)."""
    expected, found = logged_steps(schedule), history["step"].tolist()
    if found == expected:
        return None
    shown = f"{len(found)} rows" + (f" (steps {found[0]} to {found[-1]})" if found else "")
    present = set(found)
    missing = [step for step in expected if step not in present]
    if missing:
        why = f"the row of step {missing[0]} is missing"
    else:  # every logged step is there, so the first difference is a row the run did not log here
        extra = next(a for a, b in zip(found, [*expected, None]) if a != b)
        why = f"the row of step {extra} is out of order or repeated"
    every = "every step" if schedule["log_every"] == 1 else f"every {schedule['log_every']} steps"
    return f"{shown}, where the run logged {len(expected)} ({every} to step {schedule['steps']}): {why}"


def _coverage_rising(numbers: dict) -> tuple[float, float] | None:
    """(before, last) mode counts of the last two scored snapshots when coverage was still rising."""
    counts = [
        next((v for k, v in point.items() if k.startswith("modes_")), None)  # modes_covered, modes_2d_2500
        for point in numbers.get("quality_over_time") or []
    ]
    counts = [c for c in counts if c is not None]
    if len(counts) >= 2 and counts[-1] > counts[-2]:
        return counts[-2], counts[-1]
    return None


def verdict(numbers: dict, coverage: dict | None, target: tuple[float, float] = (0.0, 1.0)) -> tuple[str, str]:
    """(verdict, the rule that decided it); ``target``: D's (fake, real) targets (``targets``)."""
    if numbers["nonfinite"]:
        return "diverged", f"non-finite values from step {numbers['first_nonfinite_step']}"
    if coverage is not None and coverage.get("nonfinite_samples"):
        return "diverged", "the generator produces non-finite samples"
    if (
        coverage is not None
        and coverage.get("modes_total")
        and coverage["modes_covered"] < COLLAPSE_MIN_MODES * coverage["modes_total"]
    ):
        covered = f"{coverage['modes_covered']} of {coverage['modes_total']} classes covered"
        rising = _coverage_rising(numbers)
        if rising is not None:
            return (
                "still-improving",
                f"{covered}, still rising ({rising[0]:g} then {rising[1]:g} at the last snapshots)",
            )
        return "mode-collapse", covered
    fake, real = target
    gap = abs(real - fake)
    d_fake, d_real, ratio = numbers["d_fake_mean"], numbers["d_real_mean"], numbers["g_grad_ratio"]
    wins = d_fake is not None and d_fake < fake + DOMINATED * gap
    if wins and ratio is not None and ratio < GRAD_COLLAPSE:
        return "vanishing-gradient", (
            f"mean D(G(z)) {_shown(d_fake)} (fake target {fake:g}), G's gradient at {_shown(ratio)} of its peak"
        )
    if wins and d_real is not None and d_real > real - DOMINATED * gap:
        return "d-dominant", (
            f"mean D(G(z)) {_shown(d_fake)}, D(x) {_shown(d_real)} (targets {fake:g}/{real:g}); "
            f"G's gradient alive at {_shown(ratio)} of its peak"
        )
    cvs = [c for c in (numbers["d_loss_cv"], numbers["g_loss_cv"]) if c is not None]
    spread = numbers.get("d_fake_sd") or 0.0
    if (cvs and max(cvs) > OSCILLATION_CV) or spread > D_FAKE_SPREAD * gap:
        return "oscillating", f"per-step loss CV {max(cvs or [0]):.3g}, D(G(z)) per-step std {spread:.3g}"
    return "converged", "no failure rule matched"
