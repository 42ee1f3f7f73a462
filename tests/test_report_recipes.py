"""`report --recipes a,b` (gb.report(recipes=...)) narrows the tables to those recipes' runs; a
name with no runs among them exits 2 naming the recipes that have some, and writes nothing."""

import pytest
from typer.testing import CliRunner

import gan_bench as gb
from gan_bench.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def two_recipes(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    for recipe in ("tf-mlp", "torch-mlp"):
        gb.train(recipe, seed=0, profile="smoke", steps=2, out=root / recipe)
    return root


def test_the_report_keeps_only_the_recipes_named(two_recipes):
    assert sorted(gb.report([two_recipes])["recipe"]) == ["tf-mlp", "torch-mlp"]
    df = gb.report([two_recipes], recipes=["torch-mlp"])
    assert list(df["recipe"]) == ["torch-mlp"] and list(df.index) == [0]
    result = runner.invoke(app, ["report", str(two_recipes), "--recipes", "tf-mlp", "--format", "md"])
    assert result.exit_code == 0, result.output
    assert "| tf-mlp " in result.output and "torch-mlp" not in result.output


@pytest.mark.parametrize(
    ("recipes", "message"),
    [
        ("tf_mlp", "--recipes: no runs of 'tf_mlp' here; did you mean 'tf-mlp'? valid: tf-mlp, torch-mlp"),
        ("cgan", "--recipes: no runs of 'cgan' here; valid: tf-mlp, torch-mlp"),
        ("tf-mlp,tf-mlp", "--recipes: expected distinct names, got ['tf-mlp', 'tf-mlp']; these runs are of tf-mlp,"),
    ],
)
def test_a_recipe_without_runs_exits_2_and_writes_nothing(two_recipes, tmp_path, recipes, message):
    out = tmp_path / "report.md"
    result = runner.invoke(app, ["report", str(two_recipes), "--recipes", recipes, "--out", str(out)])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert not out.exists()
