import math

import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode

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


class CountOps(TorchDispatchMode):
    """How many aten ops reach a backend (on CUDA, about one kernel each)."""

    def __init__(self):
        super().__init__()
        self.ops = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.ops += 1
        return func(*args, **(kwargs or {}))


@pytest.mark.parametrize(
    ("name", "target"),
    [(name, t) for name in sorted(losses.LOSSES) for t in (1.0, 0.0, 0.9) if name != "raw_log" or t != 0.9],
)  # raw_log takes hard targets only
def test_per_seed_loss_is_each_seeds_loss_in_one_set_of_ops(name, target):
    """A seed stack's losses (the CUDA layout of --batch-seeds): each seed's value and gradient are
    its slice's, and four seeds dispatch the ops of one."""
    loss = losses.LOSSES[name]
    torch.manual_seed(0)
    x = torch.rand(4, 64, 1) * 0.98 + 0.01  # probabilities, or logits for bce_logits
    stacked, sliced = x.clone().requires_grad_(), x.clone().requires_grad_()
    got = losses.per_seed(loss, stacked, target)
    want = torch.stack([loss(part, target) for part in sliced.unbind()])
    assert got.shape == (4,) and torch.allclose(got, want, rtol=1e-6, atol=0)
    got.sum().backward(), want.sum().backward()
    assert torch.allclose(stacked.grad, sliced.grad, rtol=1e-5, atol=1e-12)
    counts = []
    for k in (1, 4):
        with CountOps() as count:
            losses.per_seed(loss, x[:k].clone().requires_grad_(), target).sum().backward()
        counts.append(count.ops)
    assert counts[0] == counts[1]
