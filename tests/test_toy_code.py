"""toy-gan-pacgan-code: PacGAN's released code's update (both gradients from one pass, at the
step's starting weights) and its batch norm in G (per pack member, running mean and std)."""

from __future__ import annotations

import copy

import pytest
import torch
import torch.nn.functional as F

from gan_bench.nets.member_norm import MemberBatchNorm
from gan_bench.scoring.drawing import batch_norm_protocol, generate
from gan_bench.variants import build_system, get_recipe

CPU = torch.device("cpu")


def randomised(bn: MemberBatchNorm) -> MemberBatchNorm:
    with torch.no_grad():
        bn.weight.copy_(torch.rand(3, generator=torch.Generator().manual_seed(1)) + 0.5)
        bn.bias.copy_(torch.randn(3, generator=torch.Generator().manual_seed(2)))
    return bn


def test_each_member_is_normalised_on_its_own_and_the_running_statistics_average_them():
    bn = randomised(MemberBatchNorm(3))
    x = torch.randn(2, 100, 3, generator=torch.Generator().manual_seed(0)) * torch.tensor([1.0, 3.0, 0.2]) + 2.0
    y = bn(x)
    for j in range(2):  # torch's own training-mode batch norm: biased variance, eps inside the root
        want = F.batch_norm(x[j], None, None, bn.weight, bn.bias, training=True, eps=1e-4)
        torch.testing.assert_close(y[j], want)
    means = x.mean(dim=1)  # [members, C]
    stds = (x.var(dim=1, unbiased=False) + 1e-4).sqrt()
    torch.testing.assert_close(bn.running_mean, 0.05 * means.mean(dim=0))
    torch.testing.assert_close(bn.running_std, 0.95 + 0.05 * stds.mean(dim=0))

    one = randomised(MemberBatchNorm(3))  # a 2-D batch is one member
    torch.testing.assert_close(one(x[1]), y[1])
    torch.testing.assert_close(one.running_std, 0.95 + 0.05 * stds[1])

    bn.eval()  # eval: the running standard deviation itself is the divisor
    points = torch.randn(7, 3, generator=torch.Generator().manual_seed(3))
    want = (points - bn.running_mean) / bn.running_std * bn.weight + bn.bias
    torch.testing.assert_close(bn(points), want)


def test_momentum_zero_leaves_the_running_statistics_alone():
    bn = MemberBatchNorm(3, momentum=0.0)
    bn(torch.randn(2, 10, 3))
    assert torch.equal(bn.running_mean, torch.zeros(3)) and torch.equal(bn.running_std, torch.ones(3))


@pytest.mark.parametrize("m", [1, 2, 3])
def test_a_step_takes_both_gradients_at_the_starting_weights_and_steps_both(m):
    torch.manual_seed(0)
    system = build_system(get_recipe(f"toy-gan-pacgan-code-pac{m}"), CPU)
    G0, D0 = copy.deepcopy(system.G), copy.deepcopy(system.D)
    real = torch.randn(100 * m, 2, generator=torch.Generator().manual_seed(1))
    system.train_step((real,), torch.Generator().manual_seed(2))

    # By hand, from the starting weights: member j of pack i is row i of G's j-th batch of 100.
    z = torch.randn(100 * m, 2, generator=torch.Generator().manual_seed(2))
    members = [G0(z[100 * j : 100 * (j + 1)]) for j in range(m)]
    with torch.no_grad():  # what G's first batch norm saw: each member's first layer
        first_layer = torch.stack([G0[0](z[100 * j : 100 * (j + 1)]) for j in range(m)])
    packs_fake = torch.cat(members, dim=1)  # [100, 2m]
    packs_real = real.reshape(100, 2 * m)
    d_real, d_fake = D0.net(packs_real), D0.net(packs_fake)
    bce = F.binary_cross_entropy_with_logits
    d_loss = bce(d_real, torch.ones_like(d_real)) + bce(d_fake, torch.zeros_like(d_fake))
    g_loss = bce(d_fake, torch.ones_like(d_fake))
    d_grads = torch.autograd.grad(d_loss, list(D0.parameters()), retain_graph=True)
    g_grads = torch.autograd.grad(g_loss, list(G0.parameters()))
    for p, want in zip(system.d_params, d_grads, strict=True):
        torch.testing.assert_close(p.grad, want)
    for p, want in zip(system.g_params, g_grads, strict=True):
        torch.testing.assert_close(p.grad, want)

    # Each optimiser took one Adam step from the starting weights with those gradients.
    recipe = system.recipe
    for net0, grads, net in ((G0, g_grads, system.G), (D0, d_grads, system.D)):
        params = list(net0.parameters())
        for p, g in zip(params, grads):
            p.grad = g
        torch.optim.Adam(params, lr=recipe.lr, betas=recipe.betas).step()
        for want, got in zip(params, net.parameters(), strict=True):
            torch.testing.assert_close(got, want)
    # and G's running mean moved 5 % toward the members' average
    torch.testing.assert_close(system.G[1].running_mean, 0.05 * first_layer.mean(dim=1).mean(dim=0))


def test_scoring_draws_with_the_running_statistics_and_batch_mode_keeps_them():
    torch.manual_seed(0)
    system = build_system(get_recipe("toy-gan-pacgan-code-pac2"), CPU)
    for _ in range(3):
        system.train_step((torch.randn(200, 2),), torch.Generator().manual_seed(4))
    before = {k: v.clone() for k, v in system.G.state_dict().items()}
    assert batch_norm_protocol(system, "running") == "running statistics (eval mode)"
    drawn, _ = generate(system, 300, 7, CPU, batch_norm="batch")
    assert all(torch.equal(before[k], v) for k, v in system.G.state_dict().items())
    z = system.inputs(100, torch.Generator().manual_seed(7))  # the first batch generate drew
    system.G.train()  # batch mode: the recipe's batches of 100, each normalised as one member
    for bn in (system.G[i] for i in (1, 4, 7, 10)):
        bn.momentum = 0.0
    with torch.no_grad():
        torch.testing.assert_close(drawn[:100], system.G(z))
    system.G.eval()
    with torch.no_grad():
        running, _ = generate(system, 300, 7, CPU)
    assert (running - drawn).abs().max() > 1e-3  # eval mode draws otherwise
