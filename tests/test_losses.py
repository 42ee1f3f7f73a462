import math

import torch

from gan_bench.training import losses


def test_raw_log_has_no_epsilon():
    assert math.isinf(losses.raw_log(torch.tensor([0.0]), 1.0).item())
    assert abs(losses.raw_log(torch.tensor([0.5]), 0.0).item() + math.log(0.5)) < 1e-6


def test_keras_bce_clips_at_1e_minus_7():
    assert abs(losses.keras_bce(torch.tensor([0.0]), 1.0).item() + math.log(1e-7)) < 1e-3
    smoothed = losses.keras_bce(torch.tensor([0.9]), 0.9).item()
    assert abs(smoothed - (-(0.9 * math.log(0.9) + 0.1 * math.log(0.1)))) < 1e-6


def test_torch_bce_clamps_log_at_minus_100():
    assert losses.torch_bce(torch.tensor([0.0]), 1.0).item() == 100.0


def test_bce_logits_matches_the_formula():
    logits = torch.tensor([-2.0, 0.0, 3.0])
    expected = -torch.log(torch.sigmoid(logits)).mean()
    assert torch.allclose(losses.bce_logits(logits, 1.0), expected)
