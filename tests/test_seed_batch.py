"""--batch-seeds: K seeds trained as one batched model write, bit for bit, the run directories of
their single-seed runs (CPU), resume alike after an interruption, and leave other recipes alone."""

import copy
import signal

import numpy as np
import pandas as pd
import pytest
import torch

from gan_bench.executors.local import run_all
from gan_bench.nets import grouped
from gan_bench.suite.run_spec import RunSpec
from gan_bench.suite.seed_groups import seed_groups
from gan_bench.training import signals
from gan_bench.training.progress import Reporter

SEEDS = (0, 1)


class StopAt(Reporter):
    """A reporter that sends this process SIGINT after ``at`` steps: the run checkpoints and stops."""

    def __init__(self, at: int):
        super().__init__()
        self.at, self.steps = at, 0

    def advance(self):
        self.steps += 1
        if self.steps == self.at:
            signal.raise_signal(signal.SIGINT)


def specs(recipe, seeds=SEEDS, steps=None, dataset="mnist"):
    return [RunSpec(recipe=recipe, seed=s, dataset=dataset, profile="smoke", device="cpu", steps=steps) for s in seeds]


def toy_specs(recipe, steps=60):
    """Two seeds of a toy recipe on the ring: 60 steps, past batch norm's and Adam's first steps."""
    return specs(recipe, steps=steps, dataset="ring")


def files(run_dir):
    """Every file a run writes whose bytes its result decides (timing.csv and env.json hold wall times)."""
    return {
        p.relative_to(run_dir).as_posix(): p
        for p in sorted(run_dir.rglob("*"))
        if p.is_file() and p.name not in ("timing.csv", "env.json")
    }


def assert_same_runs(a_root, b_root, recipe, seeds=SEEDS, exact=True):
    """Bit for bit; or, with ``exact=False``, every tensor and history value within CLOSE."""
    for seed in seeds:
        a, b = files(a_root / recipe / f"seed-{seed}"), files(b_root / recipe / f"seed-{seed}")
        assert a.keys() == b.keys()
        for name in a:
            if name.endswith(".pt"):
                sa, sb = torch.load(a[name], weights_only=True), torch.load(b[name], weights_only=True)
                assert_equal_states(sa, sb, f"{seed}/{name}", exact)
            elif not exact and name.endswith(".csv"):
                ta, tb = (torch.tensor(pd.read_csv(p).to_numpy()) for p in (a[name], b[name]))
                assert torch.allclose(ta, tb, **CLOSE), f"seed {seed}: {name} differs"
            elif exact or not name.endswith(".png"):  # grids of weights a rounding apart may differ by a level
                assert a[name].read_bytes() == b[name].read_bytes(), f"seed {seed}: {name} differs"


# The stacked (CUDA) layout emulated on CPU: baddbmm and mm round alike on AVX2 kernels but not on
# every instruction set (AVX-512 machines differ in the last bits), so there it must agree within this.
CLOSE = {"rtol": 1e-4, "atol": 1e-6}


def assert_equal_states(a, b, where, exact=True):
    if isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for k in a.keys() - {"wall_time"}:  # the checkpoint's record of elapsed time
            assert_equal_states(a[k], b[k], f"{where}.{k}", exact)
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_equal_states(x, y, f"{where}[{i}]", exact)
    elif torch.is_tensor(a):
        same = torch.equal(a, b) if exact or not a.is_floating_point() else torch.allclose(a, b, **CLOSE)
        assert same, f"{where} differs"
    else:
        assert a == b, where


@pytest.mark.slow
@pytest.mark.parametrize("recipe", ["tf-mlp", "slides-mlp", "keras-mlp", "torch-mlp"])
def test_batched_seeds_write_the_single_seed_runs(tmp_path, recipe):
    run_all(specs(recipe), tmp_path / "single", resume=False, reporter=Reporter())
    results = run_all(specs(recipe), tmp_path / "batched", resume=False, reporter=Reporter(), batch_seeds=2)
    assert [r.status for r in results] == ["trained"] * 2
    assert_same_runs(tmp_path / "single", tmp_path / "batched", recipe)
    # and the seeds really differ from each other
    h = [(tmp_path / "batched" / recipe / f"seed-{s}" / "history.csv").read_bytes() for s in SEEDS]
    assert len(set(h)) == 2


@pytest.fixture(params=["own", "stacked"])
def layout(request, monkeypatch):
    """own: each seed's own weights and ops (the CPU layout), bit for bit. stacked: the CUDA layout,
    stacked weights through batched matmuls, here on CPU: within CLOSE, since CPU baddbmm gives mm's
    bits on some instruction sets only."""
    if request.param == "stacked":
        monkeypatch.setattr(grouped, "stacks_weights", lambda device: True)
    return request.param


@pytest.mark.slow
def test_packed_recipe_batches_alike(tmp_path, layout):
    """Packing reshapes D's input per seed: tf-mlp-pac2, two seeds."""
    run_all(specs("tf-mlp-pac2", (0, 1)), tmp_path / "single", resume=False, reporter=Reporter())
    run_all(specs("tf-mlp-pac2", (0, 1)), tmp_path / "batched", resume=False, reporter=Reporter(), batch_seeds=2)
    assert_same_runs(tmp_path / "single", tmp_path / "batched", "tf-mlp-pac2", (0, 1), exact=layout == "own")


@pytest.mark.slow
def test_interrupted_batch_resumes_to_the_same_bits(tmp_path, layout):
    """A signal mid-run checkpoints every seed; --resume (batched again) ends where the single runs end.
    The stacked layout runs tf-mlp: keras-mlp's Adam (eps 1e-7 on near-zero gradients) amplifies a
    last-bit difference into percents within 30 steps, which no tolerance could tell from a bug."""
    recipe = "keras-mlp" if layout == "own" else "tf-mlp"
    run_all(specs(recipe), tmp_path / "single", resume=False, reporter=Reporter())
    with pytest.raises(signals.Interrupted):
        run_all(specs(recipe), tmp_path / "batched", resume=False, reporter=StopAt(12), batch_seeds=2)
    for seed in SEEDS:
        state = torch.load(
            tmp_path / "batched" / recipe / f"seed-{seed}" / "checkpoints" / "last.pt", weights_only=True
        )
        assert state["step"] == 12
    results = run_all(specs(recipe), tmp_path / "batched", resume=True, reporter=Reporter(), batch_seeds=2)
    assert [r.status for r in results] == ["resumed"] * 2
    assert_same_runs(tmp_path / "single", tmp_path / "batched", recipe, exact=layout == "own")


@pytest.mark.slow
@pytest.mark.parametrize("recipe", ["toy-gan", "toy-gan-pac2", "toy-gan-pacgan-code", "toy-gan-pacgan-code-pac2"])
def test_batched_toy_seeds_write_the_single_seed_runs(tmp_path, recipe):
    """G's batch norm (weights and running statistics), D's maxout and packing, per seed; PacGAN's
    code's per-member batch norm on [K, m, N, C] and its simultaneous step."""
    assert [len(group) for group in seed_groups(toy_specs(recipe), 2)] == [2]  # one batched model
    run_all(toy_specs(recipe), tmp_path / "single", resume=False, reporter=Reporter())
    results = run_all(toy_specs(recipe), tmp_path / "batched", resume=False, reporter=Reporter(), batch_seeds=2)
    assert [r.status for r in results] == ["trained"] * 2
    assert_same_runs(tmp_path / "single", tmp_path / "batched", recipe)


@pytest.mark.slow
@pytest.mark.parametrize("recipe", ["toy-gan", "toy-gan-pacgan-code"])
def test_interrupted_toy_batch_resumes_to_the_same_bits(tmp_path, layout, recipe):
    """Own layout: the single runs' bits. Stacked (CUDA) layout, whose batched matmuls and per-seed
    means round otherwise: the bits of the uninterrupted stacked batch (batch norm's statistics
    stacked, written back at the checkpoint and stacked again), and the first 6 steps' history
    within CLOSE of the single runs' (there AVX-512 kernels leave them 1e-6 apart at most; later a
    maxout piece whose lead flips on a last-bit difference routes D's gradient elsewhere, and Adam
    amplifies the rest: toy-gan's seed 1 is 1.3e-4 apart by step 9 and 5e-3 by step 18)."""
    run_all(toy_specs(recipe), tmp_path / "single", resume=False, reporter=Reporter())
    reference = tmp_path / "single"
    if layout == "stacked":
        reference = tmp_path / "whole"
        run_all(toy_specs(recipe), reference, resume=False, reporter=Reporter(), batch_seeds=2)
        for seed in SEEDS:
            a, b = (
                pd.read_csv(root / recipe / f"seed-{seed}" / "history.csv") for root in (tmp_path / "single", reference)
            )
            means = [c for c in a.columns if not c.endswith("_sd")]  # a window's spread of near-equal values is noise
            assert np.allclose(a[means].iloc[:2], b[means].iloc[:2], **CLOSE)  # steps 3 and 6
    with pytest.raises(signals.Interrupted):
        run_all(toy_specs(recipe), tmp_path / "batched", resume=False, reporter=StopAt(12), batch_seeds=2)
    results = run_all(toy_specs(recipe), tmp_path / "batched", resume=True, reporter=Reporter(), batch_seeds=2)
    assert [r.status for r in results] == ["resumed"] * 2
    assert_same_runs(reference, tmp_path / "batched", recipe)


@pytest.mark.parametrize("stacked", [False, True])
def test_grouped_toy_networks_compute_each_seeds_own(monkeypatch, stacked):
    """One forward and backward of a grouped toy G (bias-free Linear, batch norm, ReLU) and packed
    maxout D against each seed's own modules: outputs, gradients and running statistics (own
    layout: bit for bit; stacked: within CLOSE)."""
    from gan_bench.nets.toy import generator, maxout_discriminator

    monkeypatch.setattr(grouped, "stacks_weights", lambda device: stacked)
    torch.manual_seed(0)
    gs = [generator(2, (16, 16)) for _ in range(3)]
    ds = [maxout_discriminator(4, (8, 8), 5) for _ in range(3)]  # pac 2: 2 points of 2 coordinates
    own_g, own_d = copy.deepcopy(gs), copy.deepcopy(ds)
    cpu = torch.device("cpu")
    G, D = grouped.GroupedSequential(gs, 1, [], cpu), grouped.GroupedSequential(ds, 2, [], cpu)
    z = torch.randn(3, 10, 2)
    out = D(G(z))
    out.sum().backward()
    own = [d(g(x).reshape(5, 4)) for g, d, x in zip(own_g, own_d, z)]
    for o in own:
        o.sum().backward()
    same = (lambda a, b: torch.allclose(a, b, **CLOSE)) if stacked else torch.equal
    assert out.shape == (3, 5, 1) and all(same(out[k], own[k]) for k in range(3))
    for k, (g, d) in enumerate(zip(own_g, own_d)):
        grads = G.seed_grads(k) + D.seed_grads(k)
        assert all(same(a, p.grad) for a, p in zip(grads, [*g.parameters(), *d.parameters()], strict=True))
    assert all(int(g[1].num_batches_tracked) == 0 for g in gs)  # the grouped network keeps its own
    G.write_back(gs)
    for g, ref in zip(gs, own_g):
        assert int(g[1].num_batches_tracked) == 1
        assert same(g[1].running_mean, ref[1].running_mean) and same(g[1].running_var, ref[1].running_var)
        assert not torch.equal(g[1].running_mean, torch.zeros(16))


@pytest.mark.parametrize("stacked", [False, True])
def test_grouped_member_batch_norm_computes_each_seeds_own(monkeypatch, stacked):
    """PacGAN's code's G (per-member batch norm, 5 % running averages) on [K, m, N, z]: each seed's
    output, gradients and running mean and standard deviation are its own network's."""
    from functools import partial

    from gan_bench.nets.member_norm import MemberBatchNorm
    from gan_bench.nets.toy import generator

    monkeypatch.setattr(grouped, "stacks_weights", lambda device: stacked)
    torch.manual_seed(0)
    gs = [generator(2, (16, 16), norm=partial(MemberBatchNorm, momentum=0.05)) for _ in range(3)]
    for g in gs:  # weights away from their initial 1 and 0, so a mix-up of seeds would show
        torch.nn.init.uniform_(g[1].weight, 0.5, 1.5), torch.nn.init.uniform_(g[1].bias, -0.5, 0.5)
    own_g = copy.deepcopy(gs)
    G = grouped.GroupedSequential(gs, 1, [], torch.device("cpu"))
    z = torch.randn(3, 2, 5, 2)  # 3 seeds, 2 members of 5 packs
    out = G(z)
    (out * torch.arange(1.0, 3.0)).sum().backward()
    own = [g(x) for g, x in zip(own_g, z)]
    for o in own:
        (o * torch.arange(1.0, 3.0)).sum().backward()
    same = (lambda a, b: torch.allclose(a, b, **CLOSE)) if stacked else torch.equal
    assert out.shape == (3, 2, 5, 2) and all(same(out[k], own[k]) for k in range(3))
    for k, g in enumerate(own_g):
        assert all(same(a, p.grad) for a, p in zip(G.seed_grads(k), g.parameters(), strict=True))
    G.write_back(gs)
    for g, ref in zip(gs, own_g):
        for name in ("running_mean", "running_std"):
            assert same(getattr(g[1], name), getattr(ref[1], name)), name
        assert not torch.equal(g[1].running_std, torch.ones(16))
    assert not torch.equal(gs[0][1].running_mean, gs[1][1].running_mean)


def test_the_stacked_layout_runs_every_seed_in_the_ops_of_one(monkeypatch):
    """The CUDA layout's point: a grouped MLP D (hidden layers, a one-unit output layer, sigmoid)
    dispatches as many ops, forward and backward, for three seeds as for one."""
    from test_losses import CountOps

    from gan_bench.nets.mlp import mlp

    monkeypatch.setattr(grouped, "stacks_weights", lambda device: True)
    counts = []
    for k in (1, 3):
        torch.manual_seed(0)
        net = grouped.GroupedSequential(
            [mlp([784, 128, 64, 1], "lrelu0.2", "sigmoid") for _ in range(k)], 1, [], torch.device("cpu")
        )
        x = torch.rand(k, 32, 784)
        with CountOps() as count:
            net(x).sum().backward()
        counts.append(count.ops)
    assert counts[0] == counts[1]


def test_a_subclass_of_a_batchable_system_trains_one_seed_at_a_time(monkeypatch):
    """A plug-in deriving from ToyGAN (or MLPGAN) may change the step, which the batched system
    would not run: it is not batched."""
    from gan_bench.variants import get_recipe, seed_batch
    from gan_bench.variants.toy import ToyGAN

    class OwnStep(ToyGAN):
        def train_step(self, batch, generator):
            raise AssertionError("not run here")

    recipe = get_recipe("toy-gan")
    assert seed_batch.supports(recipe)
    monkeypatch.setattr(seed_batch, "system_class", lambda recipe: OwnStep)
    assert not seed_batch.supports(recipe)


def test_groups_only_batchable_runs_differing_in_seed():
    mixed = specs("tf-mlp", (0, 1, 2)) + specs("dcgan-mnist", (0, 1)) + specs("torch-mlp", (0, 1, 2))
    groups = seed_groups(mixed, 2)
    assert [[(s.recipe, s.seed) for s in g] for g in groups] == [
        [("tf-mlp", 0), ("tf-mlp", 1)],
        [("tf-mlp", 2)],
        [("dcgan-mnist", 0)],
        [("dcgan-mnist", 1)],
        [("torch-mlp", 0), ("torch-mlp", 1)],
        [("torch-mlp", 2)],
    ]
    assert all(len(g) == 1 for g in seed_groups(mixed, 1))
    other_steps = specs("tf-mlp", (0,)) + specs("tf-mlp", (1,), steps=7)
    assert [len(g) for g in seed_groups(other_steps, 3)] == [1, 1]


def test_only_runs_that_start_alike_share_a_group():
    """Resuming, a run's start is its last checkpoint's step: runs stopped at different steps, or
    whose checkpoint cannot be read (None), train one by one; a dcgan's is never read."""
    starts = {0: 12, 1: 12, 2: 0, 3: 0, 4: None, 5: 0}
    asked = []

    def begun_at(spec):
        asked.append((spec.recipe, spec.seed))
        return starts[spec.seed]

    runs = specs("tf-mlp", range(6)) + specs("dcgan-mnist", (0,))
    groups = seed_groups(runs, 3, begun_at)
    assert [[s.seed for s in g] for g in groups] == [[0, 1], [2, 3], [4], [5], [0]]
    assert ("dcgan-mnist", 0) not in asked


@pytest.mark.slow
def test_runs_stopped_at_different_steps_resume_one_by_one_to_their_own_bits(tmp_path):
    """Before, --batch-seeds refused them ("stopped at different steps; resume them without
    --batch-seeds"), partway through a suite run."""
    run_all(specs("keras-mlp"), tmp_path / "single", resume=False, reporter=Reporter())
    with pytest.raises(signals.Interrupted):  # seed 0 alone, stopped at step 12; seed 1 not begun
        run_all(specs("keras-mlp", (0,)), tmp_path / "mixed", resume=False, reporter=StopAt(12))
    results = run_all(specs("keras-mlp"), tmp_path / "mixed", resume=True, reporter=Reporter(), batch_seeds=2)
    assert [r.status for r in results] == ["resumed", "trained"]
    assert_same_runs(tmp_path / "single", tmp_path / "mixed", "keras-mlp")
