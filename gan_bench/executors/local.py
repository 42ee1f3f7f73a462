"""Run specs one after another in this process. Finished runs stay on disk whatever happens next."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Callable

from gan_bench.config import RunSpec
from gan_bench.data import datasets
from gan_bench.rundir import RunDir
from gan_bench.runs import RunResult, check_run_dir, execute
from gan_bench.train.progress import Reporter


def run_dir_for(out: Path, spec: RunSpec, by_dataset: bool = False) -> RunDir:
    """<out>/<recipe>/seed-<n>, or <out>/<dataset>/<recipe>/seed-<n> for a suite of several datasets."""
    return RunDir(Path(out) / (spec.dataset if by_dataset else "") / spec.recipe / f"seed-{spec.seed}")


def run_all(specs: list[RunSpec], out: Path, resume: bool, reporter: Reporter,
            data_dir: Path | None = None, score: Callable[[RunDir], dict] | None = None) -> list[RunResult]:
    @lru_cache(maxsize=2)
    def load(name: str, direction: str):  # one verified load per dataset per suite (Loaded or TranslationSet)
        return datasets.load(name, data_dir, direction)

    by_dataset = len({spec.dataset for spec in specs}) > 1
    for spec in specs:  # refuse a conflicting directory before any training starts
        check_run_dir(spec, run_dir_for(out, spec, by_dataset), resume)
    return [execute(spec, run_dir_for(out, spec, by_dataset), resume, reporter, load, score) for spec in specs]
