"""Score a finished run: generate, measure, diagnose, and write metrics.json atomically.

Reads only the run directory (spec.json, history.csv, checkpoints/) and the dataset's test split;
writes only metrics.json. Scoring twice gives identical numbers: the samples come from a seed
derived from the run's seed, and torch-fidelity runs with a fixed rng_seed.
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch_fidelity

import gan_bench
from gan_bench import atomic
from gan_bench.data import catalogue
from gan_bench.errors import UserError
from gan_bench.repro import derived_seeds
from gan_bench.metrics import coverage as coverage_mod
from gan_bench.metrics import diagnostics, evaluators, fidelity, inception
from gan_bench.rundir import RunDir
from gan_bench.train import checkpoint
from gan_bench.variants import build_system, get_recipe

METRICS_FORMAT = 1
DEFAULT_SAMPLES = {"full": 10_000, "quick": 10_000, "smoke": 1_000}
QUALITY_SAMPLES = 2_000  # per intermediate checkpoint, for quality over time
REFERENCE_SPLIT = "test"
BACKBONES = ("lenet", "inception")


def sample_seed(seed: int) -> int:
    return derived_seeds(seed)["score"]


def _system(run: RunDir, spec: dict, device: torch.device):
    recipe = get_recipe(spec["recipe"]["name"])
    if recipe.model_dump(mode="json", exclude={"profiles"}) != spec["recipe"]:
        raise UserError(f"{run.spec}: recipe {recipe.name} has changed since this run was trained; "
                        f"score it with the ganbench version that trained it")
    return build_system(recipe, device)


@torch.no_grad()
def generate(system, n: int, seed: int, device: torch.device, batch: int = 1000) -> torch.Tensor:
    """n images as uint8 [n, 1, 28, 28] from a fixed z stream; NaN stays visible as NaN floats."""
    g = torch.Generator().manual_seed(seed)
    system.G.eval()
    chunks = [system.generate(system.noise(min(batch, n - i), g).to(device)).cpu() for i in range(0, n, batch)]
    return torch.cat(chunks)


def to_uint8(images: torch.Tensor) -> torch.Tensor:
    return (images * 255).round().clamp(0, 255).to(torch.uint8)


def quality_over_time(run: RunDir, system, spec: dict, reference_stats: dict, device: torch.device) -> list[dict]:
    """The FID-type metric (evaluator features) at each saved G snapshot."""
    name = fidelity.metric_name("fid", fidelity.BACKBONE, QUALITY_SAMPLES, REFERENCE_SPLIT)
    points = []
    for path in sorted(run.checkpoints.glob("g-step-*.pt")):
        state = checkpoint.load(path)
        system.G.load_state_dict(state["G"])
        images = generate(system, QUALITY_SAMPLES, sample_seed(spec["seed"]), device)
        if not torch.isfinite(images).all():
            points.append({"step": state["step"], name: None})
            continue
        _, features = fidelity.evaluator_outputs(to_uint8(images), spec["dataset"], device)
        points.append({"step": state["step"], name: fidelity.fid_between(fidelity.fid_statistics(features),
                                                                        reference_stats)})
    return points


def score_run(run: RunDir, samples: int | None = None, backbone: str = "lenet",
              inception_weights: Path | None = None, device: torch.device = torch.device("cpu"),
              over_time: bool = True, data_dir: Path | None = None) -> dict:
    if backbone not in BACKBONES:
        raise UserError(f"--backbone: unknown backbone {backbone!r}; valid: {', '.join(BACKBONES)}")
    spec = run.read_spec()
    if not run.complete:
        raise UserError(f"{run.root}: the run is not complete (no {run.final_checkpoint.name}); "
                        f"finish it with --resume before scoring")
    n = samples or DEFAULT_SAMPLES[spec["profile"]]
    dataset = catalogue.load(spec["dataset"], data_dir)
    reference = dataset.test_images[:, None]
    evaluator_sha = evaluators.load(spec["dataset"])[1]
    system = _system(run, spec, device)
    system.G.load_state_dict(checkpoint.load(run.final_checkpoint)["system"]["G"])
    images = generate(system, n, sample_seed(spec["seed"]), device)
    finite = bool(torch.isfinite(images).all())

    history = diagnostics.read_history(run.history)
    numbers = diagnostics.history_numbers(history)
    metrics, cover = {}, {"nonfinite_samples": not finite}
    if finite:
        generated = to_uint8(images)
        cuda = device.type == "cuda"
        metrics = fidelity.evaluator_metrics(generated, reference, spec["dataset"], REFERENCE_SPLIT, cuda)
        if backbone == "inception":
            metrics.update(inception.inception_metrics(generated, reference, REFERENCE_SPLIT, cuda, inception_weights))
        logits, _ = fidelity.evaluator_outputs(generated, spec["dataset"], device)
        cover = {**coverage_mod.coverage(logits, dataset.test_labels), "nonfinite_samples": False,
                 "evaluator_sha256": evaluator_sha}
    if over_time:
        ref_stats = fidelity.reference_statistics(reference, spec["dataset"], REFERENCE_SPLIT, device)
        numbers["quality_over_time"] = quality_over_time(run, system, spec, ref_stats, device)
    verdict, reason = diagnostics.verdict(numbers, cover)
    result = {
        "format": METRICS_FORMAT,
        "spec_hash": spec["spec_hash"],
        "recipe": spec["recipe"]["name"], "dataset": spec["dataset"], "seed": spec["seed"],
        "profile": spec["profile"],
        "protocol": {"samples": n, "sample_seed": sample_seed(spec["seed"]), "reference_split": REFERENCE_SPLIT,
                     "reference_samples": len(reference), "evaluator_sha256": evaluator_sha,
                     "torch_fidelity": torch_fidelity.__version__, "ganbench": gan_bench.__version__},
        "metrics": metrics,
        "coverage": cover,
        "diagnostics": {**numbers, "rules": diagnostics.RULES},
        "verdict": verdict,
        "verdict_reason": reason,
    }
    atomic.write_json(run.metrics, result)
    return result
