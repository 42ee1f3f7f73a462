"""Score a finished run: generate, measure, diagnose, and write metrics.json atomically.

Reads only the run directory (spec.json, history.csv, checkpoints/) and the dataset's test split;
writes only metrics.json. Scoring twice gives identical numbers: the samples come from a seed
derived from the run's seed, and torch-fidelity runs with a fixed rng_seed.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

import gan_bench
from gan_bench.data import datasets
from gan_bench.errors import RunDirError
from gan_bench.metrics import diagnostics
from gan_bench.rundir import metrics_file
from gan_bench.rundir.identity import differences
from gan_bench.rundir.layout import RunDir
from gan_bench.rundir.trained_data import check_same_data
from gan_bench.scoring.drawing import batch_norm_protocol, sample_count, sample_seed
from gan_bench.scoring.modality_scores import SCORERS
from gan_bench.scoring.scorable import scorable_parts
from gan_bench.variants import build_system, get_recipe, plugins
from gan_bench.variants.recipe import PROVENANCE
from gan_bench.variants.registry import module_reference

METRICS_FORMAT = metrics_file.FORMAT


def _system(run: RunDir, spec: dict, device: torch.device, dataset):
    plugin = spec.get("plugin")
    recipe = get_recipe(module_reference(plugin) or spec["recipe"]["name"])
    if recipe.facts() != {k: v for k, v in spec["recipe"].items() if k not in PROVENANCE}:
        raise RunDirError(
            f"{run.spec}: recipe {recipe.name} has changed since this run was trained "
            f"({differences({'recipe': spec['recipe']}, {'recipe': recipe.facts()})}); "
            f"score it with the ganbench version that trained it"
        )
    changed = plugins.changed_source(plugin, recipe)
    if changed:
        raise RunDirError(
            f"{run.spec}: plug-in recipe {recipe.name}'s source has changed since this run was trained "
            f"({changed}); score it with the plug-in version that trained it"
        )
    return build_system(recipe, device, dataset)


def score_run(
    run: RunDir,
    samples: int | None = None,
    backbone: str = "lenet",
    inception_weights: Path | None = None,
    device: torch.device = torch.device("cpu"),
    over_time: bool = True,
    data_dir: Path | None = None,
    batch_norm: str = "running",
    load: Callable[[str, str], Any] | None = None,
) -> dict:
    """Score ``run`` and write its metrics.json; returns its content. ``load``: (dataset, direction)
    -> the dataset as ``datasets.load`` gives it, from what scores several runs (a suite's lane, a
    ``score`` call) and loads each dataset once; without it, the dataset is loaded here from ``data_dir``."""
    spec, final, history = scorable_parts(run, backbone, batch_norm)
    modality = datasets.modality(spec["dataset"])
    draws = modality not in ("paired", "unpaired")  # G draws from noise (translation maps test images)
    n = sample_count(spec, samples)
    load = load or (lambda name, direction: datasets.load(name, data_dir, direction))
    dataset = load(spec["dataset"], spec.get("direction", "AtoB"))
    check_same_data(run, spec["dataset"], dataset.sha256, dataset.files, "score")
    system = _system(run, spec, device, dataset)
    system.G.load_state_dict(final["system"]["G"])
    opts = {
        "backbone": backbone,
        "inception_weights": inception_weights,
        "over_time": over_time,
        "batch_norm": batch_norm,
    }
    metrics, cover, points, protocol = SCORERS[modality](run, system, spec, dataset, n, opts, device)
    numbers = diagnostics.history_numbers(history)
    if over_time:
        numbers["quality_over_time"] = points
    verdict, reason = diagnostics.verdict(numbers, cover, diagnostics.targets(spec["recipe"]))
    result = {
        "format": METRICS_FORMAT,
        "spec_hash": spec["spec_hash"],
        "recipe": spec["recipe"]["name"],
        "dataset": spec["dataset"],
        "seed": spec["seed"],
        "profile": spec["profile"],
        "protocol": {
            "samples": n,
            "sample_seed": sample_seed(spec["seed"]),
            **({"g_batch_norm": batch_norm_protocol(system, batch_norm)} if draws else {}),
            **protocol,
            "torch_fidelity": importlib.metadata.version("torch-fidelity"),
            "ganbench": gan_bench.__version__,
        },
        "metrics": metrics,
        "coverage": cover,
        "diagnostics": {**numbers, "rules": diagnostics.RULES},
        "verdict": verdict,
        "verdict_reason": reason,
    }
    return metrics_file.write(run, result)
