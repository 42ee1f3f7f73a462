"""Protocol-exact comparison with the papers: PacGAN's high-quality reverse KL, and ganbench's mean
against a published one in combined standard errors, worked by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest
import torch

from gan_bench.metrics import mixture, names
from gan_bench.reporting import published, tables
from gan_bench.reporting.versus_published import describe

MEANS = torch.tensor([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [10.0, 10.0]])
STD = 0.1


def test_pacgan_reverse_kl_counts_only_high_quality_samples():
    """Two modes hit by high-quality samples, evenly; a third mode nearest to far-off samples only."""
    good = torch.cat([MEANS[0].repeat(50, 1), MEANS[1].repeat(50, 1)])
    stray = (MEANS[2] + torch.tensor([3.0, 0.0])).repeat(100, 1)  # nearest mode 2, 30 std away
    s = mixture.scores(torch.cat([good, stray]), MEANS, STD)
    assert s["reverse_kl_hq"] == pytest.approx(math.log(2), rel=1e-12)  # shares ½, ½, 0, 0 against ¼ each
    # over every sample the shares are ¼, ¼, ½, 0: KL = 2·¼·log 1 + ½·log 2
    assert s["reverse_kl"] == pytest.approx(0.5 * math.log(2), rel=1e-12)
    assert mixture.metric_names(2500)["reverse_kl_hq"] == "reverse_kl_hq_2d_2500"
    assert names.direction("reverse_kl_hq_2d_2500") == names.LOWER
    nothing_good = mixture.scores(stray, MEANS, STD)
    assert nothing_good["reverse_kl_hq"] == pytest.approx(math.log(4))


def test_published_reverse_kl_sits_only_under_the_matching_protocol():
    for dataset in ("ring", "grid"):
        rows = published.published_rows(["reverse_kl_2d_2500"], dataset)
        assert rows == []
        pac = published.published_rows(["reverse_kl_hq_2d_2500"], dataset)
        assert {r["model"] for r in pac} == {"GAN", "PacGAN2", "PacGAN3", "PacGAN4"}


def summary_row(recipe: str, metric: str, values: list[float]) -> pd.Series:
    s = pd.Series(values, dtype=float)
    return pd.Series(
        {
            "recipe": recipe,
            f"{metric}_mean": s.mean(),
            f"{metric}_std": s.std(ddof=1),
            f"{metric}_n": len(values),
        }
    )


def test_vs_published_in_combined_standard_errors():
    # modes 6, 7, 8: mean 7, std 1, s.e. 1/√3; PacGAN2 on the ring: 7.9 ± 0.1 s.e.
    row = summary_row("toy-gan-pac2", "modes_2d_2500", [6.0, 7.0, 8.0])
    z = (7.0 - 7.9) / math.sqrt(1 / 3 + 0.01)  # -1.536
    assert describe("toy-gan-pac2", row, ["modes_2d_2500"], "ring") == f"PacGAN2: modes_2d_2500 outside ({z:+.1f} s.e.)"
    close = summary_row("toy-gan-pac2", "modes_2d_2500", [7.0, 8.0, 8.0])  # mean 7.667, s.e. 0.333
    z = (23 / 3 - 7.9) / math.sqrt(1 / 9 + 0.01)  # -0.67
    assert (
        describe("toy-gan-pac2", close, ["modes_2d_2500"], "ring") == f"PacGAN2: modes_2d_2500 within ({z:+.1f} s.e.)"
    )
    # toy-gan is PacGAN's GAN row; a recipe that reproduces no published model gets no cell
    assert describe("toy-gan", row, ["modes_2d_2500"], "ring").startswith("GAN: modes_2d_2500")
    assert describe("toy-gan-pac7", row, ["modes_2d_2500"], "ring") == ""
    # the sibling trained as PacGAN's released code stands beside the same rows
    assert describe("toy-gan-pacgan-code", row, ["modes_2d_2500"], "ring").startswith("GAN: modes_2d_2500")
    code = summary_row("toy-gan-pacgan-code-pac2", "modes_2d_2500", [7.0, 8.0, 8.0])
    assert describe("toy-gan-pacgan-code-pac2", code, ["modes_2d_2500"], "ring") == (
        f"PacGAN2: modes_2d_2500 within ({z:+.1f} s.e.)"
    )


def test_one_seed_against_a_published_se_uses_the_published_error_alone():
    row = pd.Series(
        {"recipe": "toy-gan", "modes_2d_2500_mean": 6.8, "modes_2d_2500_std": math.nan, "modes_2d_2500_n": 1}
    )
    got = describe("toy-gan", row, ["modes_2d_2500"], "ring")
    assert got == "GAN: modes_2d_2500 within (+1.0 s.e., one side's s.e. unknown)"  # (6.8 - 6.3) / 0.5


def test_report_table_shows_se_and_the_vs_published_column():
    runs = pd.DataFrame(
        {
            "suite": "toy",
            "dataset": "ring",
            "profile": "full",
            "device": "cpu",
            "recipe": ["toy-gan-pac2"] * 3 + ["toy-gan"] * 3,
            "seed": [0, 1, 2] * 2,
            "verdict": "converged",
            "modes_2d_2500": [6.0, 7.0, 8.0, 6.0, 6.0, 7.0],
        }
    )
    (table,) = tables.comparison(runs).values()
    pac2 = table[table["recipe"] == "toy-gan-pac2"].iloc[0]
    assert pac2["modes_2d_2500"] == "7.0 ± 1.0 (s.e. 0.6) ★"
    assert pac2["vs published"].startswith("PacGAN2: modes_2d_2500 outside (-1.5 s.e.)")
