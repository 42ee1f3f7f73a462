"""The measurements of drawn samples, per modality: images (FID, IS, KID, precision/recall, class
coverage, conditional accuracy), Stacked MNIST (modes of 1000, KL) and 2D mixtures (PacGAN Table 1);
translation's are in ``scoring.translation``. Each returns (metrics, coverage, quality over time,
protocol)."""

from __future__ import annotations

import torch

from gan_bench import defaults
from gan_bench.metrics import coverage as coverage_mod
from gan_bench.metrics import evaluators, fidelity, inception, mixture, stacked
from gan_bench.metrics import names as metric_names
from gan_bench.rundir.layout import RunDir
from gan_bench.scoring import translation as score_translation
from gan_bench.scoring.drawing import generate, quality_samples, same_draw, sample_seed
from gan_bench.scoring.sample_format import LABELS
from gan_bench.training import checkpoint
from gan_bench.training.scatter import save_scatter
from gan_bench.variants.pixels import resized, to_uint8

REFERENCE_SPLIT = defaults.REFERENCE_SPLIT
EVALUATOR_SIZE = 28  # larger samples (dcgan's 64×64) are resized to the evaluator's input


def _snapshots(run: RunDir, system):
    return checkpoint.g_snapshots(run, system.G)


def _entry(value: float, protocol: dict) -> dict:
    return {"value": float(value), **protocol}


def cond_accuracy(
    logits: torch.Tensor, labels: torch.Tensor, evaluator_sha: str, labels_protocol: str = LABELS
) -> dict[str, dict]:
    """A conditional generator's samples: the share the evaluator puts in the class each was asked
    for (by default labels balanced, sample i asking for class i mod 10)."""
    n = len(labels)
    protocol = {
        "samples": n,
        "labels": labels_protocol,
        "backbone": fidelity.BACKBONE,
        "backbone_sha256": evaluator_sha,
    }
    return {
        metric_names.name("cond_accuracy", n): _entry((logits.argmax(dim=1) == labels.cpu()).double().mean(), protocol)
    }


def measure_images(generated: torch.Tensor, name: str, dataset, opts: dict, device: torch.device):
    """(metrics, coverage, evaluator logits) of uint8 images [N, 1, 28, 28] against ``dataset``'s
    test split: FID, IS, KID, precision/recall on the pinned evaluator (and Inception when asked)."""
    reference = dataset.test_images[:, None]
    cuda = device.type == "cuda"
    metrics, logits = fidelity.evaluator_scores(generated, reference, name, REFERENCE_SPLIT, cuda)
    if opts["backbone"] == "inception":
        metrics.update(
            inception.inception_metrics(generated, reference, REFERENCE_SPLIT, cuda, opts["inception_weights"])
        )
    cover = {
        **coverage_mod.coverage(logits, dataset.test_labels),
        "nonfinite_samples": False,
        "evaluator_sha256": evaluators.load(name)[1],
    }
    return metrics, cover, logits


def image_scores(run: RunDir, system, spec: dict, dataset, n: int, opts: dict, device: torch.device):
    """FID, IS, KID, precision/recall (evaluator, optionally Inception), class coverage, and for
    conditional recipes the evaluator's accuracy on the class each sample was asked for."""
    final_g = {k: v.clone() for k, v in system.G.state_dict().items()}  # before drawing moves a BN counter
    images, labels = generate(system, n, sample_seed(spec["seed"]), device, batch_norm=opts["batch_norm"])
    images = resized(images, EVALUATOR_SIZE)
    reference = dataset.test_images[:, None]
    evaluator_sha = evaluators.load(spec["dataset"])[1]
    metrics, cover, points = {}, {"nonfinite_samples": not bool(torch.isfinite(images).all())}, []
    if not cover["nonfinite_samples"]:
        generated = to_uint8(images)
        metrics, cover, logits = measure_images(generated, spec["dataset"], dataset, opts, device)
        if labels is not None:
            metrics.update(cond_accuracy(logits, labels, evaluator_sha))
    if opts["over_time"]:
        ref_stats = fidelity.reference_statistics(reference, spec["dataset"], REFERENCE_SPLIT, device)
        q = quality_samples(n)
        name = fidelity.metric_name("fid", fidelity.BACKBONE, q, REFERENCE_SPLIT)
        for step in _snapshots(run, system):
            if same_draw(system, final_g, q, n, opts["batch_norm"]):
                snap = images[:q]  # the final G's snapshot: its samples are drawn already
            else:
                snap = generate(system, q, sample_seed(spec["seed"]), device, batch_norm=opts["batch_norm"])[0]
                snap = resized(snap, EVALUATOR_SIZE)
            value, covered = None, None
            if torch.isfinite(snap).all():
                logits, features = fidelity.evaluator_outputs(to_uint8(snap), spec["dataset"], device)
                value = fidelity.fid_between(fidelity.fid_statistics(features), ref_stats)
                covered = coverage_mod.coverage(logits, dataset.test_labels)["modes_covered"]
            points.append({"step": step, name: value, "modes_covered": covered})
    protocol = {
        "reference_split": REFERENCE_SPLIT,
        "reference_samples": len(reference),
        "evaluator_sha256": evaluator_sha,
    }
    return metrics, cover, points, protocol


def stacked_protocol(n: int, evaluator_sha: str) -> dict:
    """How Stacked MNIST samples are scored (metrics.json's protocol of each metric)."""
    return {
        "samples": n,
        "modes_total": stacked.MODES,
        "protocol": "VEEGAN/PacGAN Table 2: each channel "
        "classified by the MNIST evaluator, mode = digit triple, captured with >= 1 sample",
        "backbone": fidelity.BACKBONE,
        "backbone_sha256": evaluator_sha,
    }


def stacked_measured(images: torch.Tensor, device: torch.device) -> tuple[dict, dict]:
    """(metrics, coverage) of uint8 Stacked MNIST images [N, 3, 28, 28]."""
    evaluator_sha = evaluators.load(stacked.EVALUATOR)[1]
    numbers = stacked.scores(images, device)
    protocol = stacked_protocol(len(images), evaluator_sha)
    metrics = {stacked.metric_names(len(images))[k]: _entry(numbers[k], protocol) for k in ("modes", "kl")}
    cover = {
        "modes_covered": numbers["modes"],
        "modes_total": stacked.MODES,
        "nonfinite_samples": False,
        "evaluator_sha256": evaluator_sha,
    }
    return metrics, cover


def stacked_scores(run: RunDir, system, spec: dict, dataset, n: int, opts: dict, device: torch.device):
    """Modes captured of 1000 and KL(p_gen ‖ uniform), each channel classified by the MNIST evaluator."""
    evaluator_sha = evaluators.load(stacked.EVALUATOR)[1]
    protocol = stacked_protocol(n, evaluator_sha)

    def measure(count: int) -> tuple[dict, dict] | None:
        images, _ = generate(system, count, sample_seed(spec["seed"]), device, batch_norm=opts["batch_norm"])
        if not torch.isfinite(images).all():
            return None
        numbers = stacked.scores(to_uint8(images), device)
        return {stacked.metric_names(count)[k]: numbers[k] for k in ("modes", "kl")}, numbers

    measured = measure(n)
    metrics, cover = {}, {"nonfinite_samples": measured is None}
    if measured is not None:
        metrics = {k: _entry(v, protocol) for k, v in measured[0].items()}
        cover = {
            "modes_covered": measured[1]["modes"],
            "modes_total": stacked.MODES,
            "nonfinite_samples": False,
            "evaluator_sha256": evaluator_sha,
        }
    points = []
    if opts["over_time"]:
        for step in _snapshots(run, system):
            snap = measure(quality_samples(n))
            name = stacked.metric_names(quality_samples(n))["modes"]
            points.append({"step": step, name: snap[0][name] if snap else None})
    return metrics, cover, points, {"evaluator_sha256": evaluator_sha}


def mixture_protocol(n: int, modes: int) -> dict:
    """How 2D mixture samples are scored (metrics.json's protocol of each metric)."""
    return {
        "samples": n,
        "modes_total": modes,
        "high_quality_radius_std": mixture.QUALITY_STDS,
        "protocol": "PacGAN Table 1: high quality within 3 std of the nearest mean; a mode is captured "
        "by >= 1 high-quality sample; reverse_kl: nearest-mode shares of all samples against uniform; "
        "reverse_kl_hq (PacGAN's): nearest-mode shares of the high-quality samples against uniform",
    }


MIXTURE_METRICS = ("modes", "high_quality", "reverse_kl", "reverse_kl_hq")


def mixture_measured(points: torch.Tensor, means: torch.Tensor, std: float) -> tuple[dict, dict]:
    """(metrics, coverage) of 2D points [N, 2] against the mixture's true ``means``."""
    numbers = mixture.scores(points, means, std)
    protocol, names = mixture_protocol(len(points), len(means)), mixture.metric_names(len(points))
    metrics = {names[k]: _entry(numbers[k], protocol) for k in MIXTURE_METRICS}
    cover = {
        "modes_covered": numbers["modes"],
        "modes_total": numbers["modes_total"],
        "mode_histogram": numbers["mode_histogram"],
        "nonfinite_samples": not bool(torch.isfinite(points).all()),
    }
    return metrics, cover


def mixture_scores(run: RunDir, system, spec: dict, dataset, n: int, opts: dict, device: torch.device):
    """Modes captured, % high quality and reverse KL against the mixture's true means (PacGAN Table 1)."""
    means, std = torch.tensor(dataset.modes["means"]), dataset.modes["std"]

    def drawn() -> torch.Tensor:
        return generate(system, n, sample_seed(spec["seed"]), device, batch_norm=opts["batch_norm"])[0]

    scored = drawn()
    save_scatter(
        run.scored_samples, scored, dataset.modes, f"{spec['recipe']['name']}, seed {spec['seed']}: the scored points"
    )  # counted as metrics.json counts them, unlike the training z's grids
    metrics, cover = mixture_measured(scored, means, std)
    names = mixture.metric_names(n)
    points = (
        [
            {"step": step, names["modes"]: mixture.scores(drawn(), means, std)["modes"]}
            for step in _snapshots(run, system)
        ]
        if opts["over_time"]
        else []
    )
    return metrics, cover, points, {}


SCORERS = {
    "gray28": image_scores,
    "rgb28": stacked_scores,
    "points": mixture_scores,
    "paired": score_translation.paired_scores,
    "unpaired": score_translation.unpaired_scores,
}
