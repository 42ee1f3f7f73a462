"""Translation scoring against planted generators whose answers are known: the oracle (the true
target), the identity, swapped domains (thinning where thickening is asked, and back) and a
constant output. Expected values come from NumPy and SciPy's own morphology, never from the
scorer."""

import dataclasses

import numpy as np
import pytest
import scipy.ndimage
import torch

from gan_bench.data import datasets
from gan_bench.metrics import evaluators
from gan_bench.scoring import translation as score_translation
from gan_bench.variants.translation import to_signed

CPU = torch.device("cpu")
N = 500
OPTS = {"over_time": False}
SPEC = {"seed": 0}


class Planted:
    """A stand-in for a trained system: ``translate`` applies the given functions to uint8 images."""

    def __init__(self, ab, ba=None):
        self.ways = {"ab": ab, "ba": ba or ab}

    def translate(self, x: torch.Tensor, way: str) -> torch.Tensor:
        images = ((x + 1.0) * 127.5).round().clamp(0, 255).to(torch.uint8)
        return to_signed(self.ways[way](images))


def lookup(sources: torch.Tensor, targets: torch.Tensor):
    table = {bytes(s.numpy().tobytes()): t for s, t in zip(sources, targets)}
    return lambda images: torch.stack([table[bytes(i.numpy().tobytes())] for i in images])


def identity(images):
    return images


def constant(images):
    return torch.zeros_like(images)


def unit(x: torch.Tensor) -> np.ndarray:
    return x.double().numpy() / 255.0


def per_image_psnr(out: np.ndarray, target: np.ndarray) -> float:
    mse = ((out - target) ** 2).reshape(len(out), -1).mean(axis=1)
    with np.errstate(divide="ignore"):
        db = np.minimum(10 * np.log10(1.0 / mse), 100.0)
    return float(db.mean())


def blank_class() -> int:
    model, _ = evaluators.load("mnist")
    return int(model(torch.zeros(1, 1, 28, 28, dtype=torch.uint8))[0].argmax())


def first(name: str):
    """The task with its test split cut to the first N images (so references are N images too)."""
    task = datasets.load(name)
    return dataclasses.replace(task, test_a=task.test_a[:N], test_b=task.test_b[:N], test_labels=task.test_labels[:N])


@pytest.fixture(scope="module")
def edges():
    return first("edges2digits")


@pytest.fixture(scope="module")
def bold():
    return first("digits2bold")


def paired(system, dataset):
    metrics, cover, _, _ = score_translation.paired_scores(None, system, SPEC, dataset, N, OPTS, CPU)
    return {k: v["value"] for k, v in metrics.items()}, cover


def unpaired(system, dataset):
    metrics, cover, _, _ = score_translation.unpaired_scores(None, system, SPEC, dataset, N, OPTS, CPU)
    return {k: v["value"] for k, v in metrics.items()}, cover


def test_paired_oracle_is_perfect(edges):
    a, b = edges.test_a[:N], edges.test_b[:N]
    m, cover = paired(Planted(lookup(a, b)), edges)
    assert m["l1_500_test"] == pytest.approx(0.0, abs=1e-6) and m["psnr_500_test"] == pytest.approx(100.0)
    assert m["ssim_500_test"] == pytest.approx(1.0, abs=1e-9)
    assert m["fid_lenet_500_test"] == pytest.approx(0.0, abs=1e-3)  # the very test B it is compared with
    # the evaluator's accuracy on the real test digits themselves
    model, _ = evaluators.load("mnist")
    real = (model(b)[0].argmax(1) == edges.test_labels[:N]).double().mean().item()
    assert m["label_acc_lenet_500"] == pytest.approx(real) and real > 0.98
    assert cover["modes_covered"] == 10


def test_paired_identity_scores_the_edges_against_the_digits(edges):
    a, b = edges.test_a[:N], edges.test_b[:N]
    m, _ = paired(Planted(identity), edges)
    assert m["l1_500_test"] == pytest.approx(np.abs(unit(a) - unit(b)).mean(), rel=1e-6)
    assert m["psnr_500_test"] == pytest.approx(per_image_psnr(unit(a), unit(b)), rel=1e-6)
    assert 0 < m["ssim_500_test"] < 0.9


def test_paired_constant_output_is_one_class_and_far(edges):
    b, labels = edges.test_b[:N], edges.test_labels[:N]
    m, cover = paired(Planted(constant), edges)
    assert m["l1_500_test"] == pytest.approx(unit(b).mean(), rel=1e-6)
    assert m["psnr_500_test"] == pytest.approx(per_image_psnr(np.zeros_like(unit(b)), unit(b)), rel=1e-6)
    assert m["label_acc_lenet_500"] == pytest.approx((labels == blank_class()).double().mean().item())
    assert cover["modes_covered"] == 1


def thicken(images):  # SciPy's grey dilation, 3×3: the task's true A -> B
    return torch.from_numpy(scipy.ndimage.grey_dilation(images.numpy(), size=(1, 1, 3, 3)))


def thin(images):
    return torch.from_numpy(scipy.ndimage.grey_erosion(images.numpy(), size=(1, 1, 3, 3)))


def test_unpaired_oracle_has_zero_mapping_and_cycle_error(bold):
    a, b = bold.test_a[:N], bold.test_b[:N]
    m, cover = unpaired(Planted(thicken, lookup(b, a)), bold)
    assert m["mapping_l1_ab_500_test"] == pytest.approx(0.0, abs=1e-6)
    assert m["mapping_l1_ba_500_test"] == pytest.approx(0.0, abs=1e-6)
    assert m["cycle_l1_500_test"] == pytest.approx(0.0, abs=1e-6)
    assert m["label_acc_ab_lenet_500"] > 0.95 and m["label_acc_ba_lenet_500"] > 0.98
    assert cover["modes_covered"] == 10


def test_unpaired_identity_is_cycle_perfect_but_maps_nothing(bold):
    a, b = bold.test_a[:N], bold.test_b[:N]
    m, _ = unpaired(Planted(identity), bold)
    assert m["cycle_l1_500_test"] == pytest.approx(
        0.0, abs=1e-6
    )  # a cycle-consistency loss alone cannot tell identity apart
    assert m["mapping_l1_ab_500_test"] == pytest.approx(np.abs(unit(a) - unit(b)).mean(), rel=1e-6)
    assert m["mapping_l1_ba_500_test"] == pytest.approx(m["mapping_l1_ab_500_test"], rel=1e-6)


def test_unpaired_swapped_domains_thin_where_they_should_thicken(bold):
    a, b = bold.test_a[:N], bold.test_b[:N]
    m, _ = unpaired(Planted(thin, thicken), bold)
    assert m["mapping_l1_ab_500_test"] == pytest.approx(np.abs(unit(thin(a)) - unit(b)).mean(), rel=1e-6)
    assert m["mapping_l1_ba_500_test"] == pytest.approx(np.abs(unit(thicken(b)) - unit(a)).mean(), rel=1e-6)
    # F(G(a)) is an opening of a, G(F(b)) a closing of b
    opening = np.abs(unit(thicken(thin(a))) - unit(a)).mean()
    closing = np.abs(unit(thin(thicken(b))) - unit(b)).mean()
    assert m["cycle_l1_500_test"] == pytest.approx(0.5 * (opening + closing), rel=1e-6)
    assert m["mapping_l1_ab_500_test"] > 1.5 * np.abs(unit(a) - unit(b)).mean()  # worse than doing nothing


def test_unpaired_constant_output(bold):
    a, b, labels = bold.test_a[:N], bold.test_b[:N], bold.test_labels[:N]
    m, _ = unpaired(Planted(constant), bold)
    assert m["mapping_l1_ab_500_test"] == pytest.approx(unit(b).mean(), rel=1e-6)
    assert m["cycle_l1_500_test"] == pytest.approx(0.5 * (unit(a).mean() + unit(b).mean()), rel=1e-6)
    share = (labels == blank_class()).double().mean().item()
    assert m["label_acc_ab_lenet_500"] == pytest.approx(share) and m["label_acc_ba_lenet_500"] == pytest.approx(share)


def test_non_finite_output_gives_no_metrics_and_is_flagged(edges):
    m, cover = paired(Planted(identity), edges)
    assert m

    class Broken(Planted):
        def translate(self, x, way):
            return torch.full_like(x, float("nan"))

    metrics, cover, _, _ = score_translation.paired_scores(None, Broken(identity), SPEC, edges, N, OPTS, CPU)
    assert metrics == {} and cover == {"nonfinite_samples": True}
