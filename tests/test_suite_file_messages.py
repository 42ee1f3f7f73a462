"""A suite file's mistakes, each named by field with how to write it: a name that cannot be a folder
name, a value of the wrong shape (a number where a list or table goes), a threshold that is not a table."""

from __future__ import annotations

import pytest
from conftest import suite_refusal

import gan_bench as gb
from gan_bench.rundir import paths

HEAD = 'name = "t"\ndataset = "mnist"\nrecipes = ["tf-mlp"]\nseeds = [0]\n'


@pytest.mark.parametrize("name", ["../../elsewhere", "my suite/x", "", "Smoke", ".hidden", "a" * 64])
def test_a_suite_name_that_cannot_name_its_output_folder_is_suite_refusal(tmp_path, name):
    message = suite_refusal(tmp_path, HEAD.replace('"t"', f'"{name}"'))
    assert message == f"field 'name': {name!r} cannot name the suite's output folder; use {paths.NAME_RULE}"


@pytest.mark.parametrize("name", ["t", "my-suite_2.1", "a" * 63])
def test_a_folder_safe_suite_name_is_taken(tmp_path, name):
    path = tmp_path / "s.toml"
    path.write_text(HEAD.replace('"t"', f'"{name}"'))
    assert gb.load_suite(path).name == name


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("seeds = [0]", "seeds = 0"),
            "field 'seeds': Input should be a valid list (got 0); write it as seeds = [0, 1, 2]",
        ),
        (
            ('recipes = ["tf-mlp"]', 'recipes = "tf-mlp"'),
            "field 'recipes': Input should be a valid list (got 'tf-mlp'); "
            'write it as recipes = ["tf-mlp", "torch-mlp"]',
        ),
        (
            ("seeds = [0]", "seeds = [0]\nsteps = 3"),
            """field 'steps': Input should be a TOML table (got 3); write it as [steps] then "tf-mlp" = 40""",
        ),
        (
            ('dataset = "mnist"', "dataset = 4"),
            "field 'dataset': a dataset name or a list of them (got 4); "
            'write it as dataset = "mnist", or dataset = ["mnist", "fashion-mnist"]',
        ),
        (
            ("seeds = [0]", "seeds = [0]\n[thresholds.quick.tf-mlp]\nfid_lenet_1k_test = 3"),
            "field 'thresholds.quick.tf-mlp.fid_lenet_1k_test': "
            "a threshold is a TOML table, such as { max = 60 } or { min = 9 } (got 3)",
        ),
    ],
    ids=["seeds", "recipes", "steps", "dataset", "threshold"],
)
def test_a_value_of_the_wrong_shape_says_how_to_write_it(tmp_path, change, message):
    assert suite_refusal(tmp_path, HEAD.replace(*change)) == message


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("seeds = [0]", "seeds = [true]"), "field 'seeds.0': Input should be a valid integer (got True)"),
        (
            ("seeds = [0]", 'seeds = [0]\n[steps]\n"tf-mlp" = true'),
            "field 'steps.tf-mlp': Input should be a valid integer (got True)",
        ),
        (
            ("seeds = [0]", "seeds = [0]\n[thresholds.quick.tf-mlp]\nfid_lenet_1k_test = { max = true }"),
            "field 'thresholds.quick.tf-mlp.fid_lenet_1k_test.max': Input should be a valid number (got True)",
        ),
        (
            (
                "seeds = [0]",
                "seeds = [0]\n[thresholds.quick.tf-mlp]\nfid_lenet_1k_test = { baseline = 1, tolerance = 0.1 }",
            ),
            "field 'thresholds.quick.tf-mlp.fid_lenet_1k_test.baseline': Input should be a valid boolean (got 1)",
        ),
    ],
    ids=["seed", "steps", "max", "baseline"],
)
def test_a_value_of_another_toml_type_is_refused_not_converted(tmp_path, change, message):
    # lax parsing would read `seeds = [true]` as seed 1 and `baseline = 1` as true
    assert suite_refusal(tmp_path, HEAD.replace(*change)) == message


def test_a_whole_number_is_taken_as_a_bound(tmp_path):
    text = HEAD + "[thresholds.quick.tf-mlp]\nfid_lenet_1k_test = { max = 60 }\n"
    path = tmp_path / "s.toml"
    path.write_text(text)
    assert gb.load_suite(path).thresholds["quick"]["tf-mlp"]["fid_lenet_1k_test"].max == 60.0
