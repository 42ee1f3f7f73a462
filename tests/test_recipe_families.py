"""Every recipe family beyond the MLPs, end to end at a tiny step count: the same spec gives the
same bits, another seed other bits, and the run is scored through its modality's path (Stacked
MNIST's 1000-mode counting included)."""

import math

import pytest
import torch

from gan_bench.executors.local import run_all
from gan_bench.rundir.layout import RunDir
from gan_bench.scoring.score_run import score_run
from gan_bench.suite.run_spec import RunSpec
from gan_bench.training.progress import Reporter

pytestmark = pytest.mark.slow

FAMILIES = {  # recipe: (dataset, steps, samples scored)
    "cgan": ("mnist", 10, 500),
    "cgan-normal-noise": ("mnist", 10, 500),
    "dcgan-mnist": ("mnist", 4, 500),
    "dcgan-mnist-fixed": ("mnist", 4, 500),
    "dcgan": ("mnist", 2, 500),
    "dcgan-stacked": ("stacked-mnist", 2, 1000),
    "toy-gan": ("ring", 40, 2500),
    "toy-gan-pac2": ("grid", 40, 2500),
    "toy-gan-pacgan-code-pac2": ("ring", 40, 2500),
    "pix2pix": ("edges2digits", 4, 500),
    "cyclegan": ("digits2bold", 4, 500),
}


def train(out, recipe, seed):
    dataset, steps, _ = FAMILIES[recipe]
    spec = RunSpec(recipe=recipe, dataset=dataset, seed=seed, profile="smoke", steps=steps, device="cpu")
    run_all([spec], out, resume=False, reporter=Reporter())
    return out / recipe / f"seed-{seed}"


def weights(run):
    state = torch.load(run / "checkpoints" / "final.pt", weights_only=True)["system"]
    return {f"{net}.{k}": v for net in ("G", "D") for k, v in state[net].items()}


@pytest.fixture(scope="module", params=list(FAMILIES))
def family(request, tmp_path_factory):
    root = tmp_path_factory.mktemp(request.param)
    runs = {
        "a": train(root / "a", request.param, 0),
        "b": train(root / "b", request.param, 0),
        "other": train(root / "other", request.param, 1),
    }
    return request.param, runs


def test_same_spec_same_bits_other_seed_other_bits(family):
    _, runs = family
    a, b, other = (runs[k] for k in ("a", "b", "other"))
    assert (a / "history.csv").read_bytes() == (b / "history.csv").read_bytes()
    wa, wb, wo = weights(a), weights(b), weights(other)
    assert wa.keys() == wb.keys() and all(torch.equal(wa[k], wb[k]) for k in wa)
    assert (a / "history.csv").read_bytes() != (other / "history.csv").read_bytes()
    floats = [k for k in wa if wa[k].is_floating_point()]
    assert any(not torch.equal(wa[k], wo[k]) for k in floats if k.startswith("G."))
    assert any(not torch.equal(wa[k], wo[k]) for k in floats if k.startswith("D."))


def test_the_run_is_scored_through_its_modality(family):
    recipe, runs = family
    dataset, _, samples = FAMILIES[recipe]
    result = score_run(RunDir(runs["a"]), samples=samples, over_time=False)
    metrics = {k: v["value"] for k, v in result["metrics"].items()}
    count = f"{samples // 1000}k" if samples % 1000 == 0 else str(samples)
    if dataset == "stacked-mnist":
        assert set(metrics) == {f"modes_stacked_lenet_{count}", f"kl_stacked_lenet_{count}"}
        modes = metrics[f"modes_stacked_lenet_{count}"]
        assert 1 <= modes <= 1000 and result["coverage"]["modes_covered"] == modes
        assert result["coverage"]["modes_total"] == 1000
        # n samples over m modes: KL(p ‖ uniform) = ln 1000 - H(p), and H(p) <= ln m
        assert math.log(1000) - math.log(modes) - 1e-9 <= metrics[f"kl_stacked_lenet_{count}"] <= math.log(1000)
    elif dataset in ("ring", "grid"):
        k = 8 if dataset == "ring" else 25
        assert set(metrics) == {"modes_2d_2500", "high_quality_2d_2500", "reverse_kl_2d_2500", "reverse_kl_hq_2d_2500"}
        assert result["coverage"]["modes_total"] == k and sum(result["coverage"]["mode_histogram"]) == 2500
        assert metrics["modes_2d_2500"] == result["coverage"]["modes_covered"]
    elif dataset == "edges2digits":
        assert {
            f"l1_{count}_test",
            f"psnr_{count}_test",
            f"ssim_{count}_test",
            f"fid_lenet_{count}_test",
            f"label_acc_lenet_{count}",
        } == set(metrics)
    elif dataset == "digits2bold":
        assert {f"cycle_l1_{count}_test", f"mapping_l1_ab_{count}_test", f"fid_ab_lenet_{count}_test"} <= set(metrics)
    else:
        expected = {
            f"is_lenet_{count}",
            f"fid_lenet_{count}_test",
            f"kid_lenet_{count}_test",
            f"precision_lenet_{count}_test",
            f"recall_lenet_{count}_test",
        }
        if recipe.startswith("cgan"):
            expected.add(f"cond_accuracy_lenet_{count}")
        assert set(metrics) == expected
        assert sum(result["coverage"]["class_histogram"]) == samples
    assert result["protocol"]["samples"] == samples
