"""A mistyped name (recipe, suite, profile, format, dataset, suite key, ...) is refused with the
valid name it most likely meant, through one mechanism (errors.unknown / errors.did_you_mean)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from gan_bench.cli import app
from gan_bench.errors import did_you_mean, nearest, unknown

runner = CliRunner()


def test_the_guess_ignores_case_and_underscores_and_is_left_out_when_nothing_is_near():
    valid = ["tf-mlp", "torch-mlp", "fashion-mnist"]
    assert nearest("TF_MLP", valid) == "tf-mlp"
    assert nearest("fashion_mnist", valid) == "fashion-mnist"
    assert nearest("xyz", valid) is None
    assert did_you_mean("xyz", valid) == ""
    assert unknown("recipe", "torchmlp", valid, also=", or a plug-in") == (
        "unknown recipe 'torchmlp'; did you mean 'torch-mlp'? valid: tf-mlp, torch-mlp, fashion-mnist, or a plug-in"
    )
    assert unknown("recipe", "xyz", valid) == "unknown recipe 'xyz'; valid: tf-mlp, torch-mlp, fashion-mnist"


names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12)


@given(st.lists(names, min_size=1, max_size=8, unique_by=lambda n: n), st.data())
def test_a_guess_is_always_a_valid_name_and_a_valid_name_guesses_itself(valid, data):
    typo = data.draw(names)
    assert nearest(typo, valid) in [*valid, None]
    exact = data.draw(st.sampled_from(valid))
    assert nearest(exact.upper(), valid) == exact


GOOD_SUITE = 'name = "mine"\ndataset = "mnist"\nrecipes = ["tf-mlp"]\nseeds = [0]\n'


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "tfmlp"], "unknown recipe 'tfmlp'; did you mean 'tf-mlp'? valid: tf-mlp, "),
        (["run", "--suite", "mnsit"], "did you mean 'mnist'? valid: fashion-mnist, mnist, "),
        (["run", "--suite", "smoke", "--recipes", "tf_mlp"], "is not in suite 'smoke'; did you mean 'tf-mlp'? valid:"),
        (["run", "--suite", "smoke", "--profile", "quik"], "unknown profile 'quik'; did you mean 'quick'? valid:"),
        (["run", "--suite", "smoke", "--executor", "rya"], "unknown executor 'rya'; did you mean 'ray'? valid:"),
        (["train", "tf-mlp", "--dataset", "fashion"], "unknown dataset 'fashion'; did you mean 'fashion-mnist'?"),
        (["data", "fetch", "fashion_mnist"], "unknown dataset 'fashion_mnist'; did you mean 'fashion-mnist'?"),
        (["evaluator", "train", "mnsit", "--out", "OUT"], "no evaluator for dataset 'mnsit'; did you mean 'mnist'?"),
        (
            ["report", "RUNS", "--format", "htm"],
            "unknown format 'htm'; did you mean 'html'? valid: rich, md, csv, html",
        ),
        (["score", "RUNS", "--backbone", "inceptoin"], "unknown backbone 'inceptoin'; did you mean 'inception'?"),
        (["score", "--input", "x.npy", "--dataset", "mnsit"], "not scored against 'mnsit'; did you mean 'mnist'?"),
        (["run", "--suite", "SUITE"], "field 'recipies': unknown key; did you mean 'recipes'? valid keys: name,"),
    ],
)
def test_a_mistyped_name_exits_2_naming_what_it_likely_meant(tmp_path, args, message):
    (tmp_path / "runs").mkdir()
    (tmp_path / "suite.toml").write_text(GOOD_SUITE.replace("recipes", "recipies"))
    paths = {"RUNS": str(tmp_path / "runs"), "SUITE": str(tmp_path / "suite.toml"), "OUT": str(tmp_path / "out")}
    args = [paths.get(a, a) for a in args] + ["--out", str(tmp_path / "out")] * (args[0] in ("train", "run"))
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert not (tmp_path / "out").exists()


TWO = 'name = "mine"\ndataset = "mnist"\nrecipes = ["tf-mlp", "torch-mlp"]\nseeds = [0]\n'


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            'profile = "quik"\n',
            "field 'profile': Input should be 'full', 'quick' or 'smoke' (got 'quik'); did you mean 'quick'?",
        ),
        ('[only]\n"tf-mlp" = ["mnsit"]\n', "'mnsit' is not one of the suite's datasets (mnist); did you mean 'mnist'?"),
        (
            '[only]\n"tf_mlp" = ["mnist"]\n',
            "'tf_mlp' is not one of the suite's recipes (tf-mlp, torch-mlp); did you mean 'tf-mlp'?",
        ),
        ('[steps]\n"cgan" = 4\n', "field 'steps': 'cgan' is not one of the suite's recipes (tf-mlp, torch-mlp) "),
        (
            '[thresholds.quik."tf-mlp"]\nfid_lenet_1k_test = { max = 3 }\n',
            "field 'thresholds.quik': Input should be 'full', 'quick' or 'smoke' (got 'quik'); did you mean 'quick'?",
        ),
        (
            '[thresholds.quick."torch-mlpp"]\nfid_lenet_1k_test = { max = 3 }\n',
            "unknown recipe 'torch-mlpp'; did you mean 'torch-mlp'? valid: tf-mlp,",
        ),
    ],
)
def test_a_suite_file_naming_a_near_miss_says_what_it_likely_meant(tmp_path, extra, message):
    (tmp_path / "suite.toml").write_text(TWO + extra)
    result = runner.invoke(app, ["run", "--suite", str(tmp_path / "suite.toml"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split()) + " "
    assert not (tmp_path / "out").exists()
