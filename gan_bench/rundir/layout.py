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

A suite's output folder holds suite.json (suite name, file, profile, device) beside <recipe>/seed-<n>/.
Its "file" is stored relative to that folder, so a results tree moved or committed with its suite
file keeps pointing at it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from gan_bench.errors import RunDirError
from gan_bench.rundir import atomic

SUITE_FILE = "suite.json"


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
    def scored_scatter(self) -> Path:
        return self.root / "scored-samples.png"

    def sample_grid(self, step: int) -> Path:
        return self.samples / f"step-{step:07d}.png"

    def g_snapshot(self, step: int) -> Path:
        return self.checkpoints / f"g-step-{step:07d}.pt"

    @property
    def complete(self) -> bool:
        return self.final_checkpoint.is_file()

    def read_spec(self) -> dict:
        try:
            return json.loads(self.spec.read_text())
        except (OSError, json.JSONDecodeError) as e:
            raise RunDirError(f"{self.spec}: cannot read the run's spec ({e})") from None


def find_runs(paths: list[Path]) -> list[RunDir]:
    """Run directories named directly, or found below a suite's output folder."""
    runs = []
    for path in paths:
        path = Path(path)
        if (path / "spec.json").is_file():
            runs.append(RunDir(path))
            continue
        found = sorted(p.parent for p in path.glob("**/spec.json")) if path.is_dir() else []
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


def read_suite_info(path: Path) -> dict | None:
    """The suite.json of a suite output folder or of a run directory inside one, if any."""
    path = Path(path)
    for folder in (path, path.parent, path.parent.parent):
        if (folder / SUITE_FILE).is_file():
            try:
                info = json.loads((folder / SUITE_FILE).read_text())
            except (OSError, json.JSONDecodeError) as e:
                raise RunDirError(f"{folder / SUITE_FILE}: unreadable ({e}); delete it or pass --suite") from None
            if isinstance(info.get("file"), str):  # stored relative to the folder; absolute in older runs
                info["file"] = str(folder / info["file"])
            return info
    return None
