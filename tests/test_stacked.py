"""Stacked MNIST: built deterministically with 1000 balanced modes; real data scores 1000 modes."""

import pytest
import torch

from gan_bench.data import catalogue, datasets, stacked
from gan_bench.metrics import stacked as stacked_metrics


@pytest.mark.slow
def test_build_is_deterministic_balanced_and_made_of_the_right_digits():
    mnist = catalogue.load("mnist")
    a = stacked.build(mnist)
    assert a.train_images.shape == (128_000, 3, 28, 28) and a.train_images.dtype == torch.uint8
    assert a.test_images.shape == (26_000, 3, 28, 28)
    assert torch.bincount(a.test_labels, minlength=1000).tolist() == [26] * 1000
    assert torch.bincount(a.train_labels, minlength=1000).tolist() == [128] * 1000
    # every channel of the first images is an MNIST test image of the digit its mode says
    digits = stacked.triple_digits(a.test_labels[:50])
    for i in range(50):
        for c in range(3):
            matches = (mnist.test_images == a.test_images[i, c]).flatten(1).all(dim=1)
            assert matches.any() and (mnist.test_labels[matches] == digits[i, c]).all()
    b = stacked.build(mnist)
    assert torch.equal(a.train_images, b.train_images) and a.sha256 == b.sha256


@pytest.mark.slow
def test_real_stacked_data_has_1000_modes_and_kl_below_002():
    data = datasets.load("stacked-mnist")
    s = stacked_metrics.scores(data.test_images, torch.device("cpu"))
    assert s["modes"] == 1000
    assert s["kl"] < 0.02


def test_one_repeated_image_is_one_mode_with_kl_log_1000():
    data = datasets.load("stacked-mnist")
    s = stacked_metrics.scores(data.test_images[:1].repeat(500, 1, 1, 1), torch.device("cpu"))
    assert s["modes"] == 1
    assert abs(s["kl"] - torch.log(torch.tensor(1000.0)).item()) < 1e-6
