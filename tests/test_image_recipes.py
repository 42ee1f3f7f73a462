"""cgan, dcgan-mnist and dcgan reproduce the facts of their tutorials."""

import pytest
import torch
from torch import nn

from gan_bench.data import catalogue
from gan_bench.optimizers import TF1RMSProp
from gan_bench.scoring import modality_scores as score
from gan_bench.variants import RECIPES, build_system
from gan_bench.variants.dcgan_mnist import l2_penalty

CPU = torch.device("cpu")


def system(name, seed=0):
    torch.manual_seed(seed)
    return build_system(RECIPES[name], CPU)


@pytest.fixture(scope="module")
def mnist():
    return catalogue.load("mnist")


def layers(net, kind):
    return [m for m in net.modules() if isinstance(m, kind)]


def test_cgan_architecture_optimiser_and_noise():
    s = system("cgan")
    assert [(m.in_features, m.out_features) for m in layers(s.G, nn.Linear)] == [(138, 256), (256, 784)]
    assert [(m.in_features, m.out_features) for m in layers(s.D, nn.Linear)] == [(794, 256), (256, 1)]
    assert isinstance(list(s.G.modules())[-1], nn.Sigmoid) and not layers(s.D, nn.Sigmoid)
    assert s.opt_d.defaults["lr"] == 1e-3 and RECIPES["cgan"].batch_size == 100
    z, y = s.inputs(20_000, torch.Generator().manual_seed(0))
    assert -1 <= z.min() < -0.99 and 0.99 < z.max() <= 1 and y[:12].tolist() == [*range(10), 0, 1]
    z, _ = system("cgan-normal-noise").inputs(20_000, torch.Generator().manual_seed(0))
    assert abs(z.mean() + 1) < 0.01 and abs(z.std() - 1) < 0.01  # np.random.normal(-1., 1.): N(-1, 1)
    assert RECIPES["cgan-normal-noise"].quirks == {"normal_noise_mean_minus_one": True}


def test_cgan_step_uses_the_real_labels_and_grids_go_per_class(mnist):
    s = system("cgan")
    x, y = s.prepare(mnist)
    assert len(x) == 55_000 and torch.equal(y, mnist.train_labels[5000:]) and x.max() <= 1
    seen = []
    s.D.register_forward_hook(lambda m, i, o: seen.append(i[1].clone()))
    out = s.train_step((x[:100], y[:100]), torch.Generator().manual_seed(0))
    assert all(torch.isfinite(v) for v in out.values()) and all(torch.equal(labels, y[:100]) for labels in seen)
    assert s.grid_nrow == 10


@pytest.mark.slow
def test_conditional_accuracy_of_a_generator_that_draws_real_digits(mnist):
    """A planted G returning a real test digit of the asked class scores ~1; ignoring the class ~0.1."""
    s = system("cgan")
    by_class = [mnist.test_images[mnist.test_labels == c][:200].float() / 255 for c in range(10)]

    class Real(nn.Module):
        def __init__(self, honest):
            super().__init__()
            self.honest = honest

        def forward(self, z, y):
            asked = y if self.honest else torch.zeros_like(y)
            return torch.stack([by_class[c][i % 200] for i, c in enumerate(asked.tolist())]).flatten(1)

    spec = {"seed": 0, "dataset": "mnist"}
    opts = {"backbone": "lenet", "inception_weights": None, "over_time": False, "batch_norm": "running"}
    for honest, low, high in ((True, 0.97, 1.0), (False, 0.09, 0.11)):
        s.G = Real(honest)
        metrics, cover, _, _ = score.image_scores(None, s, spec, mnist, 2000, opts, CPU)
        assert low <= metrics["cond_accuracy_lenet_2k"]["value"] <= high


def test_dcgan_mnist_layers_dropout_quirk_and_optimiser():
    s = system("dcgan-mnist")
    convs = layers(s.D, nn.Conv2d)
    assert [(c.kernel_size, c.stride, c.out_channels) for c in convs] == [
        ((5, 5), (2, 2), 64),
        ((5, 5), (1, 1), 64),
        ((5, 5), (1, 1), 64),
    ]
    assert [m.out_features for m in layers(s.D, nn.Linear)] == [128, 1]
    assert [c.stride for c in layers(s.G, nn.ConvTranspose2d)] == [(2, 2), (2, 2), (1, 1), (1, 1)]
    assert not layers(s.G, nn.Dropout) and not layers(s.D, nn.Dropout)  # as written: dropout does nothing
    fixed = system("dcgan-mnist-fixed")
    assert {d.p for d in layers(fixed.D, nn.Dropout) + layers(fixed.G, nn.Dropout)} == {0.4}  # keep 0.6
    assert isinstance(s.opt_g, TF1RMSProp) and s.opt_g.defaults["lr"] == 1.5e-4
    assert all(
        bn.momentum == 0.01 and not bn.weight.requires_grad for bn in layers(s.G, nn.modules.batchnorm._BatchNorm)
    )
    z = s.inputs(10_000, torch.Generator().manual_seed(0))
    assert z.shape == (10_000, 64) and 0 <= z.min() < 0.01 and 0.99 < z.max() <= 1
    w = [torch.ones(3), torch.full((2,), 2.0)]
    assert l2_penalty(w, 1e-6).item() == pytest.approx(1e-6 * (3 + 8) / 2)


@pytest.mark.slow
def test_dcgan_mnist_balancing_rule_decides_each_update(mnist):
    """The rule as written, step by step; then with D's factor planted so that D is always held
    back (TF1's RMSProp warm-up keeps the first steps' losses too close for the recipe's own
    factors to skip anything within a few steps)."""
    (x,) = system("dcgan-mnist").prepare(mnist)
    for recipe, always_skip_d in (
        (RECIPES["dcgan-mnist"], False),
        (RECIPES["dcgan-mnist"].model_copy(update={"d_balance": 1e-3}), True),
    ):
        torch.manual_seed(0)
        s = build_system(recipe, CPU)
        g = torch.Generator().manual_seed(0)
        for i in range(4):
            d_before = [p.clone() for p in s.D.parameters()]
            out = s.train_step((x[64 * i : 64 * (i + 1)],), g)
            d_loss, g_loss, d_updated, g_updated = (
                out[k].item() for k in ("d_loss", "g_loss", "d_updated", "g_updated")
            )
            assert d_updated == float(not d_loss * recipe.d_balance < g_loss)
            assert g_updated == float(not g_loss * recipe.g_balance < d_loss)
            unchanged = all(torch.equal(a, b) for a, b in zip(d_before, s.D.parameters()))
            assert unchanged == (d_updated == 0)
            if always_skip_d:
                assert d_updated == 0


def test_dcgan_is_radford_at_64(mnist):
    s = system("dcgan")
    out = s.G(torch.randn(2, 100))
    assert out.shape == (2, 1, 64, 64) and isinstance(s.G[-1], nn.Tanh)
    convs = layers(s.D, nn.Conv2d)
    assert [c.stride for c in convs[:-1]] == [(2, 2)] * 4 and not layers(s.D, nn.MaxPool2d)
    assert len(layers(s.D, nn.BatchNorm2d)) == len(convs) - 2  # BN on every layer but the input (and the logit)
    assert len(layers(s.G, nn.BatchNorm2d)) == len(layers(s.G, nn.ConvTranspose2d)) - 1  # none at the output
    assert s.opt_g.defaults["betas"] == (0.5, 0.999) and s.opt_g.defaults["lr"] == 2e-4
    assert RECIPES["dcgan"].batch_size == 128
    w = layers(s.G, nn.ConvTranspose2d)[1].weight
    assert abs(w.std().item() - 0.02) < 0.002
    mini = type(mnist)(
        name="m",
        train_images=mnist.train_images[:10],
        train_labels=mnist.train_labels[:10],
        test_images=mnist.test_images[:1],
        test_labels=mnist.test_labels[:1],
    )
    (x,) = s.prepare(mini)
    assert x.shape == (10, 1, 64, 64) and x.min() >= -1 and x.max() <= 1 and x.min() < -0.99


def test_seed_000_lrelu_is_max_of_x_and_a_fifth_of_x():
    from gan_bench.nets.conv import LeakyMax

    torch.manual_seed(0)
    x = torch.randn(4096, dtype=torch.float32, requires_grad=True)
    y = LeakyMax()(x)
    assert torch.equal(y, torch.maximum(x, 0.2 * x))
    y.sum().backward()
    assert torch.equal(x.grad, torch.where(x > 0, 1.0, 0.2))
    assert layers(system("dcgan-mnist").G, LeakyMax) and layers(system("dcgan-mnist").D, LeakyMax)


def test_dcgan_mnist_fixed_drops_with_keep_0_6_in_training_only():
    from gan_bench.nets.dropout import Dropout

    s = system("dcgan-mnist-fixed")
    drops = layers(s.G, Dropout) + layers(s.D, Dropout)
    assert drops and all(d.p == pytest.approx(0.4) for d in drops)
    assert not layers(system("dcgan-mnist").D, nn.Dropout)  # as written, a no-op
    torch.manual_seed(1)
    y = drops[0](torch.ones(64, 64, 14, 14))
    assert abs((y != 0).float().mean().item() - 0.6) < 0.01
    assert torch.equal(drops[0].eval()(torch.ones(3, 3)), torch.ones(3, 3))
