"""The 2D-mixture rules of PacGAN's Table 1 on planted points: the 3-std radius, a mode captured by
at least one high-quality sample, % high quality over all samples, and reverse KL of the
nearest-mode shares against uniform. Every expected value is worked out by hand."""

import math

import pytest
import torch

from gan_bench.metrics import mixture

MEANS = torch.tensor([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [10.0, 10.0]], dtype=torch.float64)
STD = 0.1  # 3 std = 0.3


def at(mode: int, distance: float, angle: float = 0.0) -> list[float]:
    x, y = MEANS[mode].tolist()
    return [x + distance * math.cos(angle), y + distance * math.sin(angle)]


def test_high_quality_means_within_3_std_of_the_nearest_mean():
    points = torch.tensor([at(0, 0.299), at(1, 0.301), at(2, 0.3 * 1.19, 1.0), at(3, 0.0)])
    result = mixture.scores(points, MEANS, STD)
    assert result["high_quality"] == pytest.approx(50.0)  # 2 of 4: the 0.299 and the 0.0
    assert result["captured"] == [True, False, False, True]
    assert result["modes"] == 2


def test_radius_is_euclidean_not_per_axis():
    # 0.25 along each axis: each within 0.3, but 0.354 away.
    result = mixture.scores(torch.tensor([[0.25, 0.25]]), MEANS, STD)
    assert result["high_quality"] == 0.0 and result["modes"] == 0


def test_radius_scales_with_the_mixture_std():
    points = torch.tensor([at(0, 0.5)])
    assert mixture.scores(points, MEANS, 0.1)["high_quality"] == 0.0
    assert mixture.scores(points, MEANS, 0.2)["high_quality"] == 100.0  # 3 std = 0.6


def test_one_high_quality_sample_captures_a_mode_and_low_quality_ones_do_not():
    # mode 0: one sample inside; mode 1: five samples just outside; mode 2: none.
    points = torch.tensor([at(0, 0.1)] + [at(1, 0.31, k) for k in range(5)] + [at(3, 0.2)] * 2)
    result = mixture.scores(points, MEANS, STD)
    assert result["captured"] == [True, False, False, True]
    assert result["modes"] == 2 and result["modes_total"] == 4
    assert result["mode_histogram"] == [1, 5, 0, 2]  # nearest mean, whatever the quality
    assert result["high_quality"] == pytest.approx(100 * 3 / 8)


def test_reverse_kl_is_of_the_nearest_mode_shares_against_uniform():
    # shares 1/2, 1/4, 1/4, 0 against 1/4 each: 1/2 ln 2 + 1/4 ln 1 + 1/4 ln 1 = ln(2)/2
    points = torch.tensor([at(0, 0.0)] * 2 + [at(1, 3.0)] + [at(2, 0.01)])
    result = mixture.scores(points, MEANS, STD)
    assert result["reverse_kl"] == pytest.approx(math.log(2) / 2, rel=1e-12)
    assert result["mode_histogram"] == [2, 1, 1, 0]


def test_reverse_kl_of_a_uniform_spread_is_zero_and_of_one_mode_log_k():
    even = torch.tensor([at(k, 0.05) for k in range(4)] * 3)
    assert mixture.scores(even, MEANS, STD)["reverse_kl"] == pytest.approx(0.0, abs=1e-12)
    one = torch.tensor([at(2, 0.05)] * 9)
    assert mixture.scores(one, MEANS, STD)["reverse_kl"] == pytest.approx(math.log(4), rel=1e-12)


def test_non_finite_samples_count_against_quality_but_not_in_the_shares():
    nan = float("nan")
    points = torch.tensor([at(0, 0.0), at(1, 0.0), [nan, 0.0], [float("inf"), 1.0]])
    result = mixture.scores(points, MEANS, STD)
    assert result["high_quality"] == pytest.approx(50.0)  # 2 of all 4 samples
    assert result["mode_histogram"] == [1, 1, 0, 0]
    assert result["reverse_kl"] == pytest.approx(math.log(2), rel=1e-12)  # shares 1/2, 1/2 of the finite ones
    assert result["modes"] == 2


def test_no_finite_sample_is_zero_modes_and_kl_log_k():
    result = mixture.scores(torch.full((5, 2), float("nan")), MEANS, STD)
    assert result["modes"] == 0 and result["high_quality"] == 0.0
    assert result["reverse_kl"] == pytest.approx(math.log(4), rel=1e-12)


def test_a_point_exactly_3_std_away_is_high_quality():
    # 1.5 = 3 · 0.5 exactly in binary floating point
    result = mixture.scores(torch.tensor([[1.5, 0.0], [10.0, 1.5000001]]), MEANS, 0.5)
    assert result["high_quality"] == pytest.approx(50.0) and result["captured"] == [True, False, False, False]


def test_every_mode_is_listed_when_the_last_ones_are_missed():
    result = mixture.scores(torch.tensor([at(0, 0.0)]), MEANS, STD)
    assert result["captured"] == [True, False, False, False] and result["mode_histogram"] == [1, 0, 0, 0]


def test_reverse_kl_is_exact_for_a_mixture_of_three():
    three = MEANS[:3]
    # shares 2/3, 1/3, 0 against 1/3: 2/3 ln 2 + 1/3 ln 1
    result = mixture.scores(torch.tensor([[0.0, 0.0], [0.0, 0.0], [10.0, 0.0]]), three, STD)
    assert result["reverse_kl"] == pytest.approx(2 / 3 * math.log(2), rel=1e-12)


def test_metric_names_carry_the_sample_count():
    assert mixture.metric_names(2500) == {
        "modes": "modes_2d_2500",
        "high_quality": "high_quality_2d_2500",
        "reverse_kl": "reverse_kl_2d_2500",
        "reverse_kl_hq": "reverse_kl_hq_2d_2500",
    }
    assert mixture.metric_names(3000)["modes"] == "modes_2d_3k"
