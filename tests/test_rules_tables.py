"""The report's tables and what they may pool, on planted per-run frames: cells, protocol columns,
table order, runs without a translation folder's images, repeated seeds and mixed settings named,
ganbench against a published row in combined standard errors, and the machines' notes. Expected
values are worked out by hand."""

import math

import pandas as pd
import pytest

from gan_bench.errors import RunDirError
from gan_bench.reporting import environments, repeats, tables
from gan_bench.reporting.repeats import IMAGES
from gan_bench.reporting.versus_published import describe, offset, published_se, standard_error


def runs_of(recipes: list[str], seeds: list[int], **columns) -> pd.DataFrame:
    """Runs of one table (suite s, mnist, quick, cpu) with their recipe and seed, and ``columns`` (one
    value per run) added or overriding; nothing else, as in a hand-made frame."""
    n = len(recipes)
    group = {"suite": ["s"] * n, "dataset": ["mnist"] * n, "profile": ["quick"] * n, "device": ["cpu"] * n}
    return pd.DataFrame({**group, "recipe": recipes, "seed": seeds, **columns})


def scored(recipe: list[str], **columns) -> pd.DataFrame:
    """Scored runs, seeds 0, 1, …, converged unless ``columns`` give their verdicts."""
    return runs_of(recipe, list(range(len(recipe))), **{"verdict": ["converged"] * len(recipe), **columns})


# -- cells and columns -----------------------------------------------------------------------------
def test_metric_columns_are_the_named_metrics_and_never_a_dotted_field():
    df = scored(
        recipe=["a"], fid_lenet_1k_test=[1.0], **{"fid_lenet_1k_test.finite": [True], "protocol.samples": [1000]}
    )
    assert tables.metric_columns(df) == ["fid_lenet_1k_test"]


def test_a_row_counts_its_verdicts_and_joins_its_protocol_values():
    df = scored(
        recipe=["a", "a", "a"],
        verdict=["mode-collapse", "converged", "converged"],
        fid_lenet_1k_test=[1.0, 2.0, 3.0],
        **{"protocol.samples": [1000, 100, 1000], "protocol.reference_split": ["test", "train", "test"]},
        **{"protocol.g_batch_norm": [True, True, False]},
    )
    (row,) = tables.summarise(df).to_dict("records")
    assert row["verdicts"] == "converged ×2, mode-collapse ×1"
    assert row["protocol.samples"] == "100, 1000" and row["protocol.reference_split"] == "test, train"
    assert row["protocol.g_batch_norm"] == "False, True"
    (table,) = tables.comparison(df).values()
    assert table["verdicts"].tolist() == ["converged ×2, mode-collapse ×1"]
    assert table["samples"].tolist() == ["100, 1000"] and table["G batch norm"].tolist() == ["False, True"]


@pytest.mark.parametrize(
    "values,cell", [([9.9994, 9.9994], "9.999 ± 0.000"), ([10.0, 10.0], "10.0 ± 0.0"), ([10.5], "10.5")]
)
def test_a_mean_below_10_gets_three_decimals_and_10_or_more_one(values, cell):
    (table,) = tables.comparison(scored(recipe=["a"] * len(values), fid_lenet_1k_test=values)).values()
    assert table["fid_lenet_1k_test"].tolist() == [cell]


def test_a_standard_error_beside_a_published_kl_gets_three_decimals():
    df = scored(recipe=["toy-gan"] * 2, reverse_kl_hq_2d_2500=[0.5, 0.7], dataset=["grid"] * 2, suite=["toy"] * 2)
    (table,) = tables.comparison(df).values()
    assert table["reverse_kl_hq_2d_2500"].tolist() == ["0.600 ± 0.141 (s.e. 0.100)"]  # 0.1414 / √2


def test_the_evaluator_digest_is_cut_to_12_characters_and_other_protocol_values_are_whole():
    digest = "0123456789abcdef" * 4
    df = scored(
        recipe=["a"],
        fid_lenet_1k_test=[1.0],
        **{"protocol.evaluator_sha256": [digest], "protocol.reference_split": ["train-and-test-images"]},
    )
    (table,) = tables.comparison(df).values()
    assert table["evaluator sha256"].item() == "0123456789ab" and table["reference"].item() == "train-and-test-images"


def test_the_backbone_column_names_every_backbone_of_the_table():
    df = scored(recipe=["a"], fid_lenet_1k_test=[1.0], fid_inception_1k_test=[2.0])
    (table,) = tables.comparison(df).values()
    assert table["backbone"].item() == "inception, lenet"


def test_tables_come_in_the_order_of_their_keys_whatever_the_runs_order():
    df = scored(recipe=["toy-gan", "toy-gan", "a"], modes_covered=[3.0, 4.0, 5.0]).assign(
        dataset=["ring", "grid", "mnist"]
    )
    assert [keys[1] for keys in tables.comparison(df)] == ["grid", "mnist", "ring"]


def test_runs_without_a_translation_folders_images_keep_their_own_table():
    """A report of MNIST runs beside a translation task: the MNIST runs have no images digest (NaN)."""
    df = scored(recipe=["a", "pix2pix"], fid_lenet_1k_test=[1.0, math.nan], l1_200_test=[math.nan, 0.4]).assign(
        dataset=["mnist", "edges2digits"], **{IMAGES: [math.nan, "aa"]}
    )
    assert repeats.table_columns(df) == [*repeats.GROUP, IMAGES]
    summary = tables.summarise(df)
    assert summary["recipe"].tolist() == ["pix2pix", "a"]  # by dataset: edges2digits, then mnist
    got = {keys[1]: table["recipe"].tolist() for keys, table in tables.comparison(df).items()}
    assert got == {"edges2digits": ["pix2pix"], "mnist": ["a"]}


def test_runs_on_other_images_of_one_translation_folder_are_two_tables():
    df = scored(recipe=["pix2pix"] * 2, l1_200_test=[0.4, 0.5]).assign(dataset="edges2digits", **{IMAGES: ["aa", "bb"]})
    assert [table["l1_200_test"].item() for table in tables.comparison(df).values()] == ["0.400", "0.500"]


# -- what a table or a gate may not pool ----------------------------------------------------------------
def test_a_seed_given_twice_is_found_in_a_frame_of_nothing_but_the_table_and_seed():
    found = repeats.repeated(runs_of(["a", "a"], [0, 0]), repeats.GROUP)
    assert [len(part) for part in found] == [2]


def test_the_first_repeated_seed_in_table_order_is_named_with_every_run_and_what_to_do():
    df = runs_of(["b", "b", "a", "a"], [0, 0, 1, 1], run=["x/b", "y/b", "x/a", "y/a"])
    with pytest.raises(RunDirError) as refused:
        repeats.refuse(df, "baseline")
    assert str(refused.value) == (
        "a seed 1 (s, profile quick, cpu) is in 2 runs: x/a, y/a; baseline counts each seed once: give one suite "
        "run (`ganbench report` shows several side by side)"
    )


def test_a_seed_given_twice_without_images_is_still_found():
    df = runs_of(["a", "a"], [0, 0], run=["x/a", "y/a"], **{IMAGES: [math.nan, math.nan]})
    assert [part["run"].tolist() for part in repeats.repeated(df, [*repeats.GROUP, IMAGES])] == [["x/a", "y/a"]]


def test_a_copy_inside_one_folder_is_refused_naming_both_runs():
    df = runs_of(["a", "a"], [0, 0], run=["x/a/seed-0", "x/copy/seed-0"], source=["x", "x"])
    with pytest.raises(RunDirError) as refused:
        repeats.table_columns(df)
    assert str(refused.value) == (
        "a seed 0 (s, profile quick, cpu) is in 2 runs: x/a/seed-0, x/copy/seed-0, in one folder; remove the copy, "
        "or report the runs apart"
    )
    assert repeats.table_columns(df.assign(source=["x", "y"])) == [*repeats.GROUP, "source"]


def settings(first: dict, second: dict, **columns) -> pd.DataFrame:
    """Two runs of recipe a, seeds 0 and 1, whose spec fields are ``first`` and ``second``."""
    runs = runs_of(["a", "a"], [0, 1], run=["x/seed-0", "x/seed-1"], **columns)
    return runs.assign(**{f"spec.{k}": [first[k], second[k]] for k in first})


def test_settings_that_differ_in_more_than_three_fields_name_three_and_count_the_rest():
    first = {"recipe.name": "a", "recipe.lr": 0.1, "recipe.beta1": 0.5, "recipe.z_dim": 10, "data.name": "m"}
    second = {"recipe.name": "b", "recipe.lr": 0.2, "recipe.beta1": 0.9, "recipe.z_dim": 20, "data.name": "n"}
    with pytest.raises(RunDirError) as refused:
        repeats.refuse(settings(first, second), "check")
    assert str(refused.value) == (
        "a (s, profile quick, cpu) has runs made with different settings (recipe.name: a, b; data.name: m, n; "
        "recipe.beta1: 0.5, 0.9; and 2 more): x/seed-0, x/seed-1; check pools the runs of a recipe, so they must share "
        "one setting: give the runs of one"
    )
    four = {k: first[k] for k in list(first)[:4]}
    with pytest.raises(RunDirError, match="recipe.lr: 0.1, 0.2; and 1 more\\): x/seed-0"):
        repeats.refuse(settings(four, {k: second[k] for k in four}), "check")
    three = {k: first[k] for k in ["recipe.lr", "recipe.beta1", "recipe.z_dim"]}
    with pytest.raises(RunDirError, match="recipe.z_dim: 10, 20\\): x/seed-0"):
        repeats.refuse(settings(three, {k: second[k] for k in three}), "check")


def test_mixed_settings_are_found_where_a_table_column_is_blank():
    df = settings({"recipe.lr": 0.1}, {"recipe.lr": 0.2}, **{IMAGES: [math.nan, math.nan]})
    assert [part["run"].tolist() for part in repeats.mixed(df, [*repeats.GROUP, IMAGES])] == [["x/seed-0", "x/seed-1"]]


def test_the_first_mixed_recipe_in_table_order_is_named():
    b = settings({"recipe.lr": 0.1}, {"recipe.lr": 0.2}).assign(recipe="b", run=["x/b0", "x/b1"])
    a = settings({"recipe.lr": 0.3}, {"recipe.lr": 0.4}).assign(run=["x/a0", "x/a1"])
    with pytest.raises(RunDirError, match="^a \\(s, profile quick, cpu\\) has runs made with different settings"):
        repeats.refuse(pd.concat([b, a], ignore_index=True), "check")


# -- ganbench against a published row -----------------------------------------------------------------
def test_a_standard_error_needs_two_seeds_and_a_finite_spread():
    assert standard_error(2.0, 4) == 1.0
    assert standard_error(2.0, 1) is None and standard_error(math.nan, 3) is None and standard_error(0.5, 0) is None


def test_a_published_spread_is_a_standard_error_when_stated_or_derivable():
    assert published_se({"spread": "s.e.", "trials": None}, "0.3") == 0.3
    assert published_se({"spread": "std", "trials": 4}, "2.0") == 1.0  # std / √trials
    assert published_se({"spread": "std", "trials": None}, "2.0") is None  # trials not stated
    assert published_se({"spread": None, "trials": 4}, "2.0") is None
    assert published_se({"spread": "s.e.", "trials": 4}, None) is None


def test_the_offset_is_in_combined_standard_errors_and_absent_without_any():
    assert offset(2.0, 0.6, 1.0, 0.8) == pytest.approx((1.0, 1.0))  # √(0.36 + 0.64) = 1
    assert offset(4.0, 3.0, 0.0, 4.0) == pytest.approx((0.8, 5.0))
    assert offset(4.0, None, 0.0, 2.0) == pytest.approx((2.0, 2.0))
    assert offset(4.0, None, 0.0, None) is None and offset(4.0, 0.0, 0.0, 0.0) is None


def test_the_vs_published_cell_skips_unscored_metrics_and_says_when_there_are_no_error_bars():
    def row(**metrics):
        cells = {}
        for metric, (mean, std, n) in metrics.items():
            cells |= {f"{metric}_mean": mean, f"{metric}_std": std, f"{metric}_n": n}
        return pd.Series({"recipe": "toy-gan-pac2", **cells})

    shown = ["modes_2d_2500", "reverse_kl_hq_2d_2500"]
    # PacGAN2 on the grid: 23.8 ± 0.7 s.e. modes, 0.13 ± 0.04 s.e. high-quality reverse KL
    both = row(modes_2d_2500=(23.8, 0.0, 3), reverse_kl_hq_2d_2500=(0.21, math.sqrt(3) * 0.03, 3))
    assert describe("toy-gan-pac2", both, shown, "grid") == (
        "PacGAN2: modes_2d_2500 within (+0.0 s.e.); reverse_kl_hq_2d_2500 outside (+1.6 s.e.)"  # 0.08 / 0.05
    )
    first_unscored = row(modes_2d_2500=(math.nan, math.nan, 0), reverse_kl_hq_2d_2500=(0.13, math.nan, 1))
    assert describe("toy-gan-pac2", first_unscored, shown, "grid") == (
        "PacGAN2: reverse_kl_hq_2d_2500 within (+0.0 s.e., one side's s.e. unknown)"
    )
    none_scored = row(modes_2d_2500=(math.nan, math.nan, 0), reverse_kl_hq_2d_2500=(math.nan, math.nan, 0))
    assert describe("toy-gan-pac2", none_scored, shown, "grid") == ""
    # one seed has no spread, and PacDCGAN2's 1000 modes have none (± 0.00): nothing to scale by
    stacked = ["modes_stacked_lenet_26k", "kl_stacked_lenet_26k"]
    one_seed = row(modes_stacked_lenet_26k=(990.0, math.nan, 1), kl_stacked_lenet_26k=(0.06, math.nan, 1))
    assert describe("dcgan-stacked-pac2", one_seed, stacked, "stacked-mnist") == (
        "PacDCGAN2: modes_stacked_lenet_26k no error bars to compare (n=1); "
        "kl_stacked_lenet_26k within (+0.0 s.e., one side's s.e. unknown)"
    )


# -- the machines the runs come from ------------------------------------------------------------------
def test_the_runs_machines_include_those_they_were_resumed_in_numbers_first():
    df = pd.DataFrame(
        {
            "env.torch_threads": [10, 2],
            "env.torch": ["2.14.1", "2.14.1"],
            "env.cpu_model": ["f", "c"],
            "env.resumed": [
                '[{"torch_threads": "auto", "torch": "2.13.0"}]',
                '[{"cpu_model": "a"}, {"cpu_model": "e"}, {"cpu_model": "b"}, {"cpu_model": "d"}]',
            ],
        }
    ).assign(**{"env.cpu_capability": ["AVX2", "AVX512"]})
    assert environments.of_runs(df) == {
        "cpu_capability": ["AVX2", "AVX512"],
        "cpu_model": ["a", "b", "c", "d", "e", "f"],  # by name, whatever order a set holds them in
        "torch_threads": ["2", "10", "auto"],
        "torch": ["2.13.0", "2.14.1"],
    }
    alone = environments.of_runs(df.drop(columns=["env.resumed", "env.cpu_model", "env.cpu_capability"]))
    assert alone == {"torch_threads": ["2", "10"], "torch": ["2.14.1"]}


def test_runs_and_baseline_differences_list_both_sides_values():
    runs, baseline = {"torch_threads": ["1", "2"], "torch": ["2.14.1"]}, {"torch_threads": ["4", "8"], "torch": []}
    assert environments.against(runs, baseline) == ["runs and baseline differ in torch threads: 1, 2 against 4, 8"]
