"""ganbench's dropout: nn.Dropout's distribution and gradient, a faster CPU mask, fixed by the seed."""

import pytest
import torch
from torch import nn

from gan_bench.nets.dropout import Dropout, cpu_uniform, dropout
from gan_bench.nets.mlp import mlp
from gan_bench.rundir.repro import generator_at, rng_key, rng_state


def test_keeps_one_minus_p_scaled_and_zeroes_the_rest():
    torch.manual_seed(0)
    y = dropout(torch.ones(1000, 1000), 0.3)
    kept = y != 0
    assert abs(kept.float().mean().item() - 0.7) < 0.002  # 1e6 draws: std of the fraction ≈ 0.0005
    assert torch.equal(y[kept], torch.full_like(y[kept], 1 / 0.7))


def test_gradient_is_the_mask_scaled():
    torch.manual_seed(1)
    x = torch.randn(64, 32, requires_grad=True)
    y = dropout(x, 0.5)
    y.sum().backward()
    assert torch.equal(x.grad, (y != 0).float() * 2.0)


def test_same_seed_same_mask_and_new_draws_differ():
    torch.manual_seed(3)
    a, b = dropout(torch.ones(256, 256), 0.3), dropout(torch.ones(256, 256), 0.3)
    torch.manual_seed(3)
    assert torch.equal(dropout(torch.ones(256, 256), 0.3), a)
    assert not torch.equal(a, b)


def test_module_is_identity_in_eval_and_at_p_zero():
    x = torch.randn(8, 8)
    layer = Dropout(0.3).eval()
    assert torch.equal(layer(x), x)
    assert torch.equal(dropout(x, 0.0), x)
    assert isinstance(layer, nn.Dropout) and layer.p == 0.3


def test_mlp_recipes_use_it():
    net = mlp([4, 8, 1], "lrelu0.2", "sigmoid", dropout=0.3)
    assert [type(m) for m in net if isinstance(m, nn.Dropout)] == [Dropout]


def test_cpu_uniforms_are_float32_in_unit_interval_on_torch_rng():
    torch.manual_seed(5)
    u = cpu_uniform(torch.Size([1000, 1000]))
    assert u.dtype == torch.float32 and u.shape == (1000, 1000)
    assert 0.0 <= u.min().item() and u.max().item() < 1.0
    assert torch.equal(u * 2**24, (u * 2**24).round())  # 24-bit resolution, as torch.rand
    assert abs(u.mean().item() - 0.5) < 0.002 and abs(u.var().item() - 1 / 12) < 0.001
    after = torch.random.get_rng_state()
    torch.manual_seed(5)
    assert torch.equal(cpu_uniform(torch.Size([1000, 1000])), u)  # the global RNG state fixes it
    assert torch.equal(torch.random.get_rng_state(), after)  # and it advances that state alike


DEVICES = ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA"))]


@pytest.mark.parametrize("device", DEVICES)
def test_a_generator_at_the_global_state_draws_the_global_rngs_masks(device):
    """How a seed batch draws each seed's masks (on CUDA through F.dropout's own kernel with a
    generator): the output, the gradient and the state left behind are the global RNG's."""
    device = torch.device(device)
    torch.manual_seed(7)
    x = torch.randn(128, 96, device=device)
    generator = generator_at(rng_state(device), device)
    want_x, got_x = x.clone().requires_grad_(), x.clone().requires_grad_()
    want = [dropout(want_x, 0.3) for _ in range(2)]  # two draws: the state moves on alike
    got = [dropout(got_x, 0.3, generator=generator) for _ in range(2)]
    assert all(torch.equal(a, b) for a, b in zip(want, got)) and not torch.equal(want[0], want[1])
    torch.stack(want).sum().backward(), torch.stack(got).sum().backward()
    assert torch.equal(want_x.grad, got_x.grad)
    assert torch.equal(generator.get_state(), rng_state(device)[rng_key(device)])
    assert torch.equal(dropout(x, 0.3, training=False, generator=generator), x)


def test_a_generator_on_another_device_is_refused():
    with pytest.raises(ValueError, match="CPU .float32. or CUDA"):
        dropout(torch.ones(4, dtype=torch.float64), 0.3, generator=torch.Generator())
