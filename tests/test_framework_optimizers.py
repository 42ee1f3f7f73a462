"""The framework optimisers against NumPy re-derivations of TF1's ApplyRMSProp and Keras 2's Adam
on fixed gradients, and the recipes that use them."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from gan_bench.optimizers import Keras2Adam, TF1RMSProp
from gan_bench.variants import get_recipe
from gan_bench.variants.registry import system_class


def fixed_gradients(steps: int, shape=(5, 3), seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.normal(0, 1, shape).astype(np.float32) * (1 + k % 3) for k in range(steps)]


def run_torch(optimizer_of, w0: np.ndarray, grads: list[np.ndarray]) -> np.ndarray:
    w = torch.nn.Parameter(torch.from_numpy(w0.copy()))
    opt = optimizer_of([w])
    for g in grads:
        w.grad = torch.from_numpy(g)
        opt.step()
    return w.detach().numpy()


def tf1_rmsprop_numpy(w, grads, lr, decay=0.9, momentum=0.0, eps=1e-10):
    """tf.train.RMSPropOptimizer as TF1's kernel writes it, slots initialised as TF1 does (ms = 1)."""
    w, ms, mom = w.copy(), np.ones_like(w), np.zeros_like(w)
    f = np.float32
    for g in grads:
        ms = ms + (g * g - ms) * f(1 - decay)
        mom = mom * f(momentum) + g * f(lr) / np.sqrt(ms + f(eps))
        w = w - mom
    return w


def keras2_adam_numpy(w, grads_and_t, lr, beta1, beta2, eps):
    """keras.optimizers.Adam.get_updates (Keras 2.x), with t read from the optimiser's iterations."""
    w, m, v = w.copy(), np.zeros_like(w), np.zeros_like(w)
    f = np.float32
    for g, t in grads_and_t:
        lr_t = f(lr) * np.sqrt(f(1) - np.power(f(beta2), f(t))) / (f(1) - np.power(f(beta1), f(t)))
        m = f(beta1) * m + f(1 - beta1) * g
        v = f(beta2) * v + f(1 - beta2) * g * g
        w = w - lr_t * m / (np.sqrt(v) + f(eps))
    return w


def test_tf1_rmsprop_matches_tf1_update_rule():
    w0, grads = np.random.default_rng(1).normal(0, 1, (5, 3)).astype(np.float32), fixed_gradients(300)
    got = run_torch(lambda p: TF1RMSProp(p, lr=1.5e-4), w0, grads)
    want = tf1_rmsprop_numpy(w0, grads, 1.5e-4)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)


def test_tf1_rmsprop_warms_up_where_torch_rmsprop_jumps():
    """The slot starts at 1: the first update is lr·g/√(0.9 + 0.1 g²), not torch's ≈ 3·lr·sign(g)."""
    w0, (g,) = np.zeros((4,), np.float32), [np.array([1e-3, -1e-3, 0.5, -2.0], np.float32)]
    tf1 = run_torch(lambda p: TF1RMSProp(p, lr=1.0), w0, [g])
    np.testing.assert_allclose(tf1, -g / np.sqrt(0.9 + 0.1 * g * g), rtol=1e-6)
    torch_rms = run_torch(lambda p: torch.optim.RMSprop(p, lr=1.0, alpha=0.9, eps=1e-10), w0, [g])
    np.testing.assert_allclose(torch_rms, -np.sign(g) / np.sqrt(0.1), rtol=1e-5)  # 3.16·sign(g)


def test_tf1_rmsprop_with_momentum_matches():
    w0, grads = np.ones((5, 3), np.float32), fixed_gradients(50, seed=3)
    got = run_torch(lambda p: TF1RMSProp(p, lr=1e-2, momentum=0.5), w0, grads)
    np.testing.assert_allclose(got, tf1_rmsprop_numpy(w0, grads, 1e-2, momentum=0.5), rtol=0, atol=1e-6)


def test_keras2_adam_single_model_matches_keras_update_rule():
    w0, grads = np.random.default_rng(2).normal(0, 1, (5, 3)).astype(np.float32), fixed_gradients(200, seed=4)
    got = run_torch(lambda p: Keras2Adam(p, lr=2e-4, betas=(0.5, 0.999), eps=1e-7), w0, grads)
    want = keras2_adam_numpy(w0, [(g, t) for t, g in enumerate(grads, 1)], 2e-4, 0.5, 0.999, 1e-7)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-7)


def test_keras2_adam_shared_counter_interleaves_two_models():
    """One Keras Adam compiled into D and the combined model: the updates alternate D, G, D, G and
    each advances one iterations counter, so D reads t = 1, 3, 5, … and G reads 2, 4, 6, …"""
    rng = np.random.default_rng(5)
    wd0, wg0 = rng.normal(0, 1, (4,)).astype(np.float32), rng.normal(0, 1, (6,)).astype(np.float32)
    gd, gg = fixed_gradients(100, (4,), seed=6), fixed_gradients(100, (6,), seed=7)
    wd, wg = torch.nn.Parameter(torch.from_numpy(wd0.copy())), torch.nn.Parameter(torch.from_numpy(wg0.copy()))
    opt_d = Keras2Adam([wd], lr=2e-4, betas=(0.5, 0.999), eps=1e-7, clock_stride=2, clock_offset=-1)
    opt_g = Keras2Adam([wg], lr=2e-4, betas=(0.5, 0.999), eps=1e-7, clock_stride=2)
    for a, b in zip(gd, gg):
        wd.grad, wg.grad = torch.from_numpy(a), torch.from_numpy(b)
        opt_d.step()
        opt_g.step()
    iterations = iter(range(1, 201))
    shared = [(a, next(iterations), b, next(iterations)) for a, b in zip(gd, gg)]
    want_d = keras2_adam_numpy(wd0, [(a, ta) for a, ta, _, _ in shared], 2e-4, 0.5, 0.999, 1e-7)
    want_g = keras2_adam_numpy(wg0, [(b, tb) for _, _, b, tb in shared], 2e-4, 0.5, 0.999, 1e-7)
    np.testing.assert_allclose(wd.detach().numpy(), want_d, rtol=0, atol=1e-7)
    np.testing.assert_allclose(wg.detach().numpy(), want_g, rtol=0, atol=1e-7)
    # and it is not the per-model counter: step 10 moves about ×1.41 further than a model's own t would
    own = keras2_adam_numpy(wd0, [(a, t) for t, a in enumerate(gd, 1)], 2e-4, 0.5, 0.999, 1e-7)
    assert np.abs(own - want_d).max() > 1e-5


def test_keras2_adam_state_round_trips_through_a_checkpoint():
    w0, grads = np.zeros((3,), np.float32), fixed_gradients(20, (3,), seed=8)
    straight = run_torch(lambda p: Keras2Adam(p, lr=1e-3, clock_stride=2, clock_offset=-1), w0, grads)
    w = torch.nn.Parameter(torch.from_numpy(w0.copy()))
    opt = Keras2Adam([w], lr=1e-3, clock_stride=2, clock_offset=-1)
    for g in grads[:7]:
        w.grad = torch.from_numpy(g)
        opt.step()
    state = opt.state_dict()
    w2 = torch.nn.Parameter(w.detach().clone())
    opt2 = Keras2Adam([w2], lr=1e-3, clock_stride=2, clock_offset=-1)
    opt2.load_state_dict(state)
    for g in grads[7:]:
        w2.grad = torch.from_numpy(g)
        opt2.step()
    assert np.array_equal(w2.detach().numpy(), straight)


@pytest.mark.parametrize("bad", [dict(lr=0.0), dict(lr=1e-3, betas=(1.0, 0.9)), dict(lr=1e-3, clock_offset=-1)])
def test_keras2_adam_refuses_bad_settings(bad):
    with pytest.raises(ValueError, match="Keras2Adam"):
        Keras2Adam([torch.nn.Parameter(torch.zeros(2))], **bad)


def test_recipes_use_their_frameworks_optimisers():
    build = lambda name: system_class(get_recipe(name))(get_recipe(name), torch.device("cpu"))  # noqa: E731
    keras = build("keras-mlp")
    assert isinstance(keras.opt_d, Keras2Adam) and isinstance(keras.opt_g, Keras2Adam)
    assert (keras.opt_d.defaults["clock_stride"], keras.opt_d.defaults["clock_offset"]) == (2, -1)
    assert (keras.opt_g.defaults["clock_stride"], keras.opt_g.defaults["clock_offset"]) == (2, 0)
    assert keras.opt_d.defaults["eps"] == 1e-7 and keras.opt_d.defaults["betas"] == (0.5, 0.999)
    for name in ("dcgan-mnist", "dcgan-mnist-fixed"):
        system = build(name)
        assert isinstance(system.opt_d, TF1RMSProp) and isinstance(system.opt_g, TF1RMSProp)
        assert system.opt_d.defaults == dict(lr=1.5e-4, decay=0.9, momentum=0.0, eps=1e-10)
    assert type(build("torch-mlp").opt_d) is torch.optim.Adam


def test_keras_mlp_first_step_follows_keras2_adam():
    """A real keras-mlp step: D's weights move exactly as the NumPy Keras 2 Adam moves them with its
    gradient at t = 1, and G's at t = 2."""
    recipe = get_recipe("keras-mlp")
    system = system_class(recipe)(recipe, torch.device("cpu"))
    d0 = [p.detach().clone() for p in system.d_params]
    g0 = [p.detach().clone() for p in system.g_params]
    real = torch.rand(recipe.batch_size, 784) * 2 - 1
    system.train_step((real,), torch.Generator().manual_seed(0))
    for params, before, t in ((system.d_params, d0, 1), (system.g_params, g0, 2)):
        for p, w0 in zip(params, before):
            g = p.grad.numpy()
            want = keras2_adam_numpy(w0.numpy(), [(g, t)], 2e-4, 0.5, 0.999, 1e-7)
            np.testing.assert_allclose(p.detach().numpy(), want, rtol=0, atol=1e-7)
