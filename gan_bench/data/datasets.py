"""Every dataset a suite may name: the official files of the catalogue, and the datasets built
from them or from a formula (stacked MNIST, the 2D mixtures)."""

from __future__ import annotations

from pathlib import Path

from gan_bench.data import catalogue, mixtures, stacked
from gan_bench.data.catalogue import Loaded

BUILT = {"stacked-mnist": "rgb28", "ring": "points", "grid": "points"}
NAMES = (*catalogue.DATASETS, *BUILT)


def modality(name: str) -> str:
    return BUILT.get(name, "gray28")


def evaluator_dataset(name: str) -> str:
    """The dataset whose pinned evaluator scores ``name``'s images (each stacked channel is MNIST)."""
    return "mnist" if name == "stacked-mnist" else name


def load(name: str, data_dir: Path | None = None) -> Loaded:
    if name in mixtures.MIXTURES:
        return mixtures.build(name)
    if name == "stacked-mnist":
        return stacked.build(catalogue.load("mnist", data_dir))
    return catalogue.load(name, data_dir)
