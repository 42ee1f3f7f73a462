"""CI regression gates: thresholds from the suite file -> per (recipe, metric) verdicts -> exit code.

A value is the mean over the seeds present. A metric that is missing (not scored, not in the
baseline, NaN) fails; it never passes. A suite of several datasets is judged per dataset: a
threshold applies to each of its recipe's datasets on its own, never to their pooled runs.
Exit codes: 0 all pass, 1 any failure, 2 bad input.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass

import pandas as pd

from gan_bench import defaults
from gan_bench.errors import GateError, InvalidOption, did_you_mean
from gan_bench.gates.baselines import baseline_recipes
from gan_bench.metrics.names import direction, family
from gan_bench.reporting.collect import INCOMPLETE, NOT_SCORED
from gan_bench.suite.suite_file import Suite
from gan_bench.suite.thresholds import Threshold


@dataclass
class Verdict:
    """One threshold judged: the recipe's mean ``value`` of ``metric`` over its runs (None when a
    run lacks it), the ``rule`` it was held to (such as ``<= 450``) and whether it ``passed``;
    a ``note`` says why a value or a baseline is missing."""

    recipe: str
    metric: str
    value: float | None
    rule: str
    passed: bool
    note: str = ""
    dataset: str = ""  # set when the suite spans several datasets, each judged on its own


def _value(df: pd.DataFrame, recipe: str, metric: str) -> float | None:
    rows = df[df["recipe"] == recipe]
    if rows.empty or metric not in rows:
        return None
    values = rows[metric].dropna()
    if len(values) < len(rows):  # a run without the metric makes the mean meaningless
        return None
    mean = float(values.mean())
    return mean if math.isfinite(mean) else None


def judge(recipe: str, metric: str, value: float | None, t: Threshold, recipes: dict) -> list[Verdict]:
    """The verdicts of one threshold on ``value``; ``recipes``: the baseline's statistics per recipe."""
    verdicts = []
    if t.min is not None:
        verdicts.append(Verdict(recipe, metric, value, f">= {t.min:g}", value is not None and value >= t.min))
    if t.max is not None:
        verdicts.append(Verdict(recipe, metric, value, f"<= {t.max:g}", value is not None and value <= t.max))
    if t.baseline:
        base = recipes.get(recipe, {}).get(metric, {}).get("mean")
        if base is None:
            verdicts.append(Verdict(recipe, metric, value, "baseline", False, "not in the baseline"))
        else:
            slack = t.tolerance * abs(base)
            if direction(metric) < 0:
                bound, ok = base + slack, value is not None and value <= base + slack
                rule = f"<= {bound:.4g} (baseline {base:.4g} + {t.tolerance:.0%})"
            else:
                bound, ok = base - slack, value is not None and value >= base - slack
                rule = f">= {bound:.4g} (baseline {base:.4g} - {t.tolerance:.0%})"
            verdicts.append(Verdict(recipe, metric, value, rule, ok))
    return verdicts


def why_missing(df: pd.DataFrame, recipe: str, metric: str) -> str:
    """What a user needs to see a threshold's value: no runs of the recipe, runs not scored, or
    runs scored under another protocol (``--samples 100`` writes fid_lenet_100_test, not _1k_)."""
    rows = df[df["recipe"] == recipe]
    if rows.empty:
        return NO_RUNS
    lacking = int(rows[metric].isna().sum()) if metric in rows else len(rows)
    if lacking == 0:
        return "not a finite number"
    nonfinite = int(rows[f"{metric}.finite"].eq(False).sum()) if f"{metric}.finite" in rows else 0
    if nonfinite:  # scored, but NaN or inf: metrics.json holds null
        return f"not finite in {nonfinite} of {len(rows)} runs: null in their metrics.json"
    if lacking < len(rows):
        return f"missing in {lacking} of {len(rows)} runs"
    if "verdict" in rows and rows["verdict"].isin(NOT_SCORED).all():
        unfinished = int((rows["verdict"] == INCOMPLETE).sum())
        if unfinished == len(rows):
            return "missing: the runs did not finish training"
        return f"missing: the runs are not scored{f', and {unfinished} did not finish training' if unfinished else ''}"
    others = sorted(c for c in rows.columns if c != metric and family(c) == family(metric) and rows[c].notna().any())
    if others:
        return f"missing: the runs have {', '.join(others)} instead, under another sample count, backbone or split"
    return "missing"


def _check_direction(df: pd.DataFrame, suite: Suite) -> None:
    """A translation task's thresholds hold for the direction the suite trains: runs (or scored
    translators) of the other direction are refused."""
    if "direction" not in df:  # a hand-made frame
        return
    other = df[(df["direction"] != "") & (df["direction"] != suite.direction)]
    if len(other):
        first = other.iloc[0]
        raise GateError(
            f"{first['run']} translates {first['dataset']} {first['direction']}, and suite {suite.name!r} gates it "
            f"{suite.direction}; check runs of that direction, or give a suite with "
            f'direction = "{first["direction"]}" (a suite run made with --direction is checked in its direction '
            "when no --suite is given)"
        )


def gated_of(df: pd.DataFrame, suite: Suite, recipes: list[str] | None = None) -> tuple[str, list[str]]:
    """The runs' one profile and the recipes (or scored samples) its thresholds gate, narrowed to
    ``recipes``; refused when the profile has no thresholds or ``recipes`` names one it does not gate."""
    profiles = sorted(set(df["profile"]))
    if len(profiles) != 1:
        raise GateError(f"runs mix profiles {profiles}; check one profile at a time")
    profile = profiles[0]
    _check_direction(df, suite)
    gated = suite.gated(profile)
    if not gated:
        have = [p for p in defaults.PROFILES if suite.gated(p)]
        where = f"it gates the {', '.join(have)} profile{'s' if len(have) > 1 else ''}" if have else "it has none"
        raise GateError(
            f"suite {suite.name!r} has no [thresholds.{profile}] table for these {profile}-profile runs; {where}. "
            f'Check runs of a gated profile, or add [thresholds.{profile}."<recipe>"] to the suite file'
        )
    if recipes is None:
        return profile, gated
    ungated = [r for r in recipes if r not in gated]
    if not recipes or ungated or len(set(recipes)) != len(recipes):
        problem = f"{', '.join(map(repr, ungated))} not gated" if ungated else f"expected distinct names, got {recipes}"
        guess = did_you_mean(ungated[0], gated) if ungated else ""
        raise InvalidOption(
            f"--recipes: {problem}; {guess}suite {suite.name!r} gates these on the {profile} profile: {', '.join(gated)}"
        )
    return profile, [r for r in gated if r in recipes]


def check(df: pd.DataFrame, suite: Suite, baseline: dict | None, recipes: list[str] | None = None) -> list[Verdict]:
    """One verdict per threshold of the runs' profile; ``recipes``: only those recipes' (or scored
    samples') thresholds."""
    profile, gated = gated_of(df, suite, recipes)
    several = len(suite.datasets) > 1
    verdicts = []
    for recipe in gated:
        for dataset in suite.datasets_of(recipe) if several else [""]:
            rows = df[df["dataset"] == dataset] if dataset else df
            base = baseline_recipes(baseline, dataset)
            for metric, t in suite.thresholds_of(profile, recipe, dataset or suite.datasets[0]).items():
                found = judge(recipe, metric, _value(rows, recipe, metric), t, base)
                for v in found:
                    v.dataset = dataset
                    if v.value is None and not v.note:
                        v.note = why_missing(rows, recipe, metric)
                verdicts += found
    return verdicts


NO_RUNS = "missing: no runs of this recipe"


def narrowing_hint(verdicts: list[Verdict], not_begun: Collection[str] = ()) -> str | None:
    """Where some gated recipes have runs and others none (a suite run narrowed with --recipes):
    how to gate only those that ran. Recipes in ``not_begun`` were planned and are still to begin:
    the suite run was stopped, not narrowed, and the note on them says how to begin them."""
    gated, without = dict.fromkeys(v.recipe for v in verdicts), {v.recipe for v in verdicts if v.note == NO_RUNS}
    unrun = [r for r in gated if r in without and r not in not_begun]
    ran = [r for r in gated if r not in without]
    if not unrun or not ran:
        return None
    return f"{', '.join(unrun)}: no runs here; to gate only the recipes that ran, add --recipes {','.join(ran)}"
