"""The run directory: the only thing that connects train, score, report and check.

    <run>/spec.json          the resolved spec (recipe facts, dataset, seed, profile, schedule, device)
                             and its sha256 under "spec_hash"
    <run>/env.json           versions, device, git commit, dataset hashes
    <run>/history.csv        one row per logged step: means over the steps since the row before
    <run>/timing.csv         wall time per history row (kept apart so history.csv is bit-reproducible)
    <run>/samples/step-NNNNNNN.png   sample grids from a fixed z
    <run>/checkpoints/last.pt        full training state, for --resume (removed when the run ends)
    <run>/checkpoints/final.pt       full training state at the end: the run is complete
    <run>/checkpoints/g-step-NNNNNNN.pt   G's weights at each checkpoint, for diagnostics
    <run>/metrics.json       written by score: metrics with their protocols, coverage, diagnostics, verdict
    <run>/scored-samples.png written by score for 2D mixtures: the scored points over the true means

Samples scored with ``score --input`` leave a run-like folder: spec.json (of kind SAMPLES_KIND),
metrics.json and scored-samples.png, which report and check read as a run's, and which nothing
trains, resumes or scores again.

A suite's output folder holds suite.json (suite name, file, profile, device) beside <recipe>/seed-<n>/.
Its "file" is stored relative to that folder, so a results tree moved or committed with its suite
file keeps pointing at it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from gan_bench.data.datasets import DIRECTIONS
from gan_bench.errors import RunDirError, shortened
from gan_bench.rundir import atomic, lock
from gan_bench.rundir.identity import hash_matches

STEP_FILE = re.compile(r"^(?:g-)?step-(\d+)\.(?:png|pt)$")  # sample grids and G snapshots
SUITE_FILE = "suite.json"
SAMPLES_KIND = "samples"  # spec.json's "kind" for samples scored with --input (a training run has none)
# history.csv: the required scalars the verdict reads, and the suffix of their per-step spread columns
MOMENTS = ("d_loss", "g_loss", "d_real", "d_fake")
SD = "_sd"
# env.json keys that change a run's bits, and how a note names them
BIT_KEYS = {"cpu_capability": "CPU kernels", "cpu_model": "CPU", "torch_threads": "torch threads", "torch": "torch"}


def holds_scored_samples(spec: dict) -> bool:
    return spec.get("kind") == SAMPLES_KIND


def scored_samples_here(root: Path) -> str:
    """The start of every refusal to train, resume or score a folder of samples scored with --input."""
    return f"{root} holds samples scored with --input, not a training run"


@dataclass(frozen=True)
class RunDir:
    root: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(self.root))

    @property
    def spec(self) -> Path:
        return self.root / "spec.json"

    @property
    def env(self) -> Path:
        return self.root / "env.json"

    @property
    def history(self) -> Path:
        return self.root / "history.csv"

    @property
    def timing(self) -> Path:
        return self.root / "timing.csv"

    @property
    def metrics(self) -> Path:
        return self.root / "metrics.json"

    @property
    def samples(self) -> Path:
        return self.root / "samples"

    @property
    def checkpoints(self) -> Path:
        return self.root / "checkpoints"

    @property
    def last_checkpoint(self) -> Path:
        return self.checkpoints / "last.pt"

    @property
    def final_checkpoint(self) -> Path:
        return self.checkpoints / "final.pt"

    @property
    def scored_samples(self) -> Path:
        return self.root / "scored-samples.png"

    def sample_grid(self, step: int) -> Path:
        return self.samples / f"step-{step:07d}.png"

    def g_snapshot(self, step: int) -> Path:
        return self.checkpoints / f"g-step-{step:07d}.pt"

    def sample_grids(self) -> list[tuple[int, Path]]:
        """(step, path) of each sample grid, in step order."""
        return by_step(self.samples, "step-*.png")

    def g_snapshots(self) -> list[tuple[int, Path]]:
        """(step, path) of each G snapshot, in step order."""
        return by_step(self.checkpoints, "g-step-*.pt")

    def read_env(self) -> dict:
        """env.json, or {} (every field unknown) when it is missing or not a JSON object: the
        environment is a record of the run, not a result, so a damaged one stops nothing."""
        try:
            env = json.loads(self.env.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            return {}
        return env if isinstance(env, dict) else {}

    @property
    def complete(self) -> bool:
        return self.final_checkpoint.is_file()

    def read_spec(self) -> dict:
        """spec.json, checked: its required fields and types, and its spec_hash against its content,
        so a hand-edited or damaged spec is never reported, gated or resumed as it stands."""
        try:
            spec = json.loads(self.spec.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise RunDirError(f"{self.spec}: cannot read the run's spec ({e})") from None
        problem = spec_problem(spec)
        if problem is not None:
            raise RunDirError(
                f"{self.spec}: {problem}; the file was edited or damaged. Restore it from a copy, "
                f"or delete {self.root} and run again"
            )
        return spec


def run_dir_for(out: Path, spec, by_dataset: bool = False) -> RunDir:
    """A suite run's directory for ``spec`` (a RunSpec): <out>/<recipe>/seed-<n>, or
    <out>/<dataset>/<recipe>/seed-<n> for a suite of several datasets (:func:`by_dataset`)."""
    return RunDir(Path(out) / (spec.dataset if by_dataset else "") / spec.recipe / f"seed-{spec.seed}")


def by_dataset(specs) -> bool:
    """Whether a suite's run directories are grouped by dataset: where its specs name several."""
    return len({spec.dataset for spec in specs}) > 1


def by_step(folder: Path, pattern: str) -> list[tuple[int, Path]]:
    """The step-numbered files in ``folder``, ordered by their number: past 9,999,999 steps the
    seven-digit names no longer sort as text."""
    found = [(STEP_FILE.match(p.name), p) for p in folder.glob(pattern)] if folder.is_dir() else []
    return sorted((int(match[1]), p) for match, p in found if match)


SPEC_FIELDS = {"recipe": dict, "dataset": str, "seed": int, "profile": str, "device": str, "spec_hash": str}


def not_an_object(value) -> str | None:
    """What a parsed JSON file holds instead of the object ganbench writes (None when it is one)."""
    if isinstance(value, dict):
        return None
    kind = {list: "an array", str: "a string", bool: "true or false", type(None): "null"}.get(type(value), "a number")
    return f"{kind} where a JSON object belongs"


def spec_problem(spec) -> str | None:
    """Why ``spec`` is not a spec.json ganbench wrote (None when it is one)."""
    if not isinstance(spec, dict):
        return not_an_object(spec)
    for key, kind in SPEC_FIELDS.items():
        if key not in spec:
            return f"field '{key}' is missing"
        if not isinstance(spec[key], kind) or isinstance(spec[key], bool):
            return f"field '{key}' should be {kind.__name__}, found {type(spec[key]).__name__}"
    if not isinstance(spec["recipe"].get("name"), str):
        return "field 'recipe.name' is missing or not a string"
    if not hash_matches(spec):
        return "its content does not match its spec_hash"
    return None


def find_runs(paths: list[Path]) -> list[RunDir]:
    """Run directories named directly, or found below a suite's output folder; each once, however
    many of the paths reach it (a suite folder and one of its runs, a symlink, a path given twice)."""
    if not paths:  # an empty list is a mistake, never an empty (passing) report or gate
        raise RunDirError("no run directories given; name at least one, or a folder holding them")
    runs, seen = [], set()
    for run in _found(paths):
        key = run.root.resolve()
        if key not in seen:
            seen.add(key)
            runs.append(run)
    return runs


def run_folders(root: Path) -> list[Path]:
    """The folders below ``root`` that hold a spec.json, in name order. Symbolic links to folders
    are followed (a folder of links to runs kept elsewhere is a comparison), each real folder once,
    so a link that loops back is not followed round; a run directory's own folders are not searched."""
    found, seen = [], set()
    for folder, subfolders, files in os.walk(root, followlinks=True):
        real = os.path.realpath(folder)
        subfolders.sort()  # name order: which of two links to one run is kept does not vary
        if real in seen or "spec.json" in files:
            subfolders[:] = []
        if real in seen:
            continue
        seen.add(real)
        if "spec.json" in files:
            found.append(Path(folder))
    return sorted(found)


def _found(paths: list[Path]) -> list[RunDir]:
    runs = []
    for path in paths:
        path = Path(path)
        if (path / "spec.json").is_file():
            runs.append(RunDir(path))
            continue
        if not path.exists():
            raise RunDirError(f"{path}: no such folder; give run directories, or a folder holding them")
        if path.is_file():
            inside = f"; for its run, give the folder {path.parent}" if (path.parent / "spec.json").is_file() else ""
            raise RunDirError(f"{path}: a file; give run directories, or a folder holding them{inside}")
        found = run_folders(path) if path.is_dir() else []
        if not found:
            raise RunDirError(f"{path}: not a run directory (no spec.json) and holds none")
        runs.extend(RunDir(p) for p in found)
    return runs


def write_suite_info(out: Path, info: dict) -> None:
    """suite.json at a suite's output root: which suite (and file) its runs belong to."""
    try:
        file = os.path.relpath(Path(info["file"]).resolve(), Path(out).resolve())
    except ValueError:  # on another drive (Windows): no relative path exists
        file = str(Path(info["file"]).resolve())
    atomic.write_json(Path(out) / SUITE_FILE, dict(info, file=Path(file).as_posix()))


def suite_folder(path: Path) -> Path | None:
    """The suite output folder ``path`` is, or lies in (up to two levels below), if any."""
    path = Path(path)
    return next((f for f in (path, path.parent, path.parent.parent) if (f / SUITE_FILE).is_file()), None)


def run_suite_folder(run: RunDir) -> Path | None:
    """The suite output folder a run belongs to: found from the path it was reached by, else from
    where it really lies (a run reached through a symbolic link keeps its suite)."""
    return suite_folder(run.root.parent) or suite_folder(Path(os.path.realpath(run.root)).parent)


def lock_folder(run: RunDir) -> Path:
    """The folder whose lock guards writes to ``run``: its suite output folder, else the run itself."""
    return run_suite_folder(run) or run.root


def held_folders(runs: Iterable[RunDir]) -> dict[Path, str]:
    """The folders guarding writes to ``runs`` (:func:`lock_folder`) that a ganbench process holds
    now, with who holds each: their runs may still be training."""
    folders = sorted({lock_folder(run) for run in runs})
    return {folder: holder for folder in folders if (holder := lock.held_by(folder)) is not None}


def read_suite_info(path: Path) -> dict | None:
    """The suite.json of a suite output folder or of a run directory inside one, if any."""
    folder = suite_folder(path)
    if folder is None:
        return None
    try:
        info = json.loads((folder / SUITE_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise RunDirError(f"{folder / SUITE_FILE}: unreadable ({e}); delete it or pass --suite") from None
    wrong = _suite_info_problem(info)
    if wrong:
        raise RunDirError(
            f"{folder / SUITE_FILE}: not a suite.json ganbench wrote ({wrong}); delete it or pass --suite"
        )
    if isinstance(info.get("file"), str):  # stored relative to the folder; absolute in older runs
        info["file"] = os.path.normpath(folder / info["file"])
    return info


def _suite_info_problem(info) -> str | None:
    """What makes ``info`` unlike the suite.json run_suite writes (None when nothing does)."""
    if not isinstance(info, dict):
        return not_an_object(info)
    for key in ("name", "file", "profile", "device", "suite_hash"):
        if key in info and not isinstance(info[key], str):
            return f"field {key!r} is {info[key]!r}, not a string"
    runs = info.get("runs", [])
    if not isinstance(runs, list) or not all(_is_planned_run(run) for run in runs):
        return f"field 'runs' is {shortened(repr(runs), 80)}, not a list of [recipe, seed] pairs"
    scoring = info.get("scoring", {})
    kinds = {"samples": int, "backbone": str, "inception_weights": str}
    if not isinstance(scoring, dict) or any(
        k not in kinds or not isinstance(v, kinds[k]) or isinstance(v, bool) for k, v in scoring.items()
    ):
        return (
            f"field 'scoring' is {shortened(repr(scoring), 80)}, not samples (a number), backbone or inception_weights"
        )
    only = info.get("only", {})
    if not isinstance(only, dict) or not all(
        isinstance(names, list) and all(isinstance(n, str) for n in names) for names in only.values()
    ):
        return f"field 'only' is {shortened(repr(only), 80)}, not recipes each with a list of dataset names"
    training = info.get("training", {})
    if not isinstance(training, dict) or any(not _is_training_option(k, v) for k, v in training.items()):
        return (
            f"field 'training' is {shortened(repr(training), 80)}, not direction ({' or '.join(DIRECTIONS)}), "
            "compile or cuda_graph (true or false)"
        )
    return None


def _is_training_option(key, value) -> bool:
    return value in DIRECTIONS if key == "direction" else key in ("compile", "cuda_graph") and isinstance(value, bool)


def _is_planned_run(run) -> bool:
    return (
        isinstance(run, list)
        and len(run) == 2
        and isinstance(run[0], str)
        and isinstance(run[1], int)
        and not isinstance(run[1], bool)
        and run[1] >= 0
    )
