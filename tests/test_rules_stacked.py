"""Stacked MNIST counting on planted digit triples: 1000 modes, >= 1 sample captures one, and
KL(p_gen ‖ uniform over 1000), each expected value worked out by hand."""

import math

import pytest
import torch

from gan_bench.metrics import stacked


def test_mode_index_is_red_hundreds_green_tens_blue_units():
    red, green, blue = torch.tensor([0, 9, 3, 0]), torch.tensor([0, 9, 0, 7]), torch.tensor([0, 9, 5, 1])
    assert stacked.mode_index(red, green, blue).tolist() == [0, 999, 305, 71]


def test_one_sample_captures_a_mode():
    result = stacked.mode_scores(torch.tensor([7, 7, 7, 999]))
    assert result["modes"] == 2 and result["modes_total"] == 1000
    # p = (3/4, 1/4) on two modes against 1/1000 each: 3/4 ln 750 + 1/4 ln 250
    assert result["kl"] == pytest.approx(0.75 * math.log(750) + 0.25 * math.log(250), rel=1e-12)


def test_every_mode_once_is_1000_modes_and_zero_kl():
    result = stacked.mode_scores(torch.arange(1000).flip(0))
    assert result["modes"] == 1000
    assert result["kl"] == pytest.approx(0.0, abs=1e-12)


def test_all_samples_in_one_mode_is_kl_log_1000():
    result = stacked.mode_scores(torch.full((26,), 512))
    assert result["modes"] == 1
    assert result["kl"] == pytest.approx(math.log(1000), rel=1e-12)


def test_half_the_modes_evenly_is_kl_log_2():
    result = stacked.mode_scores(torch.arange(0, 1000, 2).repeat(3))
    assert result["modes"] == 500
    assert result["kl"] == pytest.approx(math.log(2), rel=1e-12)


def test_channels_are_classified_one_by_one_with_the_mnist_evaluator():
    """Three MNIST test digits the evaluator reads correctly, stacked as R, G, B, give their triple."""
    from gan_bench.data import catalogue

    mnist = catalogue.load("mnist")
    pick = {d: mnist.test_images[mnist.test_labels == d][0] for d in (2, 5, 8)}
    images = torch.stack([torch.stack([pick[2], pick[5], pick[8]]), torch.stack([pick[8], pick[8], pick[2]])])
    assert stacked.modes_of(images, torch.device("cpu")).tolist() == [258, 882]
    result = stacked.scores(images, torch.device("cpu"))
    assert result["modes"] == 2
    assert result["kl"] == pytest.approx(math.log(500), rel=1e-12)


def test_metric_names_carry_the_backbone_and_count():
    assert stacked.metric_names(26_000) == {"modes": "modes_stacked_lenet_26k", "kl": "kl_stacked_lenet_26k"}
    assert stacked.metric_names(2600) == {"modes": "modes_stacked_lenet_2600", "kl": "kl_stacked_lenet_2600"}
