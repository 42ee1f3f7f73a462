"""Translation's pixel metrics on planted images with hand-worked values: L1, PSNR averaged per
image (not the PSNR of the mean error) with identical images at 100 dB, and SSIM of constant
images, where it reduces to the luminance term (2ab + C1) / (a² + b² + C1), C1 = (0.01 · 1)²."""

import math

import pytest
import torch

from gan_bench.metrics import translation as tm


def const(*values, size=16):
    return torch.stack([torch.full((1, size, size), float(v)) for v in values])


def test_l1_is_the_mean_absolute_difference():
    assert tm.l1(const(0.2, 0.9), const(0.5, 0.4)) == pytest.approx((0.3 + 0.5) / 2)


def test_psnr_is_the_mean_of_per_image_values():
    # MSE 0.01 -> 20 dB, MSE 0.0001 -> 40 dB: mean 30 dB (the PSNR of the mean MSE would be 22.97 dB)
    assert tm.psnr(const(0.1, 0.51), const(0.2, 0.5)) == pytest.approx(30.0, rel=1e-6)


def test_identical_images_count_as_100_db():
    assert tm.psnr(const(0.3, 0.1), const(0.3, 0.2)) == pytest.approx((100.0 + 20.0) / 2, rel=1e-6)


def test_ssim_of_constant_images_is_the_luminance_term():
    c1 = (0.01 * 1.0) ** 2

    def luminance(a, b):
        return (2 * a * b + c1) / (a * a + b * b + c1)

    assert tm.ssim(const(0.2), const(0.5)) == pytest.approx(luminance(0.2, 0.5), rel=1e-6)
    both = tm.ssim(const(0.2, 0.7), const(0.5, 0.7))
    assert both == pytest.approx((luminance(0.2, 0.5) + 1.0) / 2, rel=1e-6)
    assert tm.ssim(const(0.2, 0.7), const(0.5, 0.7), batch=1) == pytest.approx(both, rel=1e-12)


def test_names_carry_the_count_and_the_split():
    assert tm.paired_names(500) == {"l1": "l1_500_test", "psnr": "psnr_500_test", "ssim": "ssim_500_test"}
    assert tm.unpaired_names(10_000) == {
        "cycle_l1": "cycle_l1_10k_test",
        "mapping_l1_ab": "mapping_l1_ab_10k_test",
        "mapping_l1_ba": "mapping_l1_ba_10k_test",
    }
    assert math.isclose(tm.l1(const(0.0), const(1.0)), 1.0)


def test_psnr_above_100_db_is_capped_at_100():
    x = const(0.5)
    y = x + 3e-6  # MSE 9e-12: about 110 dB
    assert tm.psnr(x, y) == pytest.approx(100.0)


def test_ssim_is_the_mean_over_images_whatever_the_batches():
    c1 = (0.01 * 1.0) ** 2
    lum = (2 * 0.2 * 0.5 + c1) / (0.04 + 0.25 + c1)
    x, y = const(0.2, 0.7, 0.3), const(0.5, 0.7, 0.3)
    assert tm.ssim(x, y, batch=2) == pytest.approx((lum + 1 + 1) / 3, rel=1e-6)
