"""What a metrics.json records of the options it was scored with, which `score` compares with
what it is asked before it keeps or refuses to replace the file."""

import pytest

from gan_bench.scoring.scored_already import asked, recorded


def result(g_batch_norm=None, backbones=("lenet",), samples=10_000):
    protocol = {"samples": samples, **({"g_batch_norm": g_batch_norm} if g_batch_norm else {})}
    return {"protocol": protocol, "metrics": {f"fid_{b}": {"value": 1.0, "backbone": b} for b in backbones}}


@pytest.mark.parametrize(
    ("g_batch_norm", "expected"),
    [
        ("running statistics (eval mode)", "running"),
        ("batch statistics (training mode), batches of 64", "batch"),
        ("none in G", None),  # either mode draws the same samples
        (None, "running"),  # translation recipes record none: G maps images in eval mode
    ],
)
def test_batch_norm_as_recorded(g_batch_norm, expected):
    assert recorded(result(g_batch_norm))["batch norm"] == expected


def test_backbone_and_samples_as_recorded():
    assert recorded(result(samples=1000)) == {"samples": 1000, "backbone": "lenet", "batch norm": "running"}
    assert recorded(result(backbones=("lenet", "inception")))["backbone"] == "inception"


def test_asked_takes_the_profiles_sample_count_unless_given():
    spec = {"dataset": "mnist", "profile": "smoke"}
    assert asked(spec, None, "lenet", "running") == {"samples": 1000, "backbone": "lenet", "batch norm": "running"}
    assert asked({**spec, "profile": "quick"}, None, "lenet", "batch")["samples"] == 10_000
    assert asked(spec, 250, "inception", "running")["samples"] == 250
