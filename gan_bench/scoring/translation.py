"""Scoring translation runs (pix2pix, CycleGAN) on the held-out split of their task.

Paired data: L1, PSNR and SSIM of G(A) against the true B; the FID-type distance of G(A) against
the real test B in the evaluator's features; label preservation (the evaluator's accuracy on G(A)
against A's label). Unpaired data: the FID-type distance in each direction, cycle-consistency
L1, label preservation, and the L1 against the true mapping when the task knows it. Evaluator
metrics need a built-in task: translation folders have no evaluator and get the pixel metrics.
"""

from __future__ import annotations

import torch

from gan_bench import defaults
from gan_bench.metrics import coverage as coverage_mod
from gan_bench.metrics import evaluators, fidelity
from gan_bench.metrics import names as metric_names
from gan_bench.metrics import translation as tm
from gan_bench.rundir.repro import derived_seeds
from gan_bench.training import checkpoint
from gan_bench.training.signals import stop_scoring_if_requested
from gan_bench.variants.pixels import from_uint8, to_uint8
from gan_bench.variants.translation import to_signed, to_unit

QUALITY_SAMPLES = defaults.QUALITY_SAMPLES
BATCH = 500


def _seed(spec: dict) -> int:
    return derived_seeds(spec["seed"])["score"]


@torch.no_grad()
def translated(system, images: torch.Tensor, way: str, seed: int, device: torch.device) -> torch.Tensor:
    """uint8 images through G (way "ab") or F ("ba"), as floats in [0, 1]; dropout noise is seeded."""
    torch.manual_seed(seed)
    outs = []
    for i in range(0, len(images), BATCH):
        stop_scoring_if_requested()
        outs.append(system.translate(to_signed(images[i : i + BATCH]).to(device), way).cpu())
    return to_unit(torch.cat(outs))


def _evaluator_view(images: torch.Tensor, crop: int) -> torch.Tensor:
    """uint8 [N, 1, H, W] as the evaluator sees it: the task's padding cut off."""
    return images[..., crop : images.shape[-2] - crop, crop : images.shape[-1] - crop] if crop else images


def _evaluated(outputs: torch.Tensor, reference: torch.Tensor, dataset, device) -> tuple[dict, torch.Tensor]:
    """FID-type distance of outputs against reference (uint8) and the evaluator's logits on outputs."""
    crop = dataset.evaluator_crop
    generated, real = _evaluator_view(to_uint8(outputs), crop), _evaluator_view(reference, crop)
    fid, logits = fidelity.evaluator_scores(
        generated, real, dataset.evaluator, "test", device.type == "cuda", fid_only=True
    )
    return next(iter(fid.values())), logits


def _protocol(n: int, dataset, **extra) -> dict:
    return {"samples": n, "test_images": len(dataset.test_a), "direction": dataset.direction, **extra}


def counted(asked: int, used: int) -> dict:
    """The protocol's sample count: the test images scored, and the count asked for when the
    test split held fewer (metric names carry the count scored)."""
    return {"samples": used, **({"samples_asked": asked} if asked != used else {})}


def _label_entry(logits: torch.Tensor, labels: torch.Tensor, dataset) -> dict:
    sha = evaluators.get_pin(dataset.evaluator).sha256
    return {
        "value": float((logits.argmax(1) == labels).double().mean()),
        "samples": len(labels),
        "labels": "the class of the input image",
        "backbone": fidelity.BACKBONE,
        "backbone_sha256": sha,
    }


def paired_measured(out: torch.Tensor, dataset, device: torch.device) -> tuple[dict, dict]:
    """(metrics, coverage) of the translations ``out`` (floats in [0, 1]) of the first len(out) test A images."""
    n = len(out)
    target = from_uint8(dataset.test_b[:n])
    cover = {"nonfinite_samples": not bool(torch.isfinite(out).all())}
    metrics = {}
    if not cover["nonfinite_samples"]:
        names, proto = tm.paired_names(n), _protocol(n, dataset, target="the true B of each test A")
        metrics = {
            names["l1"]: {"value": tm.l1(out, target), **proto},
            names["psnr"]: {"value": tm.psnr(out, target), "data_range": 1.0, **proto},
            names["ssim"]: {"value": tm.ssim(out, target), **tm.SSIM_PROTOCOL, **proto},
        }
        if dataset.evaluator and "b" in dataset.evaluator_domains:
            labels = dataset.test_labels[:n]
            fid, logits = _evaluated(out, dataset.test_b, dataset, device)
            metrics[fidelity.metric_name("fid", fidelity.BACKBONE, n, "test")] = {
                **fid,
                "compares": "G(A) against the real test B",
            }
            metrics[metric_names.name("label_acc", n)] = _label_entry(logits, labels, dataset)
            cover = {**coverage_mod.coverage(logits, labels), "nonfinite_samples": False}
    return metrics, cover


def paired_scores(run, system, spec: dict, dataset, asked: int, opts: dict, device: torch.device):
    n = min(asked, len(dataset.test_a))
    out = translated(system, dataset.test_a[:n], "ab", _seed(spec), device)
    metrics, cover = paired_measured(out, dataset, device)
    points = []
    if opts["over_time"]:
        q = min(QUALITY_SAMPLES, len(dataset.test_a))
        name = tm.paired_names(q)["l1"]
        for step in checkpoint.g_snapshots(run, system.G):
            snap = translated(system, dataset.test_a[:q], "ab", _seed(spec), device)
            points.append(
                {
                    "step": step,
                    name: tm.l1(snap, from_uint8(dataset.test_b[:q])) if torch.isfinite(snap).all() else None,
                }
            )
    return (
        metrics,
        cover,
        points,
        {"task": dataset.name, "reference_split": defaults.REFERENCE_SPLIT, **counted(asked, n)},
    )


def unpaired_count(asked: int, dataset) -> int:
    """The test images an unpaired task is scored on, the same number from each domain."""
    return min(asked, len(dataset.test_a), len(dataset.test_b))


def way_measured(way: str, outputs: torch.Tensor, dataset, device: torch.device) -> tuple[dict, dict | None]:
    """One direction's metrics ("ab" or "ba") for the translations ``outputs`` (floats in [0, 1]) of
    its source domain's first len(outputs) test images: the L1 against the true mapping when the task
    knows it, and the FID-type distance and label preservation when an evaluator reads the target
    domain; with the evaluator's coverage (None without one)."""
    reference, domain = (dataset.test_b, "b") if way == "ab" else (dataset.test_a, "a")
    n = len(outputs)
    metrics = {}
    if dataset.true_mapping:
        proto = _protocol(n, dataset, target="the task's true translation of each test image")
        metrics[tm.unpaired_names(n)[f"mapping_l1_{way}"]] = {
            "value": tm.l1(outputs, from_uint8(reference[:n])),
            **proto,
        }
    labels = dataset.test_labels
    if not (dataset.evaluator and domain in dataset.evaluator_domains and labels is not None):
        return metrics, None
    fid, logits = _evaluated(outputs, reference, dataset, device)
    metrics[metric_names.name("fid_way", n, way=way)] = {
        **fid,
        "compares": f"G_{way}(test) against the real test {domain.upper()}",
    }
    metrics[metric_names.name("label_acc_way", n, way=way)] = _label_entry(logits, labels[:n], dataset)
    return metrics, coverage_mod.coverage(logits, labels[:n])


def cycle_measured(outputs: dict[str, torch.Tensor], dataset, device: torch.device) -> tuple[dict, dict]:
    """(metrics, coverage) of a CycleGAN pair's translations (floats in [0, 1]) of the first n test
    images of each domain: ``outputs`` "ab" and "ba", and, where those are finite, the round trips
    "aba" (F(G(a))) and "bab" (G(F(b))). The cycle L1, and each direction's metrics."""
    ab, ba = outputs["ab"], outputs["ba"]
    n = len(ab)
    a, b = dataset.test_a[:n], dataset.test_b[:n]
    cover = {"nonfinite_samples": not bool(torch.isfinite(ab).all() and torch.isfinite(ba).all())}
    if cover["nonfinite_samples"]:
        return {}, cover
    metrics = {
        tm.unpaired_names(n)["cycle_l1"]: {
            "value": 0.5 * (tm.l1(outputs["aba"], from_uint8(a)) + tm.l1(outputs["bab"], from_uint8(b))),
            **_protocol(n, dataset, compares="F(G(a)) with a and G(F(b)) with b, averaged"),
        }
    }
    for way, translations in (("ab", ab), ("ba", ba)):
        measured, way_cover = way_measured(way, translations, dataset, device)
        metrics.update(measured)
        if way_cover is not None and "modes_total" not in cover:
            cover = {**way_cover, "nonfinite_samples": False}
    return metrics, cover


def unpaired_scores(run, system, spec: dict, dataset, asked: int, opts: dict, device: torch.device):
    n = unpaired_count(asked, dataset)
    a, b = dataset.test_a[:n], dataset.test_b[:n]
    outputs = {
        "ab": translated(system, a, "ab", _seed(spec), device),
        "ba": translated(system, b, "ba", _seed(spec), device),
    }
    if all(bool(torch.isfinite(x).all()) for x in outputs.values()):
        outputs["aba"] = translated(system, to_uint8(outputs["ab"]), "ba", _seed(spec), device)
        outputs["bab"] = translated(system, to_uint8(outputs["ba"]), "ab", _seed(spec), device)
    metrics, cover = cycle_measured(outputs, dataset, device)
    points = []
    if opts["over_time"]:
        q = min(QUALITY_SAMPLES, len(dataset.test_a))
        name = tm.unpaired_names(q)["mapping_l1_ab" if dataset.true_mapping else "cycle_l1"]
        for step in checkpoint.g_snapshots(run, system.G):
            out = translated(system, dataset.test_a[:q], "ab", _seed(spec), device)
            if not torch.isfinite(out).all():
                value = None
            elif dataset.true_mapping:
                value = tm.l1(out, from_uint8(dataset.test_b[:q]))
            else:
                value = tm.l1(
                    translated(system, to_uint8(out), "ba", _seed(spec), device), from_uint8(dataset.test_a[:q])
                )
            points.append({"step": step, name: value})
    return (
        metrics,
        cover,
        points,
        {"task": dataset.name, "reference_split": defaults.REFERENCE_SPLIT, **counted(asked, n)},
    )
