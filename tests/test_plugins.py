"""Plug-in recipes: found by entry point or as module:attribute, validated by the registry,
recorded in spec.json with their source's sha256, trained, scored and gated beside the built-ins."""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

import gan_bench as gb
from gan_bench.cli import app
from gan_bench.errors import InvalidOption, PluginError, RunDirError
from gan_bench.variants import build_system, get_recipe, plugins, registry, seed_batch

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "ganbench-lsgan"
runner = CliRunner()

# A whole plug-in in one module: {name} is the recipe's name, {extra} goes into the system class.
PLUGIN = """
from typing import ClassVar, Literal

import torch
from torch import nn

from gan_bench.extend import GANSystem, RecipeBase, Schedule, frozen


class Tiny(GANSystem):
    {extra}
    def __init__(self, recipe, device, dataset=None):
        G = nn.Sequential(nn.Linear(8, 784), nn.Sigmoid())
        D = nn.Linear(784, 1)
        super().__init__(recipe, G, D, torch.optim.SGD(G.parameters(), lr=recipe.lr),
                         torch.optim.SGD(D.parameters(), lr=recipe.lr))

    def prepare(self, dataset):
        return (dataset.train_images.float().reshape(-1, 784) / 255,)

    def inputs(self, n, generator):
        return torch.randn((n, 8), generator=generator)

    @torch.no_grad()
    def generate(self, z):
        return self.G(z).view(len(z), 1, 28, 28)

    def train_step(self, batch, generator):
        real = batch[0]
        fake = self.G(self.inputs(len(real), generator))
        r, f = self.D(real), self.D(fake.detach())
        d_loss = nn.functional.softplus(-r).mean() + nn.functional.softplus(f).mean()
        d_grad = self.update("d", d_loss)
        with frozen(self.D):
            g_loss = nn.functional.softplus(-self.D(fake)).mean()
        g_grad = self.update("g", g_loss)
        return dict(d_loss=d_loss.detach(), g_loss=g_loss.detach(), d_real=torch.sigmoid(r).mean().detach(),
                    d_fake=torch.sigmoid(f).mean().detach(), g_grad_norm=g_grad, d_grad_norm=d_grad)


class TinyRecipe(RecipeBase):
    system: ClassVar = Tiny
    lr: float


s = Schedule(steps=6, log_every=2, sample_first=0, sample_every=3, checkpoint_every=3)
RECIPE = TinyRecipe(name="{name}", source="a test", choices={{}}, quirks={{}}, sampling="epoch_shuffle",
                    batch_size=16, steps_per_epoch=3750, sample_count=16, lr=0.01,
                    profiles={{"full": s, "quick": s, "smoke": s}})
"""


def plugin_module(
    folder: Path, name: str | None = None, extra: str = "pass", body: str | None = None
) -> tuple[str, str]:
    """Write a plug-in module into ``folder``; returns (module name, recipe name)."""
    module = f"plugin_{uuid.uuid4().hex[:10]}"
    recipe = name or module.replace("_", "-")
    (folder / f"{module}.py").write_text(body if body is not None else PLUGIN.format(name=recipe, extra=extra))
    return module, recipe


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """The working directory a plug-in module is found in; plug-ins registered here are removed after."""
    monkeypatch.chdir(tmp_path)
    before = set(registry.registered())
    yield tmp_path
    for name in set(registry.registered()) - before:
        registry.unregister_recipe(name)


def suite(folder: Path, recipes: list[str], thresholds: str = "") -> Path:
    path = folder / "mixed.toml"
    steps = '[steps]\n"tf-mlp" = 6\n' if "tf-mlp" in recipes else ""
    path.write_text(
        f'name = "mixed"\ndataset = "mnist"\nseeds = [0]\nrecipes = {json.dumps(recipes)}\n'
        f'profile = "smoke"\n{steps}{thresholds}'
    )
    return path


# -- the registry ------------------------------------------------------------------------------
def test_built_in_recipes_went_through_the_registry():
    from gan_bench.variants import image_recipes, mlp_recipes, toy_recipes, translation_recipes

    declared = [*mlp_recipes.RECIPES, *image_recipes.RECIPES, *toy_recipes.RECIPES, *translation_recipes.RECIPES]
    assert list(registry.builtin_recipes()) == declared and len(declared) == 17
    assert all(registry.origin(r) is None for r in registry.builtin_recipes().values())
    with pytest.raises(PluginError, match="'tf-mlp' is already taken by a built-in recipe"):
        registry.register(get_recipe("tf-mlp").model_copy(update={"lr": 1.0}), {"ref": "x:y"})
    with pytest.raises(InvalidOption, match="built-in recipe and cannot be removed"):
        registry.unregister_recipe("tf-mlp")


def test_every_built_in_system_keeps_the_contract_plug_ins_are_held_to():
    # built-in recipes register without importing their systems (so report and check load no torch)
    assert {name: registry.problems(r) for name, r in registry.builtin_recipes().items()} == dict.fromkeys(
        registry.builtin_recipes(), []
    )


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ("scalars = ('d_loss', 'g_loss')", "scalars must start with d_loss, g_loss, d_real"),
        ("scalars = ('d_loss', 'g_loss', 'd_real', 'd_fake', 'g_grad_norm', 'd_grad_norm', 'd_loss')", "repeat"),
        ("", "system Tiny does not implement train_step"),
    ],
)
def test_a_system_that_breaks_the_contract_is_refused_by_name(workdir, extra, words):
    if extra:
        module, _ = plugin_module(workdir, extra=extra)
    else:  # no train_step at all
        body = PLUGIN.format(name="no-step", extra="pass").replace("def train_step(", "def step(")
        module, _ = plugin_module(workdir, body=body)
    with pytest.raises(PluginError, match=words) as e:
        get_recipe(f"{module}:RECIPE")
    assert f"plug-in recipe '{module}:RECIPE'" in str(e.value)


@pytest.mark.parametrize(
    ("ref", "body", "words"),
    [
        ("{m}:RECIPE", "import not_a_module_anywhere\n", "failed to import (ModuleNotFoundError"),
        (
            "{m}:RECIPE",
            "raise RuntimeError('boom')\n",
            "failed to import (RuntimeError: boom (at {m}.py:1, in <module>))",
        ),
        (
            "{m}:RECIPE",
            "x = 1\nRECIPE = undefined\n",
            "(NameError: name 'undefined' is not defined (at {m}.py:2, in <module>))",
        ),
        ("{m}:RECIPE", "x = (\n", "failed to import (SyntaxError: '(' was never closed ({m}.py, line 1))"),
        (
            "{m}:RECIPE",
            "from gan_bench.extend import Schedule\nRECIPE = Schedule(steps=0, log_every=1, sample_first=0, sample_every=1, checkpoint_every=1)\n",
            "failed to import (ValidationError: Schedule field 'steps': Input should be greater than 0 (got 0) "
            "(at {m}.py:2, in <module>))",
        ),
        ("{m}:NOPE", "RECIPE = 1\n", "has no attribute 'NOPE'"),
        ("{m}:RECIPE", "RECIPE = {'name': 'x'}\n", "a dict is not a recipe"),
        ("{m}:", "", "expected module:attribute"),
    ],
)
def test_a_plugin_that_fails_to_load_is_one_message(workdir, ref, body, words):
    module, _ = plugin_module(workdir, body=body)
    with pytest.raises(PluginError) as refused:
        get_recipe(ref.format(m=module))
    assert words.format(m=module) in str(refused.value)


def test_plugin_names_follow_the_rules(workdir):
    for bad in ("Has Space", "tf-mlp", "ends-pac2"):
        module, _ = plugin_module(workdir, name=bad)
        with pytest.raises(PluginError, match="not valid|already taken"):
            get_recipe(f"{module}:RECIPE")


@pytest.mark.slow
def test_a_step_returning_other_names_stops_the_run_with_exit_2(workdir):
    body = PLUGIN.format(name="wrong-names", extra="pass")
    module, _ = plugin_module(
        workdir, body=body.replace("return dict(d_loss=", "return dict(loss=d_loss)\n        dict(d_loss=")
    )
    result = runner.invoke(app, ["run", "--suite", str(suite(workdir, [f"{module}:RECIPE"])), "--out", "o"])
    assert result.exit_code == 2
    assert "train_step returned loss; its system's scalars are d_loss, g_loss" in result.output
    left = [p.name for p in (workdir / "o").iterdir() if p.name != ".ganbench.lock"]
    assert left == ["suite.json"]  # tried before the run began


@pytest.mark.slow  # trains twice: about 7 s
def test_a_step_that_raises_leaves_no_run_directory_to_block_the_fixed_plugin(workdir):
    body = PLUGIN.format(name="raises", extra="pass")
    module, _ = plugin_module(workdir, body=body.replace("real = batch[0]", "real = batch[0].view(-1, 3)"))
    with pytest.raises(RuntimeError, match="shape '\\[-1, 3\\]' is invalid"):
        gb.train(f"{module}:RECIPE", profile="smoke", out="r")
    assert not (workdir / "r").exists()
    (workdir / f"{module}.py").write_text(body)  # fixed: the same command now trains
    registry.unregister_recipe("raises")
    sys.modules.pop(module, None)
    assert gb.train(f"{module}:RECIPE", profile="smoke", out="r").status == "trained"


@pytest.mark.slow  # trains twice: about 10 s
def test_the_plugin_probe_leaves_the_runs_bits_as_they_were(workdir, monkeypatch):
    from gan_bench.variants import plugin_probe

    module, _ = plugin_module(workdir, name="probed")
    gb.train(f"{module}:RECIPE", profile="smoke", out="with")
    monkeypatch.setattr(plugin_probe, "probe", lambda *args: None)
    gb.train(f"{module}:RECIPE", profile="smoke", out="without")
    from gan_bench.training import checkpoint

    with_probe, without = (
        checkpoint.load(workdir / o / "checkpoints" / "final.pt")["system"] for o in ("with", "without")
    )
    for net in ("G", "D"):
        assert with_probe[net].keys() == without[net].keys()
        assert all(torch.equal(with_probe[net][k], without[net][k]) for k in without[net])
    assert (workdir / "with" / "history.csv").read_text() == (workdir / "without" / "history.csv").read_text()


@pytest.mark.parametrize(
    ("returns", "words"),
    [
        (
            "self.G(z)",
            "generate returned shape [2, 784] for 2 inputs; it must return [N, 1, 28, 28] in [0, 1] "
            "(reshape it: .view(len(x), 1, 28, 28))",
        ),
        (
            "(self.G(z) * 2 - 1).view(len(z), 1, 28, 28)",
            "generate returned values in [-0.6938, 0.8005]; it must return images in [0, 1] "
            "(a tanh output x becomes (x + 1) / 2)",
        ),
        (
            "(self.G(z) * 255).round().to(torch.uint8).view(len(z), 1, 28, 28)",
            "generate returned a torch.uint8 tensor; it must return a float tensor [N, 1, 28, 28] in [0, 1]",
        ),
    ],
    ids=["flat", "tanh", "uint8"],
)
def test_a_generate_that_breaks_the_contract_stops_the_run_before_it_writes(workdir, returns, words):
    body = PLUGIN.format(name="bad-generate", extra="pass")
    module, _ = plugin_module(
        workdir, body=body.replace("return self.G(z).view(len(z), 1, 28, 28)", f"return {returns}")
    )
    result = runner.invoke(app, ["train", f"{module}:RECIPE", "--profile", "smoke", "--out", "r"])
    assert result.exit_code == 2, result.output
    assert f"error: plug-in recipe 'bad-generate': {words}" in " ".join(result.output.split())
    assert not (workdir / "r").exists()


# -- discovery ---------------------------------------------------------------------------------
def test_an_installed_entry_point_is_found_by_its_name(tmp_path, monkeypatch):
    """A distribution on sys.path offering ganbench.recipes (as `pip install` leaves it)."""
    info = tmp_path / "ganbench_lsgan-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: ganbench-lsgan\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text("[ganbench.recipes]\nlsgan-mlp = ganbench_lsgan:LSGAN_MLP\n")
    (info / "top_level.txt").write_text("ganbench_lsgan\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.syspath_prepend(str(EXAMPLE))
    recipe = get_recipe("lsgan-mlp")
    assert recipe.name == "lsgan-mlp" and "lsgan-mlp" in plugins.entry_point_names()
    found = registry.origin(recipe)
    assert found["entry_point"] == "lsgan-mlp" and found["ref"] == "ganbench_lsgan:LSGAN_MLP"
    assert found["dist"] == "ganbench-lsgan" and found["version"] == "0.1.0"
    assert len(found["source_sha256"]) == 64
    assert "lsgan-mlp" in [r.name for r in gb.list_recipes()]
    system = build_system(recipe, torch.device("cpu"))
    assert system.supports_cuda_graph and not seed_batch.supports(recipe)
    with pytest.raises(InvalidOption, match="lsgan-mlp declares no supports_packing"):
        get_recipe("lsgan-mlp-pac2")


def test_the_installed_distributions_are_read_once_until_an_install_changes_them(workdir, monkeypatch):
    """Indexing every distribution's files takes seconds, so it happens once per state of sys.path's
    folders; a distribution installed into one of them after that still becomes the recorded provider."""
    indexed, real = [], plugins.metadata.packages_distributions

    def counted():
        indexed.append(1)
        return real()

    monkeypatch.setattr(plugins.metadata, "packages_distributions", counted)
    plugins._providers.cache_clear()
    monkeypatch.syspath_prepend(str(workdir))
    module, _ = plugin_module(workdir)
    for _ in range(3):
        assert registry.origin(get_recipe(f"{module}:RECIPE"))["dist"] is None
    assert len(indexed) == 1
    installed, _ = plugin_module(workdir)
    info = workdir / "tinyplug-2.0.dist-info"  # as `pip install` leaves it in a folder on sys.path
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: tinyplug\nVersion: 2.0\n")
    (info / "top_level.txt").write_text(f"{installed}\n")
    found = registry.origin(get_recipe(f"{installed}:RECIPE"))
    assert (found["dist"], found["version"]) == ("tinyplug", "2.0") and len(indexed) == 2


def test_a_broken_installed_plugin_is_named_and_the_rest_still_listed(tmp_path, monkeypatch):
    """`ganbench list` prints the built-ins and every plug-in that loads, then one message per
    plug-in that does not, and exits 2; `gb.list_recipes()` raises unless told where errors go."""
    info = tmp_path / "brokenplug-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: brokenplug\nVersion: 0.1\n")
    module = f"brokenplug_{uuid.uuid4().hex[:8]}"
    (info / "entry_points.txt").write_text(f"[ganbench.recipes]\nbroken-gan = {module}:RECIPE\n")
    (tmp_path / f"{module}.py").write_text("raise ImportError('No module named tensorflow')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    expected = f"plug-in recipe 'broken-gan' (entry point {module}:RECIPE of brokenplug): failed to import"
    with pytest.raises(PluginError, match=r"failed to import \(ImportError: No module named tensorflow \(at "):
        gb.list_recipes()
    broken = []
    names = [r.name for r in gb.list_recipes(on_broken_plugin=broken.append)]
    assert names[0] == "tf-mlp" and "broken-gan" not in names
    assert [type(e) for e in broken] == [PluginError] and str(broken[0]).startswith(expected)
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 2
    assert "tf-mlp" in result.output and "datasets" in result.output and "Traceback" not in result.output
    assert result.output.count("error: ") == 1 and f"error: {expected}" in result.output


# -- a plug-in beside built-ins: run, spec.json, report, check, resume -------------------------
@pytest.mark.slow
def test_a_plugin_trains_scores_reports_and_gates_beside_a_built_in(workdir):
    module, recipe = plugin_module(workdir)
    thresholds = f'[thresholds.smoke."{recipe}"]\nmodes_covered = {{ min = 1 }}\n'
    path = suite(workdir, ["tf-mlp", f"{module}:RECIPE"], thresholds)
    result = gb.run_suite(path, out=workdir / "runs")
    assert [r.status for r in result.results] == ["trained", "trained"]
    spec = json.loads((workdir / "runs" / recipe / "seed-0" / "spec.json").read_text())
    plugin = spec["plugin"]
    assert plugin["ref"] == f"{module}:RECIPE" and plugin["dist"] is None
    assert plugin["source_sha256"] == plugins.source_sha256(get_recipe(recipe))
    assert spec["recipe"]["lr"] == 0.01 and spec["schedule"]["steps"] == 6
    history = (workdir / "runs" / recipe / "seed-0" / "history.csv").read_text().splitlines()
    assert history[0] == (
        "step,epoch,d_loss,g_loss,d_real,d_fake,g_grad_norm,d_grad_norm,d_loss_sd,g_loss_sd,d_real_sd,d_fake_sd"
    )
    assert len(history) == 4
    df = gb.report([workdir / "runs"])
    assert sorted(df["recipe"]) == sorted(["tf-mlp", recipe]) and df["fid_lenet_1k_test"].notna().all()
    assert gb.check([workdir / "runs"], suite=path).passed
    # a changed plug-in changes the spec hash, and --resume refuses it, naming the plug-in
    source = workdir / f"{module}.py"
    source.write_text(source.read_text() + "\n# changed\n")
    registry.unregister_recipe(recipe)
    del sys.modules[module]
    with pytest.raises(RunDirError, match=f"plug-in recipe {recipe}'s source has changed since this run began") as e:
        gb.run_suite(path, resume=workdir / "runs")
    assert "None" not in str(e.value)  # found as module:attribute, it has no distribution to name
    assert f"delete {workdir / 'runs' / recipe} to train it anew" in str(e.value).replace("/seed-0", "")


def test_the_example_plugin_steps_and_its_scalars_are_named(monkeypatch):
    monkeypatch.syspath_prepend(str(EXAMPLE))
    recipe = get_recipe("ganbench_lsgan:LSGAN_MLP")
    torch.manual_seed(0)
    system = build_system(recipe, torch.device("cpu"))
    g0 = [p.clone() for p in system.G.parameters()]
    out = system.train_step((torch.rand(64, 784) * 2 - 1,), torch.Generator().manual_seed(0))
    assert list(out) == list(system.scalars)
    assert all(v.dim() == 0 and torch.isfinite(v) for v in out.values())
    assert all(not torch.equal(a, b) for a, b in zip(g0, system.G.parameters()))
    images = system.generate(system.inputs(5, torch.Generator().manual_seed(1)))
    assert images.shape == (5, 1, 28, 28) and 0 <= images.min() and images.max() <= 1


def test_a_broken_plugin_in_a_suite_exits_2_naming_the_field_and_writes_nothing(workdir):
    module, _ = plugin_module(workdir, body="import not_a_module_anywhere\n")
    path = suite(workdir, ["tf-mlp", f"{module}:RECIPE"])
    result = runner.invoke(app, ["run", "--suite", str(path), "--out", "o"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"field 'recipes': plug-in recipe '{module}:RECIPE': failed to import (ModuleNotFoundError" in result.output
    assert not (workdir / "o").exists()


def test_recipes_narrows_to_a_plugin_named_either_way(workdir):
    module, recipe = plugin_module(workdir)
    path = suite(workdir, ["tf-mlp", f"{module}:RECIPE"])
    for ref in (f"{module}:RECIPE", recipe):
        plan = gb.plan(path, recipes=[ref], out=workdir / "o", device="cpu")
        assert [(s.recipe, s.recipe_ref) for s in plan.specs] == [(recipe, f"{module}:RECIPE")]
    assert gb.plan(path, out=workdir / "o", device="cpu").specs[0].recipe_ref is None  # tf-mlp


def test_a_recipe_registered_by_hand_is_a_plug_in_with_its_provenance(tmp_path):
    gb.register_recipe(get_recipe("tf-mlp").model_copy(update={"name": "tf-mlp-by-hand"}))
    try:
        assert "tf-mlp-by-hand" not in registry.builtin_recipes()
        run = gb.train("tf-mlp-by-hand", profile="smoke", steps=2, out=tmp_path / "run", device="cpu").path
        spec = json.loads((run / "spec.json").read_text())
        plugin = spec["plugin"]  # a change to the recipe's code changes the spec hash
        assert plugin["by_hand"] is True and plugin["ref"] == "gan_bench.variants.recipe:MLPRecipe"
        assert plugin["source_sha256"] == plugins.source_sha256(get_recipe("tf-mlp-by-hand"))
        assert spec["recipe"]["name"] == "tf-mlp-by-hand"
    finally:
        registry.unregister_recipe("tf-mlp-by-hand")  # a plug-in: removable, unlike a built-in
    assert registry.lookup("tf-mlp-by-hand") is None
    with pytest.raises(PluginError, match=r"^register_recipe\(\): a str is not a recipe"):
        gb.register_recipe("tf-mlp")


@pytest.fixture
def by_hand(tmp_path):
    """tf-mlp registered by hand as tf-mlp-by-hand, and a suite file of it (seeds 0 and 1)."""
    gb.register_recipe(get_recipe("tf-mlp").model_copy(update={"name": "tf-mlp-by-hand"}))
    suite = tmp_path / "by-hand.toml"
    suite.write_text('name = "by-hand"\nrecipes = ["tf-mlp-by-hand"]\nseeds = [0, 1]\ndataset = "mnist"\n')
    yield suite
    registry.unregister_recipe("tf-mlp-by-hand")


@pytest.mark.slow  # trains and scores a run: about 15 s
def test_a_suite_of_a_recipe_registered_by_hand_trains_and_scores_in_this_process(by_hand, tmp_path):
    """Scoring found the recipe by its class's module:attribute, which names no recipe, and failed."""
    result = gb.run_suite(by_hand, seeds=[0], out=tmp_path / "o", device="cpu", profile="smoke")
    assert [r.status for r in result.results] == ["trained"]
    assert (tmp_path / "o" / "tf-mlp-by-hand" / "seed-0" / "metrics.json").is_file()


@pytest.mark.parametrize(("options", "option"), [({"jobs": 2}, "--jobs 2"), ({"executor": "ray"}, "--executor ray")])
def test_other_processes_are_refused_a_recipe_registered_by_hand(by_hand, tmp_path, options, option):
    """Worker processes and Ray tasks lack it: every run failed there, with a message about the
    recipe's class. Refused before anything is written, and --jobs defaults to 1 for it."""
    with pytest.raises(InvalidOption, match=rf"^{option}: tf-mlp-by-hand is registered by hand \(register_recipe\)"):
        gb.run_suite(by_hand, out=tmp_path / "o", device="cpu", profile="smoke", **options)
    assert not (tmp_path / "o").exists()
    assert gb.plan(by_hand, out=tmp_path / "o", device="cpu").jobs == 1


@pytest.mark.slow  # trains, is stopped and resumed: about 10 s
def test_a_plugin_named_by_module_attribute_resumes_from_its_folder_alone(workdir):
    module, recipe = plugin_module(workdir)
    run = workdir / "run"
    gb.train(f"{module}:RECIPE", profile="smoke", out=run, device="cpu")
    (run / "checkpoints" / "final.pt").unlink()  # as Ctrl-C leaves a run stopped before its first checkpoint
    registry.unregister_recipe(recipe)  # as a new process starts: only spec.json names the module
    result = runner.invoke(app, ["train", "--resume", "--out", str(run), "--quiet"])
    assert result.exit_code == 0, result.output
    assert f"{recipe} seed 0: done. 6 steps" in result.output and (run / "checkpoints" / "final.pt").is_file()


def test_sampling_in_eval_mode_hands_each_part_back_in_its_own_mode():
    from gan_bench.variants.base import evaluating

    G = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.BatchNorm1d(2), torch.nn.Dropout())
    G.train()
    G[1].eval()  # a user's G that keeps its batch norm frozen while the rest trains
    with evaluating(G):
        assert not any(part.training for part in G.modules())
    assert [part.training for part in G.modules()] == [True, True, False, True]
