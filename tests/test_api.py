"""The Python API: suites run, report and check from a script; mistakes raise UserError subclasses
and write nothing; the plan is settled before any file exists."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import SUITE

import gan_bench as gb
from gan_bench.reporting import render
from gan_bench.variants import get_recipe


@pytest.mark.slow
def test_a_suite_from_a_script_runs_reports_and_checks(suite_run):
    root, runs, baseline = suite_run
    df = gb.report([runs])
    assert isinstance(df, pd.DataFrame)
    assert sorted(zip(df["recipe"], df["seed"])) == [("keras-mlp", 0), ("keras-mlp", 1), ("tf-mlp", 0), ("tf-mlp", 1)]
    assert df["fid_lenet_1k_test"].notna().all() and set(df["verdict"]) != {"unscored"}
    result = gb.check([runs], baseline=baseline)
    assert result.suite == "mini" and result.passed and result.baseline == baseline
    assert {(v.recipe, v.metric) for v in result.verdicts} == {
        ("tf-mlp", "fid_lenet_1k_test"),
        ("tf-mlp", "modes_covered"),
        ("keras-mlp", "precision_lenet_1k_test"),
        ("keras-mlp", "is_lenet_1k"),
    }
    strict = root / "strict.toml"
    strict.write_text(SUITE.replace("{ max = 100000 }", "{ max = 0.001 }"))
    failed = gb.check([runs], suite=strict, baseline=baseline)
    assert not failed.passed
    assert [(v.recipe, v.metric) for v in failed.failures] == [("tf-mlp", "fid_lenet_1k_test")]
    assert json.loads(baseline.read_text())["suite"] == "mini"
    assert "| tf-mlp" in gb.render_report(df, "md")


@pytest.mark.slow  # over 3 s of the fast loop
def test_markdown_cells_read_as_the_terminal_shows_them(tmp_path):
    run = tmp_path / "run"
    gb.train("tf-mlp", profile="smoke", steps=2, out=run, device="cpu")
    gb.score([run], samples=100, device="cpu")
    df = gb.report([run])
    md = " ".join(gb.render_report(df, "md").split())
    [(_, table)] = render.rich_tables(df)
    [cells] = list(table.astype(str).itertuples(index=False))
    assert "0.000" in cells  # one seed: a value alone, formatted; tabulate would print 0.000 as 0
    assert "| " + " | ".join(cells) + " |" in md


@pytest.mark.slow
def test_a_finished_suite_resumed_through_the_api_is_skipped_bit_for_bit(suite_run):
    root, runs, _ = suite_run
    final = runs / "tf-mlp" / "seed-0" / "checkpoints" / "final.pt"
    before = final.read_bytes()
    again = gb.run_suite(root / "mini.toml", resume=runs)
    assert [r.status for r in again.results] == ["skipped (complete)"] * 4
    assert final.read_bytes() == before


def test_plan_settles_runs_and_writes_nothing(tmp_path):
    p = gb.plan("smoke", out=tmp_path / "out", device="cpu")
    assert [s.recipe for s in p.specs] == ["tf-mlp", "slides-mlp", "keras-mlp", "torch-mlp"]
    assert p.profile == "smoke" and p.profile_reason == "the suite's default"
    assert p.total_steps == 30 + 30 + 30 + 20
    assert not (tmp_path / "out").exists()


def test_the_data_a_plan_needs_is_checked_on_this_machine_unless_a_ray_cluster_holds_it(tmp_path, no_data_env):
    (tmp_path / "data").mkdir()
    here = gb.plan("fashion-mnist", out=tmp_path / "out")
    with pytest.raises(gb.DataError, match="Fashion-MNIST: cannot find"):
        gb.data_to_download(here, data_dir=tmp_path / "data")
    assert gb.data_to_download(gb.plan("smoke", out=tmp_path / "out"), data_dir=tmp_path / "data") == []  # ships
    cluster = gb.plan("fashion-mnist", out=tmp_path / "out", executor="ray", address="auto")
    assert gb.data_to_download(cluster, data_dir=tmp_path / "data") == []
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda t: gb.run_suite("no-such-suite", out=t / "o"), gb.SuiteError, "no suite named 'no-such-suite'"),
        (lambda t: gb.run_suite("smoke", out=t / "o", executor="spark"), gb.InvalidOption, "valid: local, ray"),
        (lambda t: gb.run_suite("smoke", out=t / "o", recipes=["dcgan"]), gb.InvalidOption, "not in suite"),
        (lambda t: gb.run_suite("smoke", out=t / "o", seeds=[-1]), gb.InvalidOption, "non-negative"),
        (lambda t: gb.run_suite("smoke", out=t / "o", backbone="vgg"), gb.InvalidOption, "valid: lenet, inception"),
        (lambda t: gb.run_suite("smoke", out=t / "o", samples=0), gb.InvalidOption, "--samples"),
        (lambda t: gb.train("no-such-recipe", out=t / "o"), gb.InvalidOption, "unknown recipe"),
        (
            lambda t: gb.train("tf-mlp", steps=0, out=t / "o"),
            gb.InvalidOption,
            "--steps: expected a positive integer, got 0",
        ),
        (
            lambda t: gb.train("tf-mlp", seed=-2, out=t / "o"),
            gb.InvalidOption,
            "--seed: expected a non-negative integer, got -2",
        ),
        (lambda t: gb.train("tf-mlp", "cifar", out=t / "o"), gb.InvalidOption, "unknown dataset 'cifar'"),
        (
            lambda t: gb.plan("smoke", out=t / "o", colour="red"),
            gb.InvalidOption,
            "unknown option(s) 'colour'; valid: recipes,",
        ),
        (lambda t: gb.render_report(pd.DataFrame(), "pdf"), gb.InvalidOption, "valid: md, csv, html"),
        (lambda t: gb.check([t]), gb.UserError, str),
    ],
)
def test_mistakes_raise_user_errors_and_write_nothing(tmp_path, call, error, words):
    with pytest.raises(error) as caught:
        call(tmp_path)
    assert isinstance(caught.value, gb.UserError)
    if isinstance(words, str):
        assert words in str(caught.value)
    assert not (tmp_path / "o").exists()


def test_rewording_a_source_leaves_the_spec_hash_and_a_fact_changes_it():
    spec = gb.plan("smoke", device="cpu").specs[0]
    recipe = get_recipe(spec.recipe)
    reworded = recipe.model_copy(update={"source": "another title", "choices": {"x": "elsewhere"}})
    changed = recipe.model_copy(update={"lr": recipe.lr * 2})
    assert reworded.facts() == recipe.facts()
    assert changed.facts() != recipe.facts()
    assert spec.resolved()["recipe"]["source"] == recipe.source  # still recorded in spec.json


def test_lists_name_every_recipe_and_shipped_suite():
    names = [r.name for r in gb.list_recipes()]
    assert {"tf-mlp", "slides-mlp", "keras-mlp", "torch-mlp", "cgan", "dcgan", "pix2pix", "cyclegan"} <= set(names)
    suites = gb.list_suites()
    assert {"smoke", "mnist", "fashion-mnist", "stacked-mnist", "toy", "translation"} <= set(suites)
    assert all(path.is_file() for path in suites.values())


def test_no_subpackage_shadows_an_api_name_once_everything_is_imported():
    import importlib
    import pkgutil

    for module in pkgutil.walk_packages(gb.__path__, "gan_bench."):
        if not module.name.startswith(("gan_bench.executors.ray", "gan_bench.cli", "gan_bench.__main__")):
            importlib.import_module(module.name)
    for name in gb.__all__:
        assert not isinstance(getattr(gb, name), type(gb)), f"gan_bench.{name} is a module, not the API's {name}"


def test_every_public_name_has_its_own_docstring():
    # help(gb.Suite) is a user's first look; pydantic's and dataclasses' generated texts do not count
    for name in gb.__all__:
        obj = getattr(gb, name)
        doc = obj.__dict__.get("__doc__") if isinstance(obj, type) else obj.__doc__
        assert doc and not doc.startswith(f"{name}("), f"gan_bench.{name} has no docstring of its own"
