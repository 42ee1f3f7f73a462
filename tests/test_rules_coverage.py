"""Class coverage at its boundaries: the 2 % share rule, modes covered, KL(generated ‖ data) and
mean confidence. Every expected value is worked out by hand here, never by the code under test."""

import math

import pytest
import torch

from gan_bench.metrics import coverage


def confident_logits(counts: list[int]) -> torch.Tensor:
    """Logits whose argmax is class k for counts[k] of the rows, each with a softmax near 1."""
    labels = torch.cat([torch.full((c,), k) for k, c in enumerate(counts)])
    return torch.nn.functional.one_hot(labels, len(counts)).double() * 50.0


UNIFORM_TEST = torch.arange(10).repeat(100)  # a balanced reference split: 100 of each class


@pytest.mark.parametrize("rare,covered", [(20, 10), (19, 9)])
def test_a_class_needs_2_percent_of_the_samples(rare, covered):
    # 1000 samples, 10 classes: a fifth of the uniform share 1/10 is 2 %, i.e. 20 samples.
    counts = [rare] + [0] * 9
    counts[1] = 1000 - rare - 8 * 110
    counts[2:] = [110] * 8
    assert sum(counts) == 1000
    result = coverage.coverage(confident_logits(counts), UNIFORM_TEST)
    assert result["class_histogram"] == counts
    assert result["modes_covered"] == covered
    assert result["modes_total"] == 10
    assert result["mode_min_share"] == pytest.approx(0.02)


def test_share_rule_scales_with_the_number_of_classes():
    # 4 classes: a fifth of 1/4 is 5 %; of 200 samples that is 10.
    labels = torch.arange(4).repeat(50)
    assert coverage.coverage(confident_logits([10, 9, 90, 91]), labels, classes=4)["modes_covered"] == 3
    assert coverage.coverage(confident_logits([10, 10, 90, 90]), labels, classes=4)["modes_covered"] == 4


def test_mean_confidence_is_the_mean_top_probability():
    # Logits ln 9 for one class and 0 for the other nine: top probability 9 / (9 + 9) = 0.5.
    half = torch.zeros(4, 10, dtype=torch.float64)
    half[:, 3] = math.log(9)
    # Logits ln 81 against 0: 81 / (81 + 9) = 0.9.
    sure = torch.zeros(4, 10, dtype=torch.float64)
    sure[:, 5] = math.log(81)
    result = coverage.coverage(torch.cat([half, sure]), UNIFORM_TEST)
    assert result["mean_confidence"] == pytest.approx(0.7, abs=1e-12)
    assert result["class_histogram"][3] == 4 and result["class_histogram"][5] == 4


def test_mean_confidence_stays_a_probability_for_extreme_logits():
    big = torch.zeros(3, 10, dtype=torch.float64)
    big[:, 0] = 1e4  # a logit this large must not leak through as a confidence
    result = coverage.coverage(big, UNIFORM_TEST)
    assert result["mean_confidence"] == pytest.approx(1.0)
    flat = coverage.coverage(torch.zeros(5, 10), UNIFORM_TEST)
    assert flat["mean_confidence"] == pytest.approx(0.1)


def test_kl_is_generated_against_data_not_the_reverse():
    # Two classes. Generated shares 3/4, 1/4; data shares 1/2, 1/2.
    # KL(gen ‖ data) = 3/4 ln(3/2) + 1/4 ln(1/2) = 0.130812...; the reverse would be 0.143841...
    gen = confident_logits([3, 1])
    data = torch.tensor([0, 1])
    result = coverage.coverage(gen, data, classes=2)
    expected = 0.75 * math.log(1.5) + 0.25 * math.log(0.5)
    assert result["kl_generated_data"] == pytest.approx(expected, rel=1e-12)
    assert abs(expected - (0.5 * math.log(0.5 / 0.75) + 0.5 * math.log(0.5 / 0.25))) > 0.01


def test_kl_uses_the_data_split_class_shares():
    # Data 3:1, generated 1:1: KL = 1/2 ln((1/2)/(3/4)) + 1/2 ln((1/2)/(1/4)) = 0.143841...
    data = torch.tensor([0, 0, 0, 1])
    result = coverage.coverage(confident_logits([5, 5]), data, classes=2)
    assert result["kl_generated_data"] == pytest.approx(0.5 * math.log(2 / 3) + 0.5 * math.log(2), rel=1e-12)


def test_kl_skips_empty_generated_classes_and_is_log_k_for_one_class():
    # All samples in one of 10 balanced classes: 1 · ln(1 / 0.1) = ln 10; the 9 empty classes add 0.
    result = coverage.coverage(confident_logits([0, 0, 7, 0, 0, 0, 0, 0, 0, 0]), UNIFORM_TEST)
    assert result["kl_generated_data"] == pytest.approx(math.log(10), rel=1e-12)
    assert coverage.kl(torch.tensor([0.0, 1.0]), torch.tensor([0.5, 0.5])) == pytest.approx(math.log(2))
    assert coverage.kl(torch.tensor([0.5, 0.5]), torch.tensor([0.5, 0.5])) == 0.0


def test_histogram_counts_the_argmax_class():
    logits = torch.tensor([[0.0, 2.0, 1.0], [3.0, 0.0, 0.0], [0.0, 0.0, 0.5], [0.0, 5.0, 4.9]])
    assert coverage.coverage(logits, torch.tensor([0, 1, 2]), classes=3)["class_histogram"] == [1, 2, 1]


def test_classes_missing_from_the_data_split_still_count():
    # the data split lacks class 9 entirely; generated samples fall in classes 0 and 1 only
    data = torch.tensor([0, 1, 2])
    result = coverage.coverage(confident_logits([5, 5] + [0] * 8), data)
    assert len(result["class_histogram"]) == 10
    assert result["kl_generated_data"] == pytest.approx(2 * 0.5 * math.log(0.5 / (1 / 3)), rel=1e-12)
