"""Baseline files: where `check` finds one (the working directory's, else the one shipped with a
shipped suite), reading and fitting it to the runs it gates, and writing one from scored runs."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from gan_bench import defaults, shipped
from gan_bench.errors import GateError
from gan_bench.gates import baseline_file
from gan_bench.reporting import environments
from gan_bench.reporting.repeats import IMAGES
from gan_bench.suite import locate
from gan_bench.suite.suite_file import Suite, load_suite

BASELINES = defaults.BASELINES_ROOT


def needs_baseline(suite: Suite) -> bool:
    """Whether any of the suite's thresholds is relative to a baseline."""
    return any(
        t.baseline
        for profile in {**suite.thresholds, **suite.thresholds_per_dataset}
        for recipe in suite.gated(profile)
        for dataset in suite.datasets
        for t in suite.thresholds_of(profile, recipe, dataset).values()
    )


def baseline_path(suite: str, profile: str, device: str, direction: str | None = None) -> Path:
    """Where `ganbench baseline` writes, and `check` looks first: results/baselines/ in the working
    directory; a suite run translating B to A has a file of its own."""
    way = "-BtoA" if direction == "BtoA" else ""
    return BASELINES / f"{suite}{way}-{profile}-{device}.json"


def runs_direction(df: pd.DataFrame) -> str | None:
    """The one direction the runs of translation tasks translate; None when no run is of one."""
    found = sorted({d for d in (df["direction"] if "direction" in df else []) if isinstance(d, str) and d})
    if len(found) > 1:
        raise GateError(f"runs mix translation directions {found}; a baseline covers one direction")
    return found[0] if found else None


def runs_images(df: pd.DataFrame) -> dict[str, str]:
    """Per translation folder, the images (sha256 prefix) its runs trained on; the runs of one
    folder share them (``check`` and ``baseline`` refuse a mix first)."""
    if IMAGES not in df:
        return {}
    found = df[df[IMAGES].notna()]
    return {dataset: part[IMAGES].iloc[0] for dataset, part in found.groupby("dataset")}


def find_baseline(suite: Suite, profile: str, device: str) -> Path:
    """The baseline a run set of ``suite`` gates against: the working directory's file when there is
    one; else, for a suite ganbench ships (same content), the baseline shipped with it."""
    path = baseline_path(suite.name, profile, device, suite.direction)
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
    """Refuse a baseline made for another suite, profile, device, translation direction or
    translation folder's images than the runs it would gate."""
    wanted = {"suite": suite, "profile": sorted(set(df["profile"])), "device": sorted(set(df["device"]))}
    direction = runs_direction(df)
    if direction is not None:
        wanted["direction"] = direction
    differs = []
    for key, want in wanted.items():
        have = baseline.get(key)
        if have in (None, ""):
            continue  # a hand-made baseline, or one of runs outside a suite, may leave a key out
        if (have not in want) if isinstance(want, list) else (have != want):
            shown = ", ".join(want) if isinstance(want, list) else want
            differs.append(f"{key} {have!r} (the runs: {shown})")
    images = baseline.get("images") or {}
    for dataset, digest in runs_images(df).items():
        if images.get(dataset) not in (None, digest):
            differs.append(f"images of {dataset} {images[dataset]!r} (the runs: {digest})")
    if differs:
        raise GateError(f"{path}: made for another {'; '.join(differs)}; pass --baseline with the matching file")


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

    direction = runs_direction(df)
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
        **({"direction": direction} if direction else {}),
        **per_dataset,
        **({"images": images} if (images := runs_images(df)) else {}),
        "produced_by": {
            "command": command,
            "git_commit": git_commit(),
            "runs_trained_at": sorted({str(c) for c in df.get("env.git_commit", pd.Series()).dropna()}),
            "seeds": sorted(set(df["seed"])),
            "runs": int(len(df)),
            "spec_hashes": sorted(set(df["spec_hash"])),
        },
    }
