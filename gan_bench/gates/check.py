"""CI regression gates: thresholds from the suite file -> per (recipe, metric) verdicts -> exit code.

A value is the mean over the seeds present. A metric that is missing (not scored, not in the
baseline, NaN) fails; it never passes. A suite of several datasets is judged per dataset: a
threshold applies to each of its recipe's datasets on its own, never to their pooled runs.
Exit codes: 0 all pass, 1 any failure, 2 bad input.
"""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from gan_bench import defaults, shipped
from gan_bench.errors import GateError, InvalidOption
from gan_bench.gates import baseline_file
from gan_bench.metrics.names import direction, family
from gan_bench.reporting import environments
from gan_bench.rundir import atomic
from gan_bench.suite import locate
from gan_bench.suite.suite_file import Suite, load_suite
from gan_bench.suite.thresholds import Threshold

BASELINES = defaults.BASELINES_ROOT


@dataclass
class Verdict:
    recipe: str
    metric: str
    value: float | None
    rule: str
    passed: bool
    note: str = ""
    dataset: str = ""  # set when the suite spans several datasets, each judged on its own


def needs_baseline(suite: Suite) -> bool:
    """Whether any of the suite's thresholds is relative to a baseline."""
    return any(
        t.baseline
        for profile in {**suite.thresholds, **suite.thresholds_per_dataset}
        for recipe in suite.gated(profile)
        for dataset in suite.datasets
        for t in suite.thresholds_of(profile, recipe, dataset).values()
    )


def baseline_path(suite: str, profile: str, device: str) -> Path:
    """Where `ganbench baseline` writes, and `check` looks first: results/baselines/ in the working directory."""
    return BASELINES / f"{suite}-{profile}-{device}.json"


def find_baseline(suite: Suite, profile: str, device: str) -> Path:
    """The baseline a run set of ``suite`` gates against: the working directory's file when there is
    one; else, for a suite ganbench ships (same content), the baseline shipped with it."""
    path = baseline_path(suite.name, profile, device)
    if path.is_file():
        return path
    own = locate.shipped_suite(suite.name)
    fallback = shipped.folder("baselines") / path.name
    if own is not None and fallback.is_file() and load_suite(own) == suite:
        return fallback
    return path


def read_baseline(path: Path) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GateError(
            f"{path}: baseline file does not exist; write one with `ganbench baseline RUNS` (or pass --baseline FILE)"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise GateError(f"{path}: not a readable baseline file ({e}){_mend_advice(path, '')}") from None
    wrong = baseline_file.problem(data)
    if wrong:
        advice = _mend_advice(path, "; write it again with `ganbench baseline RUNS --out FILE`")
        raise GateError(f"{path}: not a ganbench baseline file: {wrong}{advice}")
    return data


def _mend_advice(path: Path, otherwise: str) -> str:
    """How to restore a shipped baseline; ``otherwise`` for a user's own."""
    own = Path(path).resolve().is_relative_to(shipped.folder("baselines").resolve())
    return f"; {shipped.restore_advice(path)}" if own else otherwise


def baseline_recipes(baseline: dict | None, dataset: str) -> dict:
    """The baseline's per-recipe statistics for runs on ``dataset`` ("": the suite has one): a baseline
    of one dataset keeps them under 'recipes', one of several under 'datasets'.<dataset>.'recipes'."""
    if not baseline:
        return {}
    if "datasets" in baseline:
        return baseline["datasets"].get(dataset, {}).get("recipes", {})
    if dataset and baseline.get("dataset") not in (None, "", dataset):
        return {}  # a baseline of another dataset holds nothing for this one
    return baseline.get("recipes", {})


def check_baseline_fits(path: Path, baseline: dict, suite: str, df: pd.DataFrame) -> None:
    """Refuse a baseline made for another suite, profile or device than the runs it would gate."""
    wanted = {"suite": suite, "profile": sorted(set(df["profile"])), "device": sorted(set(df["device"]))}
    differs = []
    for key, want in wanted.items():
        have = baseline.get(key)
        if have in (None, ""):
            continue  # a hand-made baseline, or one of runs outside a suite, may leave a key out
        if (have not in want) if isinstance(want, list) else (have != want):
            shown = ", ".join(want) if isinstance(want, list) else want
            differs.append(f"{key} {have!r} (the runs: {shown})")
    if differs:
        raise GateError(f"{path}: made for another {'; '.join(differs)}; pass --baseline with the matching file")


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
    if "verdict" in rows and (rows["verdict"] == "unscored").all():
        return "missing: the runs are not scored"
    others = sorted(c for c in rows.columns if c != metric and family(c) == family(metric) and rows[c].notna().any())
    if others:
        return f"missing: the runs have {', '.join(others)} instead, under another sample count, backbone or split"
    return "missing"


def gated_of(df: pd.DataFrame, suite: Suite, recipes: list[str] | None = None) -> tuple[str, list[str]]:
    """The runs' one profile and the recipes (or scored samples) its thresholds gate, narrowed to
    ``recipes``; refused when the profile has no thresholds or ``recipes`` names one it does not gate."""
    profiles = sorted(set(df["profile"]))
    if len(profiles) != 1:
        raise GateError(f"runs mix profiles {profiles}; check one profile at a time")
    profile = profiles[0]
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
        raise InvalidOption(
            f"--recipes: {problem}; suite {suite.name!r} gates these on the {profile} profile: {', '.join(gated)}"
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


def narrowing_hint(verdicts: list[Verdict]) -> str | None:
    """Where some gated recipes have runs and others none (a suite run narrowed with --recipes):
    how to gate only those that ran."""
    unrun = list(dict.fromkeys(v.recipe for v in verdicts if v.note == NO_RUNS))
    ran = [r for r in dict.fromkeys(v.recipe for v in verdicts) if r not in unrun]
    if not unrun or not ran:
        return None
    return f"{', '.join(unrun)}: no runs here; to gate only the recipes that ran, add --recipes {','.join(ran)}"


def absent(v: Verdict) -> str:
    """What stands for a verdict's value when it has none: "not finite" where the metric was
    scored as NaN or inf (its note says so), else "missing"."""
    return "not finite" if v.note.startswith(("not finite", "not a finite")) else "missing"


def shown_value(v: Verdict) -> str:
    return absent(v) if v.value is None else f"{v.value:.4g}"


def outcome(v: Verdict) -> str:
    return "pass" if v.passed else "FAIL" + (f" ({v.note})" if v.note else "")


def verdict_table(verdicts: list[Verdict]) -> pd.DataFrame:
    """One row per threshold as `check` shows it: recipe, (dataset, for a suite of several), metric,
    value, rule, result."""
    rows = [(v.recipe, v.dataset, v.metric, shown_value(v), v.rule, outcome(v)) for v in verdicts]
    table = pd.DataFrame(rows, columns=["recipe", "dataset", "metric", "value", "rule", "result"])
    return table if any(v.dataset for v in verdicts) else table.drop(columns="dataset")


def markdown(suite: str, verdicts: list[Verdict], baseline: Path | None, notes: list[str]) -> str:
    """The check as Markdown, for a pull request comment or a CI job summary."""
    failed = sum(not v.passed for v in verdicts)
    lines = [f"## ganbench check: suite {suite}", "", verdict_table(verdicts).to_markdown(index=False), ""]
    lines += [f"baseline: `{baseline}`", ""] if baseline is not None else []
    lines += [f"note: {note}; {environments.CAVEAT}" for note in notes] + ([""] if notes else [])
    hint = narrowing_hint(verdicts)
    lines += [f"note: {hint}", ""] if hint else []
    lines.append(f"**{len(verdicts) - failed} passed, {failed} failed**")
    return "\n".join(lines) + "\n"


def junit(verdicts: list[Verdict], path: Path) -> None:
    failures = sum(not v.passed for v in verdicts)
    root = ET.Element("testsuite", name="ganbench check", tests=str(len(verdicts)), failures=str(failures))
    for v in verdicts:
        where = f"{v.recipe}.{v.dataset}" if v.dataset else v.recipe
        case = ET.SubElement(root, "testcase", classname=f"ganbench.{where}", name=f"{v.metric} {v.rule}")
        if not v.passed:
            value = absent(v) if v.value is None else f"{v.value:.6g}"
            failure = ET.SubElement(case, "failure", message=f"{v.metric} = {value}, needs {v.rule}")
            failure.text = v.note or f"{where}: {v.metric} = {value} fails {v.rule}"
    atomic.write_bytes(path, ET.tostring(root, encoding="utf-8", xml_declaration=True))


def baseline_from(df: pd.DataFrame, command: str) -> dict:
    """The per-recipe means, stds and n of every scored metric, with how they were produced: under
    'recipes' for runs on one dataset, under 'datasets'.<dataset>.'recipes' for several."""
    from gan_bench.reporting.tables import metric_columns
    from gan_bench.rundir.identity import git_commit

    keys = {k: sorted(set(df[k])) for k in ("suite", "profile", "device")}
    for k, v in keys.items():
        if len(v) != 1:
            raise GateError(f"runs mix {k}s {v}; a baseline covers one suite, profile and device")

    def statistics(runs: pd.DataFrame) -> dict:
        return {
            recipe: {
                m: {
                    "mean": float(part[m].mean()),
                    "std": float(part[m].std(ddof=1)) if len(part) > 1 else 0.0,
                    "n": int(part[m].notna().sum()),
                }
                for m in metric_columns(df)
                if part[m].notna().all()
            }
            for recipe, part in runs.groupby("recipe")
        }

    datasets = sorted(set(df["dataset"]))
    per_dataset = (
        {"dataset": datasets[0], "recipes": statistics(df)}
        if len(datasets) == 1
        else {"dataset": datasets, "datasets": {d: {"recipes": statistics(df[df["dataset"] == d])} for d in datasets}}
    )
    return {
        "environment": environments.of_runs(df),
        "suite": keys["suite"][0],
        "profile": keys["profile"][0],
        "device": keys["device"][0],
        **per_dataset,
        "produced_by": {
            "command": command,
            "git_commit": git_commit(),
            "runs_trained_at": sorted({str(c) for c in df.get("env.git_commit", pd.Series()).dropna()}),
            "seeds": sorted(set(df["seed"])),
            "runs": int(len(df)),
            "spec_hashes": sorted(set(df["spec_hash"])),
        },
    }
