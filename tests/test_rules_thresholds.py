"""Rule tests of a suite's thresholds table as the suite file is read: per-dataset tables split
from their recipe's, values that are no table named with what they hold, and the unknown-metric
message with and without the suite's datasets as a hint."""

from __future__ import annotations

from conftest import suite_refusal

import gan_bench as gb
from gan_bench.metrics import names
from gan_bench.suite import thresholds

TWO = 'name = "t"\ndataset = ["mnist", "fashion-mnist"]\nrecipes = ["tf-mlp"]\nseeds = [0]\n'
ONE = TWO.replace('["mnist", "fashion-mnist"]', '"mnist"')
UNKNOWN = f"unknown metric 'nonsense' for tf-mlp; valid: protocol names such as {names.EXAMPLES}"


def test_listed_gives_a_name_as_a_list_a_list_as_it_is_and_anything_else_as_none():
    assert thresholds.listed("mnist") == ["mnist"]
    assert thresholds.listed(["mnist", 4]) == ["mnist", 4]
    assert thresholds.listed(4) == [] and thresholds.listed(None) == []


def test_dataset_tables_are_split_from_their_recipes_and_values_of_other_shapes_kept_as_they_are():
    tables = {
        "quick": 3,
        "smoke": {"tf-mlp": "x", "cgan": {"fid": {"max": 1}, "./faces/": {"fid": {"max": 2}}, "mnist": 5}},
        "full": {"tf-mlp": {"mnist": {"fid": {"max": 3}}}},
    }
    left, per_dataset = thresholds.split_dataset_tables(tables, ["mnist", "./faces", 7])
    assert left == {
        "quick": 3,
        "smoke": {"tf-mlp": "x", "cgan": {"fid": {"max": 1}, "mnist": 5}},
        "full": {"tf-mlp": {}},
    }
    assert per_dataset == {
        "smoke": {"cgan": {"./faces": {"fid": {"max": 2}}}},
        "full": {"tf-mlp": {"mnist": {"fid": {"max": 3}}}},
    }
    assert thresholds.split_dataset_tables(tables, None) == (tables, {})


def test_tables_in_gives_each_recipes_table_and_nothing_for_other_shapes():
    assert thresholds.tables_in({"quick": {"a": {"m": 1}, "b": 2}, "smoke": 3, "full": {"c": {}}}) == [
        ("a", {"m": 1}),
        ("c", {}),
    ]
    assert thresholds.tables_in([{"a": {}}]) == [] and thresholds.tables_in(None) == []


def test_a_profile_or_recipe_that_is_no_table_is_named_with_its_value(tmp_path):
    write = 'write it as [thresholds.full."tf-mlp"] then fid_lenet_10k_test = { max = 60 }'
    dataset_table = "[thresholds.smoke.tf-mlp.mnist]\nmodes_covered = { min = 1 }\n"
    assert suite_refusal(tmp_path, TWO + "[thresholds]\nquick = 3\n" + dataset_table) == (
        f"field 'thresholds.quick': Input should be a TOML table (got 3); {write}"
    )
    assert suite_refusal(tmp_path, TWO + '[thresholds.smoke]\ntf-mlp = "x"\n') == (
        f"field 'thresholds.smoke.tf-mlp': Input should be a TOML table (got 'x'); {write}"
    )


def test_a_dataset_table_is_read_as_that_datasets_thresholds(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(TWO + "[thresholds.smoke.tf-mlp.mnist]\nmodes_covered = { min = 1 }\n")
    suite = gb.load_suite(path)
    assert suite.thresholds_per_dataset["smoke"]["tf-mlp"]["mnist"]["modes_covered"].min == 1


def test_an_unknown_metric_names_the_datasets_as_tables_only_where_the_suite_has_several(tmp_path):
    table = "[thresholds.smoke.tf-mlp]\nnonsense = { min = 1 }\n"
    assert suite_refusal(tmp_path, ONE + table) == f"field 'thresholds': {UNKNOWN}"
    assert suite_refusal(tmp_path, TWO + table) == (
        f"field 'thresholds': {UNKNOWN}, or one of the suite's datasets (mnist, fashion-mnist) as a table"
    )
    on_mnist = "[thresholds.smoke.tf-mlp.mnist]\nnonsense = { min = 1 }\n"
    on_mnist_unknown = UNKNOWN.replace("tf-mlp", "tf-mlp on mnist")
    assert suite_refusal(tmp_path, TWO + on_mnist) == f"field 'thresholds': {on_mnist_unknown}"
