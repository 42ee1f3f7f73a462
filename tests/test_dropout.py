"""ganbench's dropout: nn.Dropout's distribution and gradient, a faster CPU mask, fixed by the seed."""

import torch
from torch import nn

from gan_bench.nets.dropout import Dropout, cpu_uniform, dropout
from gan_bench.nets.mlp import mlp


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
