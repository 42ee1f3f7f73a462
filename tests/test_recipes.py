"""Each recipe reproduces the facts of its tutorial."""

import pytest
import torch
from torch import nn

from gan_bench.data import catalogue
from gan_bench.nets.mlp import linears
from gan_bench.optimizers import Keras2Adam
from gan_bench.variants import RECIPES, build_system
from gan_bench.variants.mlp import prepare_images

CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def mnist():
    return catalogue.load("mnist").train_images


def system(name, seed=0):
    torch.manual_seed(seed)
    return build_system(RECIPES[name], CPU)


def shapes(net):
    return [(l.in_features, l.out_features) for l in linears(net)]


def kinds(net):
    return [type(m).__name__ for m in getattr(net, "net", net)]  # D is wrapped in Packed


# name: (G layer sizes, D layer sizes, G modules, D modules)
ARCH = {
    "tf-mlp": (
        [(128, 256), (256, 784)],
        [(784, 256), (256, 1)],
        ["Linear", "ReLU", "Linear", "Sigmoid"],
        ["Linear", "ReLU", "Linear", "Sigmoid"],
    ),
    "slides-mlp": (
        [(100, 128), (128, 784)],
        [(784, 128), (128, 1)],
        ["Linear", "ReLU", "Linear", "Sigmoid"],
        ["Linear", "ReLU", "Linear"],
    ),
    "keras-mlp": (
        [(100, 256), (256, 512), (512, 1024), (1024, 784)],
        [(784, 1024), (1024, 512), (512, 256), (256, 1)],
        ["Linear", "LeakyReLU"] * 3 + ["Linear", "Tanh"],
        ["Linear", "LeakyReLU", "Dropout"] * 3 + ["Linear", "Sigmoid"],
    ),
    "torch-mlp": (
        [(128, 256), (256, 512), (512, 1024), (1024, 784)],
        [(784, 1024), (1024, 512), (512, 256), (256, 1)],
        ["Linear", "LeakyReLU"] * 3 + ["Linear", "Tanh"],
        ["Linear", "LeakyReLU", "Dropout"] * 3 + ["Linear", "Sigmoid"],
    ),
}


@pytest.mark.parametrize("name", list(ARCH))
def test_layers_and_activations(name):
    s = system(name)
    g_shapes, d_shapes, g_kinds, d_kinds = ARCH[name]
    assert shapes(s.G) == g_shapes
    assert shapes(s.D) == d_shapes
    assert kinds(s.G) == g_kinds
    assert kinds(s.D) == d_kinds
    for m in list(s.G) + list(s.D.net):
        if isinstance(m, nn.LeakyReLU):
            assert m.negative_slope == 0.2
        if isinstance(m, nn.Dropout):
            assert m.p == 0.3


@pytest.mark.parametrize("name,std,bias", [("tf-mlp", 0.01, 0.0), ("slides-mlp", 0.05, 0.1)])
def test_normal_init_every_layer(name, std, bias):
    s = system(name)
    for layer in linears(s.G) + linears(s.D):
        w = layer.weight
        assert abs(w.mean().item()) < 0.1 * std + 3 * std / w.numel() ** 0.5
        assert w.std().item() == pytest.approx(std, rel=4 / (2 * w.numel()) ** 0.5 + 0.01)
        assert torch.all(layer.bias == bias)


def test_keras_init_first_layer_normal_then_glorot_uniform_zero_bias():
    s = system("keras-mlp")
    for net in (s.G, s.D):
        layers = linears(net)
        assert layers[0].weight.std().item() == pytest.approx(0.02, rel=0.05)
        for layer in layers[1:]:
            limit = (6 / (layer.in_features + layer.out_features)) ** 0.5
            assert layer.weight.abs().max().item() <= limit
            n = layer.weight.numel()
            assert layer.weight.std().item() == pytest.approx(limit / 3**0.5, rel=4 / (2 * n) ** 0.5 + 0.01)
        assert all(torch.all(l.bias == 0) for l in layers)


def test_torch_init_is_pytorch_default():
    s = system("torch-mlp")
    for layer in linears(s.G) + linears(s.D):
        bound = 1 / layer.in_features**0.5  # kaiming_uniform(a=sqrt(5)) and the bias share this bound
        assert layer.weight.abs().max().item() <= bound
        assert layer.bias.abs().max().item() <= bound
        assert layer.weight.abs().max().item() > 0.9 * bound


# name: lr, betas, eps
OPTIM = {
    "tf-mlp": (2e-4, (0.9, 0.999), 1e-8),
    "tf-mlp-fixed": (2e-4, (0.9, 0.999), 1e-8),
    "slides-mlp": (1e-3, (0.9, 0.999), 1e-8),
    "keras-mlp": (2e-4, (0.5, 0.999), 1e-7),
    "torch-mlp": (2e-4, (0.9, 0.999), 1e-8),
}


@pytest.mark.parametrize("name", list(OPTIM))
def test_separate_adam_per_network(name):
    s = system(name)
    lr, betas, eps = OPTIM[name]
    for opt, net in ((s.opt_g, s.G), (s.opt_d, s.D)):
        assert isinstance(opt, Keras2Adam if name == "keras-mlp" else torch.optim.Adam)
        group = opt.param_groups[0]
        assert (group["lr"], group["betas"], group["eps"]) == (lr, betas, eps)
        assert {id(p) for p in group["params"]} == {id(p) for p in net.parameters()}


# name: (train images, min, max, batch, sampling, z dist, z dim, full steps)
DATA = {
    "tf-mlp": (55000, 0.0, 1.0, 100, "tf_next_batch", "normal", 128, 100 * 550),
    "slides-mlp": (55000, 0.0, 1.0, 64, "tf_next_batch", "uniform", 100, 100_000),
    "keras-mlp": (60000, -1.0, 1.0, 128, "with_replacement", "normal", 100, 400 * 468),
    "torch-mlp": (60000, -1.0, 1.0, 512, "epoch_shuffle", "normal", 128, 200 * 118),
}


@pytest.mark.parametrize("name", list(DATA))
def test_data_range_batching_noise_and_length(name, mnist):
    n, lo, hi, batch, sampling, z_dist, z_dim, full = DATA[name]
    r = RECIPES[name]
    x = prepare_images(r, mnist)
    assert x.shape == (n, 784)
    assert (x.min().item(), x.max().item()) == (lo, hi)
    assert (r.batch_size, r.sampling, r.z_dist, r.z_dim) == (batch, sampling, z_dist, z_dim)
    assert r.profiles["full"].steps == full
    z = system(name).noise(20000, torch.Generator().manual_seed(0))
    if z_dist == "uniform":
        assert z.min().item() >= -1 and z.max().item() <= 1 and z.min().item() < -0.99
    else:
        assert z.mean().item() == pytest.approx(0, abs=0.01) and z.std().item() == pytest.approx(1, abs=0.01)


def test_tf_split_drops_the_first_5000_images(mnist):
    x = prepare_images(RECIPES["tf-mlp"], mnist)
    assert torch.equal(x[0], mnist[5000].reshape(784).float() / 255)


def test_scalings_match_their_frameworks(mnist):
    torch_x = prepare_images(RECIPES["torch-mlp"], mnist[:100])
    keras_x = prepare_images(RECIPES["keras-mlp"], mnist[:100])
    ref = mnist[:100].reshape(100, 784).float()
    assert torch.equal(torch_x, (ref / 255 - 0.5) / 0.5)  # ToTensor + Normalize(0.5, 0.5)
    assert torch.equal(keras_x, (ref - 127.5) / 127.5)


def test_documented_losses_labels_and_steps():
    r = RECIPES
    assert (r["tf-mlp"].loss, r["tf-mlp"].quirks, r["tf-mlp"].g_noise) == ("raw_log", {"raw_log": True}, "same")
    assert (r["slides-mlp"].loss, r["slides-mlp"].d_out, r["slides-mlp"].g_noise) == ("bce_logits", "none", "same")
    assert (r["keras-mlp"].loss, r["keras-mlp"].real_label, r["keras-mlp"].d_update) == ("keras_bce", 0.9, "concat")
    assert (r["torch-mlp"].loss, r["torch-mlp"].d_update, r["torch-mlp"].g_noise) == (
        "torch_bce",
        "separate_backward",
        "fresh",
    )
    assert r["slides-mlp"].profiles["full"].log_every == 100
    assert r["slides-mlp"].profiles["full"].sample_every == 500
    assert r["keras-mlp"].sample_count == 100 and r["tf-mlp"].sample_count == 10


MLP_NAMES = [n for n, r in RECIPES.items() if r.family == "mlp"]


@pytest.mark.parametrize("name", MLP_NAMES)
def test_every_recipe_records_its_source_and_profiles(name):
    r = RECIPES[name]
    title = {
        "tf-mlp": "the TensorFlow book, chapter 10",
        "tf-mlp-fixed": "the TensorFlow book, chapter 10",
        "slides-mlp": "the Hanyang AILAB GAN slides (2019)",
        "keras-mlp": "the Keras GAN notebook",
        "torch-mlp": "the PyTorch textbook, chapter 13",
    }[name]
    assert r.source.startswith(title) and "seed 0" not in r.source
    assert set(r.profiles) == {"full", "quick", "smoke"}
    assert r.profiles["smoke"].steps < r.profiles["quick"].steps < r.profiles["full"].steps


@pytest.mark.parametrize("name", MLP_NAMES)
def test_one_train_step_updates_both_networks(name, mnist):
    s = system(name)
    x = prepare_images(RECIPES[name], mnist[:6000])  # the TF split drops the first 5,000
    g0 = [p.clone() for p in s.G.parameters()]
    d0 = [p.clone() for p in s.D.parameters()]
    out = s.train_step((x[: RECIPES[name].batch_size],), torch.Generator().manual_seed(0))
    assert list(out) == list(s.scalars) and all(torch.isfinite(v) and v.dim() == 0 for v in out.values())
    assert 0 < out["d_real"].item() < 1 and 0 < out["d_fake"].item() < 1  # D(x), D(G(z)) are probabilities
    assert all(not torch.equal(a, b) for a, b in zip(g0, s.G.parameters()))
    assert all(not torch.equal(a, b) for a, b in zip(d0, s.D.parameters()))


def test_every_documented_quirk_has_a_sibling_without_it():
    """A quirk reproduced as written (True) has a registered recipe that differs in switching it off."""
    for name, r in RECIPES.items():
        for quirk in (q for q, on in r.quirks.items() if on):
            siblings = [
                other
                for other in RECIPES.values()
                if other.quirks.get(quirk) is False
                and {q: v for q, v in other.quirks.items() if q != quirk}
                == {q: v for q, v in r.quirks.items() if q != quirk}
                and other.family == r.family
            ]
            assert siblings, f"{name}: quirk {quirk} has no sibling that switches it off"


def test_tf_mlp_fixed_is_tf_mlp_with_the_log_on_logits(mnist):
    """The same model and step: with equal weights, one step's losses agree while nothing saturates,
    and only the loss, D's output layer and the quirk differ between the recipes."""
    a, b = RECIPES["tf-mlp"], RECIPES["tf-mlp-fixed"]
    differ = {k for k in a.facts() if a.facts()[k] != b.facts()[k]}
    assert differ == {"name", "quirks", "loss", "d_out"}
    raw, fixed = system("tf-mlp"), system("tf-mlp-fixed")
    fixed.G.load_state_dict(raw.G.state_dict())
    fixed.D.load_state_dict(raw.D.state_dict())
    x = prepare_images(a, mnist[:5100])[:100]
    out_raw = raw.train_step((x,), torch.Generator().manual_seed(0))
    out_fixed = fixed.train_step((x,), torch.Generator().manual_seed(0))
    for key in ("d_loss", "g_loss", "d_real", "d_fake"):
        assert out_fixed[key].item() == pytest.approx(out_raw[key].item(), rel=1e-5)
