"""Run directories -> one pandas row per run: spec (flattened), protocol, metrics, coverage, verdict."""

from __future__ import annotations

import json
import shlex
from collections.abc import Collection, Iterable
from pathlib import Path

import pandas as pd

from gan_bench.data.datasets import is_translation
from gan_bench.data.folders import is_folder_name
from gan_bench.reporting import environments
from gan_bench.reporting.repeats import IMAGES
from gan_bench.rundir import metrics_file
from gan_bench.rundir.layout import RunDir, find_runs, held_folders, lock_folder, read_suite_info, run_suite_folder
from gan_bench.suite.resume_command import how_to_finish_all

COVERAGE_COLUMNS = ("modes_covered", "kl_generated_data", "mean_confidence")
# A run with no final.pt: interrupted (or training now). Scoring refuses it; --resume finishes it.
INCOMPLETE = "incomplete"
INCOMPLETE_REASON = "training did not finish (no final.pt); continue it with --resume"
NOT_SCORED = ("unscored", INCOMPLETE)


def suite_of(run: RunDir) -> str:
    folder = run_suite_folder(run)
    return (read_suite_info(folder) or {}).get("name", "") if folder else ""


def source_of(run: RunDir) -> str:
    """Where a run comes from: its suite output folder, or for a run outside a suite the folder
    holding it. Two suite runs of one suite are told apart by it."""
    return str(run_suite_folder(run) or run.root.parent)


def writing_now(df: pd.DataFrame) -> dict[Path, str]:
    """The folders of the reported runs that a ganbench process is writing now, with who holds
    each one's lock: their unscored runs may still be training."""
    return held_folders(RunDir(Path(run)) for run in df["run"])


def some_of(runs: list[str]) -> str:
    """The first three of ``runs``, and how many more."""
    return ", ".join(runs[:3]) + (f" and {len(runs) - 3} more" if len(runs) > 3 else "")


def _runs_with(df: pd.DataFrame, verdict: str, busy: Iterable[Path]) -> list[str]:
    busy = set(busy)
    return [str(r) for r in df.loc[df["verdict"] == verdict, "run"] if lock_folder(RunDir(Path(r))) not in busy]


def unfinished(df: pd.DataFrame, busy: Iterable[Path] = ()) -> str | None:
    """Which runs of ``df`` did not finish training and the commands that continue them; None when
    all did. Runs in the ``busy`` folders, which a process is writing now, are left out."""
    runs = _runs_with(df, INCOMPLETE, busy)
    if not runs:
        return None
    how = how_to_finish_all([RunDir(Path(r)) for r in runs])
    return f"{len(runs)} of {len(df)} runs did not finish training ({some_of(runs)}); continue {'it' if len(runs) == 1 else 'them'} with {how}"


def _score_target(run: RunDir, stopped: set[Path | None]) -> Path:
    """What to give `ganbench score` for ``run``: its suite folder, unless that holds ``stopped``
    (interrupted) runs, which score refuses; then the run itself."""
    folder = run_suite_folder(run)
    return folder if folder is not None and folder not in stopped else run.root


def unscored(df: pd.DataFrame, busy: Iterable[Path] = ()) -> str | None:
    """Which finished runs of ``df`` are not scored and the command that scores them (each suite
    run's folder, else the run itself); None when all are. ``busy`` as for :func:`unfinished`."""
    runs = _runs_with(df, "unscored", busy)
    if not runs:
        return None
    stopped = {run_suite_folder(RunDir(Path(r))) for r in df.loc[df["verdict"] == INCOMPLETE, "run"]}
    folders = dict.fromkeys(str(_score_target(RunDir(Path(r)), stopped)) for r in runs)
    return (
        f"{len(runs)} of {len(df)} runs are not scored ({some_of(runs)}); score {'it' if len(runs) == 1 else 'them'} "
        f"with `ganbench score {shlex.join(folders)}`"
    )


# gb.report(recipes=...) keeps its narrowing here (DataFrame.attrs), so notes leave other recipes out
RECIPES_SHOWN = "recipes"


def missing_runs(
    df: pd.DataFrame, busy: Iterable[Path] = (), recipes: Collection[str] | None = None
) -> dict[Path, tuple[list, list, str]]:
    """For each suite run holding runs of ``df`` (folders in ``busy`` left out): the runs its
    suite.json planned (of ``recipes``, default: the report's narrowing, else all) as (recipe, seed,
    dataset), those of them with no run directory yet, and what one of them is ("runs"). File names
    only: nothing is read but suite.json. For a suite of one dataset the dataset is ""; so it is
    where an older suite.json of several does not record [only]: its entries are "recipe-seed pairs",
    begun once a run directory of the pair is on any dataset."""
    if recipes is None:
        recipes = df.attrs.get(RECIPES_SHOWN)
    folders = {run_suite_folder(RunDir(Path(r))) for r in df["run"]} - {None} - set(busy)
    found = {}
    for folder in sorted(folders):
        info = read_suite_info(folder) or {}
        pairs = [(r, s) for r, s in info.get("runs", []) if recipes is None or r in recipes]
        several = info.get("dataset") if isinstance(info.get("dataset"), list) and len(info["dataset"]) > 1 else []
        if several and "only" not in info:
            planned = [(r, s, "") for r, s in pairs]
            missing = [
                (r, s, d) for r, s, d in planned if not any((folder / n / r / f"seed-{s}").is_dir() for n in several)
            ]
            found[folder] = (planned, missing, "recipe-seed pairs")
            continue
        planned = [(r, s, d) for r, s in pairs for d in (info["only"].get(r, several) if several else [""])]
        missing = [(r, s, d) for r, s, d in planned if not (folder / d / r / f"seed-{s}").is_dir()]
        found[folder] = (planned, missing, "runs")
    return found


def not_begun(df: pd.DataFrame, busy: Iterable[Path] = (), recipes: Collection[str] | None = None) -> list[str]:
    """For each suite run holding runs of ``df``: the runs of :func:`missing_runs` that have not
    begun, and the command that begins them. Folders in ``busy`` are left out: the process writing
    them begins them itself."""
    notes = []
    for folder, (planned, missing, kind) in missing_runs(df, busy, recipes).items():
        if missing:
            notes.append(
                f"{len(missing)} of the {len(planned)} {kind} planned in {folder} "
                f"{'has' if len(missing) == 1 else 'have'} not begun "
                f"({some_of([f'{r} seed {s}' + (f' on {d}' if d else '') for r, s, d in missing])}); begin "
                f"{'it' if len(missing) == 1 else 'them'} with `ganbench run --resume {shlex.quote(str(folder))}`"
            )
    return notes


def to_finish(df: pd.DataFrame, busy: Iterable[Path] = (), recipes: Collection[str] | None = None) -> list[str]:
    """The notes of :func:`unfinished`, :func:`unscored` and :func:`not_begun` on the runs of
    ``recipes`` (default: all): what is left to do before they can be compared or gated, and the
    commands that do it."""
    of = df if recipes is None else df[df["recipe"].isin(recipes)]
    notes = [note for note in (unfinished(of, busy), unscored(of, busy)) if note]
    return notes + not_begun(df, busy, recipes)


def direction_of(spec: dict) -> str:
    """A translation run's direction (AtoB unless it says otherwise); "" for other datasets."""
    return spec.get("direction", "AtoB") if is_translation(spec["dataset"]) else ""


def folder_images(spec: dict, env: dict, metrics: dict | None) -> str | None:
    """The sha256 of the images of the translation folder a run trained on (env.json) or samples
    were scored against (their protocol): one path may name other images on another day."""
    if not is_folder_name(spec["dataset"]):
        return None
    trained = env.get("dataset_sha256")
    found = trained.get("images") if isinstance(trained, dict) else None
    found = found or (metrics or {}).get("protocol", {}).get("images_sha256")
    return found if isinstance(found, str) else None


def read_metrics(run: RunDir) -> dict | None:
    return metrics_file.read(run)


def row(run: RunDir) -> dict:
    spec = run.read_spec()
    metrics = read_metrics(run)
    out = {
        "run": str(run.root),
        "suite": suite_of(run),
        "source": source_of(run),
        "recipe": spec["recipe"]["name"],
        "seed": spec["seed"],
        "dataset": spec["dataset"],
        "direction": direction_of(spec),
        "profile": spec["profile"],
        "device": spec["device"],
        "spec_hash": spec["spec_hash"],
        "verdict": "unscored" if run.complete else INCOMPLETE,
        "verdict_reason": "" if run.complete else INCOMPLETE_REASON,
    }
    if metrics is not None:
        out["verdict"], out["verdict_reason"] = metrics["verdict"], metrics["verdict_reason"]
        for key, value in metrics["protocol"].items():
            out[f"protocol.{key}"] = value
        for name, entry in metrics["metrics"].items():
            out[name] = entry["value"]
            out[f"{name}.finite"] = entry["value"] is not None  # null: scored, but NaN or inf
            out[f"{name}.backbone_sha256"] = entry.get("backbone_sha256")
        for key in COVERAGE_COLUMNS:
            if key in metrics["coverage"]:
                out[key] = metrics["coverage"][key]
    env = run.read_env()
    for key in ("git_commit", *environments.BIT_KEYS):
        out[f"env.{key}"] = env.get(key)
    resumed = env.get("resumed") if isinstance(env.get("resumed"), list) else []  # where it went on elsewhere
    resumed = [r for r in resumed if isinstance(r, dict)]
    out["env.resumed"] = json.dumps(resumed) if resumed else None
    flat = pd.json_normalize(spec, sep=".").iloc[0].to_dict()
    out.update({f"spec.{k}": (json.dumps(v) if isinstance(v, (list, dict)) else v) for k, v in flat.items()})
    images = folder_images(spec, env, metrics)
    if images:
        out[IMAGES] = images[:12]
    return out


def collect(paths: list[Path]) -> pd.DataFrame:
    """One row per run directory found under ``paths``."""
    return pd.DataFrame([row(run) for run in find_runs(paths)])
