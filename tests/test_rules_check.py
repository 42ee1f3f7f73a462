"""`check` at its boundaries on planted per-run tables: min and max, NaN and missing values, an
unscored seed among scored ones, a metric absent from the baseline, and the tolerance direction
for lower- and higher-is-better metrics against a baseline that differs from the runs. Bounds are
worked out by hand."""

import json
import math
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from gan_bench.errors import UserError
from gan_bench.gates import baseline_file, baselines, check, verdict_formats
from gan_bench.reporting.repeats import IMAGES
from gan_bench.rundir.identity import spec_hash
from gan_bench.suite.suite_file import Suite, load_suite
from gan_bench.suite.thresholds import Threshold


def runs(recipe="tf-mlp", profile="smoke", **metrics) -> pd.DataFrame:
    """One row per seed; each metric keyword gives its per-seed values."""
    seeds = len(next(iter(metrics.values()))) if metrics else 1
    return pd.DataFrame(
        {"recipe": [recipe] * seeds, "profile": [profile] * seeds, "seed": list(range(seeds)), **metrics}
    )


def suite(**thresholds) -> Suite:
    return Suite(name="s", dataset="mnist", seeds=[0], recipes=["tf-mlp"], thresholds={"smoke": {"tf-mlp": thresholds}})


def outcome(df, thresholds, baseline=None) -> list[tuple[float | None, str, bool, str]]:
    return [(v.value, v.rule, v.passed, v.note) for v in check.check(df, suite(**thresholds), baseline)]


def passed(df, thresholds, baseline=None) -> list[bool]:
    return [v.passed for v in check.check(df, suite(**thresholds), baseline)]


def baseline(metric, mean, recipe="tf-mlp"):
    return {"recipes": {recipe: {metric: {"mean": mean, "std": 0.0, "n": 1}}}}


# -- absolute bounds ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "values,ok", [([0.5], True), ([0.4999], False), ([0.6], True), ([0.4, 0.6], True), ([0.3, 0.6], False)]
)
def test_min_holds_at_the_bound_and_on_the_seed_mean(values, ok):
    assert passed(runs(precision_lenet_1k_test=values), {"precision_lenet_1k_test": Threshold(min=0.5)}) == [ok]


@pytest.mark.parametrize(
    "values,ok", [([40.0], True), ([40.001], False), ([39.0], True), ([30.0, 50.0], True), ([30.0, 52.0], False)]
)
def test_max_holds_at_the_bound_and_on_the_seed_mean(values, ok):
    assert passed(runs(fid_lenet_1k_test=values), {"fid_lenet_1k_test": Threshold(max=40.0)}) == [ok]


def test_min_and_max_together_give_two_verdicts():
    t = {"modes_covered": Threshold(min=8, max=10)}
    assert passed(runs(modes_covered=[9.0]), t) == [True, True]
    assert passed(runs(modes_covered=[7.0]), t) == [False, True]
    assert [v.rule for v in check.check(runs(modes_covered=[9.0]), suite(**t), None)] == [">= 8", "<= 10"]


@pytest.mark.parametrize("rule", [Threshold(min=-1e9), Threshold(max=1e9)])
def test_nan_fails_every_rule_as_missing(rule):
    got = outcome(runs(fid_lenet_1k_test=[float("nan")]), {"fid_lenet_1k_test": rule})
    assert got[0][0] is None and got[0][2] is False and got[0][3] == "missing"


@pytest.mark.parametrize("rule", [Threshold(min=-1e9), Threshold(max=1e9)])
def test_a_metric_the_runs_lack_fails_as_missing(rule):
    got = outcome(runs(fid_lenet_1k_test=[1.0]), {"kid_lenet_1k_test": rule})
    assert got == [(None, got[0][1], False, "missing")]


def test_a_recipe_without_runs_fails_as_missing():
    got = outcome(runs(recipe="keras-mlp", fid_lenet_1k_test=[1.0]), {"fid_lenet_1k_test": Threshold(max=10)})
    assert got[0][0] is None and got[0][2] is False


def two_recipes() -> Suite:
    gate = {"fid_lenet_1k_test": Threshold(max=10)}
    return Suite(
        name="s",
        dataset="mnist",
        seeds=[0],
        recipes=["tf-mlp", "keras-mlp", "torch-mlp"],
        thresholds={"smoke": {"tf-mlp": gate, "keras-mlp": gate, "torch-mlp": gate}},
    )


def test_recipes_gates_only_those_and_a_hint_says_so_when_others_did_not_run():
    df = runs(recipe="tf-mlp", fid_lenet_1k_test=[1.0])  # a suite run narrowed with --recipes tf-mlp
    every = check.check(df, two_recipes(), None)
    assert [(v.recipe, v.passed, v.note) for v in every] == [
        ("tf-mlp", True, ""),
        ("keras-mlp", False, "missing: no runs of this recipe"),
        ("torch-mlp", False, "missing: no runs of this recipe"),
    ]
    assert check.narrowing_hint(every) == (
        "keras-mlp, torch-mlp: no runs here; to gate only the recipes that ran, add --recipes tf-mlp"
    )
    # planned by the suite run and still to begin: it was stopped, not narrowed
    assert check.narrowing_hint(every, not_begun={"keras-mlp"}) == (
        "torch-mlp: no runs here; to gate only the recipes that ran, add --recipes tf-mlp"
    )
    assert check.narrowing_hint(every, not_begun={"keras-mlp", "torch-mlp"}) is None
    only = check.check(df, two_recipes(), None, recipes=["tf-mlp"])
    assert [(v.recipe, v.passed) for v in only] == [("tf-mlp", True)]
    assert check.narrowing_hint(only) is None
    # a recipe named but not run still fails: --recipes narrows the gate, never excuses a missing run
    named = check.check(df, two_recipes(), None, recipes=["torch-mlp", "tf-mlp"])
    assert [(v.recipe, v.passed) for v in named] == [("tf-mlp", True), ("torch-mlp", False)]
    assert check.narrowing_hint(check.check(runs(recipe="dcgan", fid_lenet_1k_test=[1.0]), two_recipes(), None)) is None
    both = pd.concat([df, runs(recipe="torch-mlp", fid_lenet_1k_test=[2.0])])
    assert check.narrowing_hint(check.check(both, two_recipes(), None)) == (
        "keras-mlp: no runs here; to gate only the recipes that ran, add --recipes tf-mlp,torch-mlp"
    )
    with pytest.raises(UserError, match="^--recipes: 'dcgan', 'cgan' not gated; suite 's' gates"):
        check.gated_of(df, two_recipes(), ["dcgan", "cgan"])


@pytest.mark.parametrize(
    "recipes, words",
    [
        (
            ["dcgan"],
            "--recipes: 'dcgan' not gated; suite 's' gates these on the smoke profile: tf-mlp, keras-mlp, torch-mlp",
        ),
        (
            ["keras_mlp"],
            "--recipes: 'keras_mlp' not gated; did you mean 'keras-mlp'? suite 's' gates these on the smoke profile: "
            "tf-mlp, keras-mlp, torch-mlp",
        ),
        (
            ["tf-mlp", "tf-mlp"],
            "--recipes: expected distinct names, got ['tf-mlp', 'tf-mlp']; suite 's' gates these on the smoke profile: "
            "tf-mlp, keras-mlp, torch-mlp",
        ),
        (
            [],
            "--recipes: expected distinct names, got []; suite 's' gates these on the smoke profile: tf-mlp, keras-mlp, "
            "torch-mlp",
        ),
    ],
)
def test_recipes_that_the_suite_does_not_gate_are_refused(recipes, words):
    with pytest.raises(UserError) as raised:
        check.check(runs(fid_lenet_1k_test=[1.0]), two_recipes(), None, recipes=recipes)
    assert str(raised.value) == words


def test_one_unscored_seed_among_scored_ones_fails_instead_of_averaging_the_rest():
    df = runs(fid_lenet_1k_test=[5.0, float("nan"), 7.0])
    got = outcome(df, {"fid_lenet_1k_test": Threshold(max=100)})
    assert got[0][0] is None and got[0][2] is False and got[0][3] == "missing in 1 of 3 runs"
    whole = outcome(runs(fid_lenet_1k_test=[5.0, 6.0, 7.0]), {"fid_lenet_1k_test": Threshold(max=100)})
    assert whole[0][0] == pytest.approx(6.0) and whole[0][2] is True


def test_a_missing_value_says_why():
    """The note a user reads in `check`'s table and the JUnit report: what to do to get the value."""
    fid = {"fid_lenet_1k_test": Threshold(max=1e9)}
    assert outcome(runs(recipe="keras-mlp", fid_lenet_1k_test=[1.0]), fid)[0][3] == "missing: no runs of this recipe"
    other = outcome(runs(fid_lenet_100_test=[1.0], fid_inception_1k_test=[2.0], kid_lenet_1k_test=[3.0]), fid)
    assert other[0][3] == (
        "missing: the runs have fid_inception_1k_test, fid_lenet_100_test instead, "
        "under another sample count, backbone or split"
    )
    unscored = runs(fid_lenet_1k_test=[float("nan")] * 2).assign(verdict="unscored")
    assert outcome(unscored, fid)[0][3] == "missing: the runs are not scored"
    assert outcome(runs(fid_lenet_1k_test=[1.0, float("inf")]), fid)[0][3] == "not a finite number"
    infinite = check.check(runs(fid_lenet_1k_test=[1.0, float("inf")]), suite(**fid), None)[0]
    assert verdict_formats.absent(infinite) == "not finite"  # its note: "not a finite number"
    scored_null = runs(fid_lenet_1k_test=[1.0, float("nan"), 3.0]).assign(
        **{"fid_lenet_1k_test.finite": [True, False, True]}
    )  # as collect reads a metrics.json whose value is null
    assert outcome(scored_null, fid)[0][3] == "not finite in 1 of 3 runs: null in their metrics.json"
    verdict = check.check(scored_null, suite(**fid), None)[0]
    assert (
        verdict_formats.shown_value(verdict) == "not finite"
        and verdict_formats.verdict_table([verdict])["value"].item() == "not finite"
    )
    unscored_verdict = check.check(unscored, suite(**fid), None)[0]
    assert verdict_formats.shown_value(unscored_verdict) == "missing"


def test_markdown_is_a_table_of_verdicts_with_the_baseline_notes_and_count(tmp_path):
    verdicts = [
        check.Verdict("tf-mlp", "fid_lenet_1k_test", 900.25, "<= 945.3 (baseline 900.3 + 5%)", True),
        check.Verdict("keras-mlp", "modes_covered", None, ">= 1", False, "missing: no runs of this recipe"),
    ]
    text = verdict_formats.markdown(
        "smoke",
        verdicts,
        tmp_path / "b.json",
        ["runs differ in torch threads: 1, 2"],
        to_finish=["1 of 2 runs did not finish training (r/seed-1)", "1 of 2 runs is not scored (r/seed-0)"],
        hint=check.narrowing_hint(verdicts),
    )
    assert text == (
        "## ganbench check: suite smoke\n\n"
        "| recipe    | metric            | value   | rule                           | result                                 |\n"
        "|:----------|:------------------|:--------|:-------------------------------|:---------------------------------------|\n"
        "| tf-mlp    | fid_lenet_1k_test | 900.2   | <= 945.3 (baseline 900.3 + 5%) | pass                                   |\n"
        "| keras-mlp | modes_covered     | missing | >= 1                           | FAIL (missing: no runs of this recipe) |\n"
        f"\nbaseline: `{tmp_path / 'b.json'}`\n\n"
        "note: runs differ in torch threads: 1, 2; bits differ across CPU kinds, thread counts and torch versions, "
        "so values of one spec differ slightly\n\n"
        "note: keras-mlp: no runs here; to gate only the recipes that ran, add --recipes tf-mlp\n\n"
        "note: 1 of 2 runs did not finish training (r/seed-1)\n\n"
        "note: 1 of 2 runs is not scored (r/seed-0)\n\n"
        "**1 passed, 1 failed**\n"
    )


def test_only_the_named_recipes_rows_are_averaged():
    df = pd.concat([runs(fid_lenet_1k_test=[10.0, 20.0]), runs(recipe="keras-mlp", fid_lenet_1k_test=[1000.0])])
    got = outcome(df, {"fid_lenet_1k_test": Threshold(max=15)})
    assert got[0][0] == pytest.approx(15.0) and got[0][2] is True


# -- relative to a baseline ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "metric",
    [
        "fid_lenet_1k_test",
        "kid_lenet_1k_test",
        "kl_generated_data",
        "reverse_kl_2d_2500",
        "kl_stacked_lenet_26k",
        "l1_1k_test",
    ],
)
@pytest.mark.parametrize(
    "value,ok", [(10.0, True), (14.0, True), (15.0, True), (15.01, False), (6.0, True), (30.0, False)]
)
def test_lower_is_better_may_rise_by_the_tolerance_and_never_more(metric, value, ok):
    # baseline 10, tolerance 0.5: at most 10 + 5 = 15; any improvement passes
    got = outcome(runs(**{metric: [value]}), {metric: Threshold(baseline=True, tolerance=0.5)}, baseline(metric, 10.0))
    assert got[0][2] is ok
    assert got[0][1].startswith("<= 15 ")


@pytest.mark.parametrize(
    "metric",
    [
        "precision_lenet_1k_test",
        "recall_lenet_1k_test",
        "is_lenet_1k",
        "modes_2d_2500",
        "high_quality_2d_2500",
        "psnr_1k_test",
        "mean_confidence",
    ],
)
@pytest.mark.parametrize("value,ok", [(8.0, True), (6.5, True), (6.0, True), (5.999, False), (9.5, True), (1.0, False)])
def test_higher_is_better_may_fall_by_the_tolerance_and_never_more(metric, value, ok):
    # baseline 8, tolerance 0.25: at least 8 - 2 = 6; any improvement passes
    got = outcome(runs(**{metric: [value]}), {metric: Threshold(baseline=True, tolerance=0.25)}, baseline(metric, 8.0))
    assert got[0][2] is ok
    assert got[0][1].startswith(">= 6 ")


def test_tolerance_scales_with_the_size_of_a_negative_baseline():
    # KID can be slightly negative: baseline -0.01, tolerance 1.0 allows up to -0.01 + 0.01 = 0
    b = baseline("kid_lenet_1k_test", -0.01)
    t = {"kid_lenet_1k_test": Threshold(baseline=True, tolerance=1.0)}
    assert passed(runs(kid_lenet_1k_test=[0.0]), t, b) == [True]
    assert passed(runs(kid_lenet_1k_test=[0.001]), t, b) == [False]


def test_zero_tolerance_allows_no_change_for_the_worse():
    t = {"fid_lenet_1k_test": Threshold(baseline=True, tolerance=0.0)}
    b = baseline("fid_lenet_1k_test", 12.5)
    assert passed(runs(fid_lenet_1k_test=[12.5]), t, b) == [True]
    assert passed(runs(fid_lenet_1k_test=[12.5001]), t, b) == [False]


def test_a_metric_absent_from_the_baseline_fails_and_says_so():
    t = {"fid_lenet_1k_test": Threshold(baseline=True, tolerance=0.1)}
    for b in (
        baseline("kid_lenet_1k_test", 1.0),
        baseline("fid_lenet_1k_test", 1.0, recipe="keras-mlp"),
        {"recipes": {}},
        None,
    ):
        got = outcome(runs(fid_lenet_1k_test=[1.0]), t, b)
        assert got == [(1.0, "baseline", False, "not in the baseline")]


def test_a_missing_value_fails_against_a_baseline_in_both_directions():
    for metric in ("fid_lenet_1k_test", "precision_lenet_1k_test"):
        got = outcome(
            runs(**{metric: [float("nan")]}), {metric: Threshold(baseline=True, tolerance=10.0)}, baseline(metric, 1.0)
        )
        assert got[0][2] is False and got[0][3] == "missing"


# -- the table and the reports ----------------------------------------------------------------
def test_runs_of_two_profiles_are_refused():
    df = pd.concat([runs(fid_lenet_1k_test=[1.0]), runs(profile="quick", fid_lenet_1k_test=[1.0])])
    with pytest.raises(UserError, match="mix profiles"):
        check.check(df, suite(fid_lenet_1k_test=Threshold(max=2)), None)


def test_a_suite_without_thresholds_for_the_profile_is_refused():
    with pytest.raises(UserError, match=r"no \[thresholds.quick\] table"):
        check.check(runs(profile="quick", fid_lenet_1k_test=[1.0]), suite(fid_lenet_1k_test=Threshold(max=2)), None)


def test_needs_baseline_only_for_relative_thresholds():
    assert baselines.needs_baseline(suite(fid_lenet_1k_test=Threshold(max=2))) is False
    assert (
        baselines.needs_baseline(
            suite(fid_lenet_1k_test=Threshold(max=2), kid_lenet_1k_test=Threshold(baseline=True, tolerance=0.1))
        )
        is True
    )


def test_junit_counts_failures_and_names_the_value_and_rule(tmp_path):
    verdicts = check.check(
        runs(fid_lenet_1k_test=[50.0], modes_covered=[10.0]),
        suite(fid_lenet_1k_test=Threshold(max=40), modes_covered=Threshold(min=8), kid_lenet_1k_test=Threshold(max=1)),
        None,
    )
    verdict_formats.junit(verdicts, tmp_path / "j.xml")
    root = ET.parse(tmp_path / "j.xml").getroot()
    assert (root.get("tests"), root.get("failures")) == ("3", "2")
    messages = sorted(f.get("message") for f in root.iter("failure"))
    assert messages == ["fid_lenet_1k_test = 50, needs <= 40", "kid_lenet_1k_test = missing, needs <= 1"]
    names = [c.get("name") for c in root.iter("testcase")]
    assert names == ["fid_lenet_1k_test <= 40", "modes_covered >= 8", "kid_lenet_1k_test <= 1"]
    assert [c.get("classname") for c in root.iter("testcase")] == ["ganbench.tf-mlp"] * 3


def test_baseline_holds_each_recipes_mean_sample_std_and_count():
    df = pd.DataFrame(
        {
            "recipe": ["a", "a", "a", "b"],
            "seed": [0, 1, 2, 0],
            "suite": "s",
            "profile": "smoke",
            "device": "cpu",
            "dataset": "mnist",
            "spec_hash": ["h1", "h2", "h3", "h4"],
            "fid_lenet_1k_test": [1.0, 2.0, 6.0, 4.0],
            "kid_lenet_1k_test": [0.1, float("nan"), 0.3, 0.2],
        }
    )
    data = baselines.baseline_from(df, "ganbench baseline x")
    # a: mean 3, sample std sqrt(((1-3)^2 + (2-3)^2 + (6-3)^2) / 2) = sqrt(7)
    assert data["recipes"]["a"]["fid_lenet_1k_test"] == {"mean": 3.0, "std": pytest.approx(math.sqrt(7)), "n": 3}
    assert "kid_lenet_1k_test" not in data["recipes"]["a"]  # one seed unscored: no baseline for it
    assert data["recipes"]["b"]["kid_lenet_1k_test"] == {"mean": 0.2, "std": 0.0, "n": 1}
    assert (data["suite"], data["profile"], data["device"], data["dataset"]) == ("s", "smoke", "cpu", "mnist")
    assert data["produced_by"]["seeds"] == [0, 1, 2] and data["produced_by"]["runs"] == 4
    assert data["produced_by"]["spec_hashes"] == ["h1", "h2", "h3", "h4"]
    assert data["produced_by"]["command"] == "ganbench baseline x"


def test_baseline_of_mixed_suites_is_refused():
    df = pd.DataFrame(
        {
            "recipe": ["a", "a"],
            "seed": [0, 1],
            "suite": ["s", "t"],
            "profile": "smoke",
            "device": "cpu",
            "dataset": "mnist",
            "spec_hash": ["h1", "h2"],
            "fid_lenet_1k_test": [1.0, 2.0],
        }
    )
    with pytest.raises(UserError, match="mix suites"):
        baselines.baseline_from(df, "c")


def test_baseline_file_without_recipes_is_refused(tmp_path):
    path = tmp_path / "b.json"
    path.write_text('{"suite": "s"}')
    with pytest.raises(UserError, match="field 'recipes' is missing"):
        baselines.read_baseline(path)
    path.write_text("{not json")
    with pytest.raises(UserError, match="not a readable baseline file"):
        baselines.read_baseline(path)
    with pytest.raises(UserError, match="does not exist"):
        baselines.read_baseline(tmp_path / "none.json")
    path.write_text('{"recipes": {"a": {}}}')
    assert baselines.read_baseline(path) == {"recipes": {"a": {}}}


GOOD_BASELINE = {"suite": "s", "profile": "smoke", "device": "cpu", **baseline("fid_lenet_1k_test", 12.5)}


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        (lambda b: b["recipes"].update({"tf-mlp": 3}), "field 'recipes.tf-mlp': Input should be a JSON object (got 3)"),
        (
            lambda b: b["recipes"]["tf-mlp"].update({"fid_lenet_1k_test": [1]}),
            "field 'recipes.tf-mlp.fid_lenet_1k_test': Input should be a JSON object such as "
            '{"mean": 12.5, "std": 0.4, "n": 3} (got [1])',
        ),
        (
            lambda b: b["recipes"]["tf-mlp"]["fid_lenet_1k_test"].update({"mean": "low"}),
            "field 'recipes.tf-mlp.fid_lenet_1k_test.mean': Input should be a valid number, "
            "unable to parse string as a number (got 'low')",
        ),
        (
            lambda b: b["recipes"]["tf-mlp"]["fid_lenet_1k_test"].update({"mean": None}),
            "field 'recipes.tf-mlp.fid_lenet_1k_test.mean': Input should be a valid number (got None)",
        ),
        (
            lambda b: b["recipes"]["tf-mlp"]["fid_lenet_1k_test"].pop("std"),
            "field 'recipes.tf-mlp.fid_lenet_1k_test.std' is missing",
        ),
        (lambda b: b.update({"environment": [1]}), "field 'environment': Input should be a JSON object (got [1])"),
        (
            lambda b: b.update({"environment": {"torch": [2]}}),
            "field 'environment.torch.0': Input should be a valid string (got 2)",
        ),
    ],
    ids=["recipe-number", "statistics-list", "mean-text", "mean-null", "std-missing", "environment-list", "env-value"],
)
def test_a_hand_edited_baseline_is_refused_naming_the_field(tmp_path, edit, says):
    data = json.loads(json.dumps(GOOD_BASELINE))
    edit(data)
    path = tmp_path / "b.json"
    path.write_text(json.dumps(data))
    with pytest.raises(UserError) as refused:
        baselines.read_baseline(path)
    assert str(refused.value) == (
        f"{path}: not a ganbench baseline file: {says}; write it again with `ganbench baseline RUNS --out FILE`"
    )


def test_a_baseline_with_keys_a_later_version_adds_is_read():
    data = {**GOOD_BASELINE, "produced_by": {"command": "c"}, "new_key": 1}
    assert baseline_file.problem(data) is None


def test_each_verdict_names_its_recipe_metric_and_value_and_only_failures_carry_a_note():
    b = baseline("fid_lenet_1k_test", 10.0)
    t = {"fid_lenet_1k_test": Threshold(baseline=True, tolerance=0.1), "modes_covered": Threshold(min=5)}
    df = runs(fid_lenet_1k_test=[10.5], modes_covered=[6.0])
    got = [(v.recipe, v.metric, v.value, v.passed, v.note) for v in check.check(df, suite(**t), b)]
    assert got == [("tf-mlp", "fid_lenet_1k_test", 10.5, True, ""), ("tf-mlp", "modes_covered", 6.0, True, "")]
    absent = check.check(df, suite(kid_lenet_1k_test=Threshold(baseline=True, tolerance=0.1)), b)[0]
    assert (absent.recipe, absent.metric, absent.value, absent.note) == (
        "tf-mlp",
        "kid_lenet_1k_test",
        None,
        "not in the baseline",
    )
    unscored = check.check(runs(kid_lenet_1k_test=[float("nan")]), suite(kid_lenet_1k_test=Threshold(max=1)), None)[0]
    assert (unscored.recipe, unscored.metric, unscored.value, unscored.note) == (
        "tf-mlp",
        "kid_lenet_1k_test",
        None,
        "missing",
    )


def test_an_infinite_mean_is_missing_not_a_value():
    got = outcome(runs(fid_lenet_1k_test=[float("inf")]), {"fid_lenet_1k_test": Threshold(min=0)})
    assert got[0][0] is None and got[0][2] is False


def test_the_default_baseline_file_is_named_by_suite_profile_and_device():
    from pathlib import Path

    assert baselines.baseline_path("smoke", "smoke", "cpu") == Path("results/baselines/smoke-smoke-cpu.json")


def test_junit_is_a_testsuite_document_with_the_failures_explained(tmp_path):
    verdicts = check.check(runs(fid_lenet_1k_test=[50.0]), suite(fid_lenet_1k_test=Threshold(max=40)), None)
    verdicts.append(check.Verdict("tf-mlp", "kid_lenet_1k_test", None, "baseline", False, "not in the baseline"))
    verdict_formats.junit(verdicts, tmp_path / "j.xml")
    raw = (tmp_path / "j.xml").read_bytes()
    assert raw.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = ET.fromstring(raw)
    assert root.tag == "testsuite" and root.get("name") == "ganbench check"
    texts = [f.text for f in root.iter("failure")]
    assert texts == ["tf-mlp: fid_lenet_1k_test = 50 fails <= 40", "not in the baseline"]


def test_baseline_of_two_seeds_has_their_sample_std_and_records_the_training_commits():
    df = pd.DataFrame(
        {
            "recipe": ["a", "a"],
            "seed": [0, 1],
            "suite": "s",
            "profile": "smoke",
            "device": "cpu",
            "dataset": "mnist",
            "spec_hash": ["h1", "h2"],
            "fid_lenet_1k_test": [1.0, 3.0],
            "env.git_commit": ["abc", None],
        }
    )
    data = baselines.baseline_from(df, "c")
    assert data["recipes"]["a"]["fid_lenet_1k_test"] == {"mean": 2.0, "std": pytest.approx(math.sqrt(2)), "n": 2}
    assert data["produced_by"]["runs_trained_at"] == ["abc"]
    assert set(data["produced_by"]) == {"command", "git_commit", "runs_trained_at", "seeds", "runs", "spec_hashes"}


# -- a suite of several datasets: each judged on its own ------------------------------------------
def toy_runs() -> pd.DataFrame:
    """toy-gan on the ring (8 modes) and the grid (25 modes), two seeds each, as `report` gives them."""
    return pd.DataFrame(
        {
            "recipe": "toy-gan",
            "seed": [0, 1, 0, 1],
            "suite": "t",
            "profile": "smoke",
            "device": "cpu",
            "dataset": ["ring", "ring", "grid", "grid"],
            "spec_hash": ["h1", "h2", "h3", "h4"],
            "modes_2d_2500": [8.0, 6.0, 20.0, 24.0],
        }
    )


def toy_suite(**thresholds) -> Suite:
    return Suite(
        name="t",
        dataset=["ring", "grid"],
        seeds=[0, 1],
        recipes=["toy-gan"],
        thresholds={"smoke": {"toy-gan": thresholds}},
    )


def test_a_threshold_of_a_suite_of_two_datasets_is_judged_on_each_never_on_their_pooled_runs():
    # pooled, the mean would be (8 + 6 + 20 + 24) / 4 = 14.5 and pass; the ring's own mean is 7
    verdicts = check.check(toy_runs(), toy_suite(modes_2d_2500=Threshold(min=7.5)), None)
    assert [(v.dataset, v.value, v.passed) for v in verdicts] == [("ring", 7.0, False), ("grid", 22.0, True)]
    table = verdict_formats.verdict_table(verdicts)
    assert list(table.columns) == ["recipe", "dataset", "metric", "value", "rule", "result"]
    assert table["dataset"].tolist() == ["ring", "grid"]
    assert "dataset" not in verdict_formats.verdict_table(check.check(runs(fid_lenet_1k_test=[1.0]), suite(), None))


def test_a_dataset_without_runs_fails_on_its_own():
    verdicts = check.check(toy_runs().iloc[:2], toy_suite(modes_2d_2500=Threshold(min=1)), None)
    assert [(v.dataset, v.passed, v.note) for v in verdicts] == [
        ("ring", True, ""),
        ("grid", False, "missing: no runs of this recipe"),
    ]


def test_a_baseline_of_two_datasets_keeps_each_and_check_reads_each(tmp_path):
    data = baselines.baseline_from(toy_runs(), "c")
    assert data["dataset"] == ["grid", "ring"] and "recipes" not in data
    assert data["datasets"]["ring"]["recipes"]["toy-gan"]["modes_2d_2500"] == {
        "mean": 7.0,
        "std": pytest.approx(math.sqrt(2)),
        "n": 2,
    }
    assert data["datasets"]["grid"]["recipes"]["toy-gan"]["modes_2d_2500"]["mean"] == 22.0
    path = tmp_path / "b.json"
    path.write_text(json.dumps(data))
    worse = toy_runs().assign(modes_2d_2500=[7.0, 6.0, 22.0, 22.0])  # the ring's mean fell from 7 to 6.5
    verdicts = check.check(
        worse, toy_suite(modes_2d_2500=Threshold(baseline=True, tolerance=0.05)), baselines.read_baseline(path)
    )
    assert [(v.dataset, v.value, v.rule, v.passed) for v in verdicts] == [
        ("ring", 6.5, ">= 6.65 (baseline 7 - 5%)", False),
        ("grid", 22.0, ">= 20.9 (baseline 22 - 5%)", True),
    ]


def test_junit_names_the_dataset_of_a_verdict_in_its_class(tmp_path):
    verdicts = check.check(toy_runs(), toy_suite(modes_2d_2500=Threshold(min=7.5)), None)
    verdict_formats.junit(verdicts, tmp_path / "j.xml")
    root = ET.parse(tmp_path / "j.xml").getroot()
    assert [c.get("classname") for c in root.iter("testcase")] == ["ganbench.toy-gan.ring", "ganbench.toy-gan.grid"]
    assert [f.text for f in root.iter("failure")] == ["toy-gan.ring: modes_2d_2500 = 7 fails >= 7.5"]


def test_a_baseline_of_one_dataset_gates_only_that_dataset_of_a_suite_of_two():
    ring_only = {"dataset": "ring", "recipes": {"toy-gan": {"modes_2d_2500": {"mean": 7.0, "std": 0.0, "n": 2}}}}
    verdicts = check.check(toy_runs(), toy_suite(modes_2d_2500=Threshold(baseline=True, tolerance=0.0)), ring_only)
    assert [(v.dataset, v.passed, v.note) for v in verdicts] == [
        ("ring", True, ""),
        ("grid", False, "not in the baseline"),
    ]


# -- a dataset's own thresholds: [thresholds.<profile>.<recipe>.<dataset>] ------------------------
TOY_TOML = """name = "t"
dataset = ["ring", "grid"]
seeds = [0, 1]
recipes = ["toy-gan"]

[thresholds.smoke."toy-gan"]
modes_2d_2500 = { min = 1 }
high_quality_2d_2500 = { min = 50 }

[thresholds.smoke."toy-gan".ring]
modes_2d_2500 = { min = 7.5 }

[thresholds.smoke."toy-gan".grid]
modes_2d_2500 = { min = 20 }
"""


def test_a_dataset_table_sets_that_datasets_bounds_and_the_recipe_table_the_rest(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text(TOY_TOML)
    s = load_suite(path)
    runs_ = toy_runs().assign(high_quality_2d_2500=[90.0, 90.0, 40.0, 40.0])
    verdicts = check.check(runs_, s, None)
    assert [(v.dataset, v.metric, v.value, v.rule, v.passed) for v in verdicts] == [
        ("ring", "modes_2d_2500", 7.0, ">= 7.5", False),  # the ring's own bound wins over min = 1
        ("ring", "high_quality_2d_2500", 90.0, ">= 50", True),
        ("grid", "modes_2d_2500", 22.0, ">= 20", True),
        ("grid", "high_quality_2d_2500", 40.0, ">= 50", False),
    ]


def test_dataset_tables_alone_gate_and_may_be_relative():
    only_tables = toy_suite(ring={"modes_2d_2500": {"baseline": True, "tolerance": 0.0}})
    assert baselines.needs_baseline(only_tables) and only_tables.thresholds_per_dataset
    ring_baseline = {"dataset": "ring", "recipes": {"toy-gan": {"modes_2d_2500": {"mean": 7.5, "std": 0.0, "n": 2}}}}
    verdicts = check.check(toy_runs(), only_tables, ring_baseline)
    assert [(v.dataset, v.value, v.passed) for v in verdicts] == [("ring", 7.0, False)]  # the grid has no bound
    assert not baselines.needs_baseline(toy_suite(ring={"modes_2d_2500": {"min": 1}}))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ('"toy-gan".ring]', '"toy-gan".rign]'),
            "unknown metric 'rign' for toy-gan; did you mean 'ring'? valid: protocol names such as",
        ),
        (
            ("modes_2d_2500 = { min = 20 }", "mode_2d_2500 = { min = 20 }"),
            "unknown metric 'mode_2d_2500' for toy-gan on grid; did you mean 'modes_2d_2500'? valid:",
        ),
        (("dataset = [", "thresholds_per_dataset = {}\ndataset = ["), "unknown key 'thresholds_per_dataset'"),
        (
            ('recipes = ["toy-gan"]', 'recipes = ["toy-gan"]\nonly = { "toy-gan" = ["ring"] }'),
            "field 'thresholds.smoke.toy-gan.grid': toy-gan does not run on grid (its datasets: ring)",
        ),
        (("{ min = 20 }", '{ min = "x" }'), "field 'thresholds.smoke.toy-gan.grid.modes_2d_2500.min'"),
    ],
)
def test_a_wrong_dataset_table_is_named_with_what_is_valid(tmp_path, change, expected):
    path = tmp_path / "t.toml"
    path.write_text(TOY_TOML.replace(*change))
    with pytest.raises(UserError) as refused:
        load_suite(path)
    assert expected in str(refused.value)
    if "rign" in expected:
        assert "or one of the suite's datasets (ring, grid) as a table" in str(refused.value)


def test_a_suite_without_dataset_tables_keeps_its_hash(tmp_path):
    # the suite hash names the suite a --resume continues; one written before dataset tables holds
    s = toy_suite(modes_2d_2500=Threshold(min=1))
    assert "thresholds_per_dataset" not in s.content()
    # the shipped smoke suite's hash as ganbench 0.1.0 wrote it into suite.json before dataset tables
    smoke = spec_hash(load_suite("smoke").content())
    assert smoke == "c1e3d37b572201b3d588d19a7f12d728b4f419312d468919f1e9c03d0f2d9bb1"
    assert "thresholds_per_dataset" in toy_suite(ring={"modes_2d_2500": {"min": 1}}).content()


def test_a_baseline_of_another_suite_profile_or_device_is_refused_naming_each(tmp_path):
    df = pd.DataFrame({"recipe": ["tf-mlp"] * 2, "profile": ["smoke", "quick"], "device": ["cpu", "cpu"]})
    path = tmp_path / "b.json"
    baselines.check_baseline_fits(path, {"suite": "smoke", "profile": "quick", "device": "cpu"}, "smoke", df)
    baselines.check_baseline_fits(path, {"suite": "", "profile": None}, "smoke", df)  # keys left out: nothing to hold
    with pytest.raises(UserError) as left_out:
        baselines.check_baseline_fits(path, {"suite": "", "profile": "full"}, "smoke", df)
    assert str(left_out.value) == (
        f"{path}: made for another profile 'full' (the runs: quick, smoke); pass --baseline with the matching file"
    )
    with pytest.raises(UserError) as every:
        baselines.check_baseline_fits(path, {"suite": "mnist", "profile": "full", "device": "cuda"}, "smoke", df)
    assert str(every.value) == (
        f"{path}: made for another suite 'mnist' (the runs: smoke); profile 'full' (the runs: quick, smoke); "
        "device 'cuda' (the runs: cpu); pass --baseline with the matching file"
    )


def test_baseline_recipes_come_from_its_one_dataset_or_the_named_one_of_several():
    one = {"dataset": "mnist", "recipes": {"a": 1}}
    assert baselines.baseline_recipes(one, "") == baselines.baseline_recipes(one, "mnist") == {"a": 1}
    assert baselines.baseline_recipes(one, "ring") == {}  # made on another dataset
    assert baselines.baseline_recipes({"dataset": "", "recipes": {"a": 1}}, "ring") == {"a": 1}  # on one not named
    assert baselines.baseline_recipes({"dataset": "mnist"}, "mnist") == {}
    several = {"datasets": {"ring": {"recipes": {"b": 2}}, "grid": {}}}
    assert baselines.baseline_recipes(several, "ring") == {"b": 2}
    assert baselines.baseline_recipes(several, "grid") == baselines.baseline_recipes(several, "mnist") == {}
    assert baselines.baseline_recipes(None, "mnist") == {}


def test_a_failure_without_a_note_reads_fail_and_markdown_leaves_out_what_is_absent():
    verdicts = [
        check.Verdict("tf-mlp", "is_lenet_1k", 2.0, ">= 1", True),
        check.Verdict("tf-mlp", "modes_covered", 3.0, ">= 1", True),
        check.Verdict("keras-mlp", "modes_covered", 0.0, ">= 1", False),
    ]
    assert [verdict_formats.outcome(v) for v in verdicts] == ["pass", "pass", "FAIL"]
    assert verdict_formats.outcome(check.Verdict("a", "m", None, ">= 1", False, "missing")) == "FAIL (missing)"
    assert verdict_formats.markdown("smoke", verdicts, None, []) == (  # no baseline, no notes, no index column
        "## ganbench check: suite smoke\n\n"
        "| recipe    | metric        | value   | rule   | result   |\n"
        "|:----------|:--------------|:--------|:-------|:---------|\n"
        "| tf-mlp    | is_lenet_1k   | 2       | >= 1   | pass     |\n"
        "| tf-mlp    | modes_covered | 3       | >= 1   | pass     |\n"
        "| keras-mlp | modes_covered | 0       | >= 1   | FAIL     |\n"
        "\n**2 passed, 1 failed**\n"
    )


def test_a_recipe_run_on_some_datasets_of_a_suite_is_judged_on_those_only():
    only_ring = Suite(
        name="t",
        dataset=["ring", "grid"],
        seeds=[0, 1],
        recipes=["toy-gan"],
        only={"toy-gan": ["ring"]},
        thresholds={"smoke": {"toy-gan": {"modes_2d_2500": Threshold(min=1)}}},
    )
    verdicts = check.check(toy_runs().iloc[:2], only_ring, None)
    assert [(v.dataset, v.passed) for v in verdicts] == [("ring", True)]


def test_a_suite_name_is_matched_whole_not_as_part_of_the_runs_suite(tmp_path):
    df = pd.DataFrame({"recipe": ["tf-mlp"], "profile": ["smoke"], "device": ["cpu"]})
    with pytest.raises(UserError, match="made for another suite 'smo' \\(the runs: smoke\\)"):
        baselines.check_baseline_fits(tmp_path / "b.json", {"suite": "smo"}, "smoke", df)


def test_a_baseline_records_the_environment_check_compares_later_runs_against():
    from gan_bench.reporting import environments

    def made_with(threads):
        return pd.DataFrame(
            {"recipe": "a", "seed": [0], "suite": "s", "profile": "smoke", "device": "cpu", "dataset": "mnist"}
            | {"spec_hash": ["h1"], "fid_lenet_1k_test": [1.0], "env.torch_threads": [threads]}
        )

    data = baselines.baseline_from(made_with(2), "ganbench baseline x")
    later = environments.of_runs(made_with(1))
    assert environments.against(later, data["environment"]) == [
        "runs and baseline differ in torch threads: 1 against 2"
    ]


def test_runs_of_a_profile_the_suite_does_not_gate_are_refused_naming_the_profiles_it_does():
    gates_smoke = suite(modes_covered=Threshold(min=1))
    with pytest.raises(UserError) as refused:
        check.check(runs(profile="quick", modes_covered=[9.0]), gates_smoke, None)
    assert str(refused.value) == (
        "suite 's' has no [thresholds.quick] table for these quick-profile runs; it gates the smoke profile. "
        'Check runs of a gated profile, or add [thresholds.quick."<recipe>"] to the suite file'
    )
    ungated = Suite(name="u", dataset="mnist", seeds=[0], recipes=["tf-mlp"])
    with pytest.raises(UserError, match="no \\[thresholds.smoke\\] table for these smoke-profile runs; it has none"):
        check.check(runs(modes_covered=[9.0]), ungated, None)
    two = Suite(
        name="t",
        dataset="mnist",
        seeds=[0],
        recipes=["tf-mlp"],
        thresholds={p: {"tf-mlp": {"modes_covered": Threshold(min=1)}} for p in ("full", "smoke")},
    )
    with pytest.raises(UserError) as refused:
        check.check(runs(profile="quick", modes_covered=[9.0]), two, None)
    assert "; it gates the full, smoke profiles. Check runs" in str(refused.value)


def test_a_baseline_of_b_to_a_runs_is_its_own_file_and_gates_only_runs_of_that_direction(tmp_path):
    def translated(direction):
        return pd.DataFrame(
            {"recipe": "pix2pix", "seed": [0], "suite": "translation", "profile": "smoke", "device": "cpu"}
            | {"dataset": "edges2digits", "direction": [direction], "spec_hash": ["h1"], "l1_200_test": [0.4]}
        )

    data = baselines.baseline_from(translated("BtoA"), "ganbench baseline x")
    assert data["direction"] == "BtoA" and baseline_file.problem(data) is None
    assert "direction" not in baselines.baseline_from(translated(""), "c")  # no translation task
    assert baselines.baseline_path("translation", "smoke", "cpu", "BtoA").name == "translation-BtoA-smoke-cpu.json"
    assert baselines.baseline_path("translation", "smoke", "cpu", "AtoB").name == "translation-smoke-cpu.json"
    path = tmp_path / "b.json"
    baselines.check_baseline_fits(path, data, "translation", translated("BtoA"))
    with pytest.raises(UserError) as other_way:
        baselines.check_baseline_fits(path, data, "translation", translated("AtoB"))
    assert str(other_way.value) == (
        f"{path}: made for another direction 'BtoA' (the runs: AtoB); pass --baseline with the matching file"
    )
    baselines.check_baseline_fits(
        path, {k: v for k, v in data.items() if k != "direction"}, "translation", translated("AtoB")
    )
    with pytest.raises(UserError, match="runs mix translation directions \\['AtoB', 'BtoA'\\]"):
        baselines.baseline_from(pd.concat([translated("AtoB"), translated("BtoA").assign(seed=1)]), "c")
    assert "field 'direction': Input should be 'AtoB' or 'BtoA' (got 'up')" == baseline_file.problem(
        {**data, "direction": "up"}
    )


def test_a_gate_tells_unscored_from_unfinished_runs():
    rows = pd.DataFrame(
        {"recipe": ["a", "a", "a"], "verdict": ["unscored", "incomplete", "unscored"], "fid_lenet_1k_test": [None] * 3}
    )
    assert check.why_missing(rows, "a", "fid_lenet_1k_test") == (
        "missing: the runs are not scored, and 1 did not finish training"
    )
    assert check.why_missing(rows.assign(verdict="unscored"), "a", "fid_lenet_1k_test") == (
        "missing: the runs are not scored"
    )
    assert check.why_missing(rows.assign(verdict="incomplete"), "a", "fid_lenet_1k_test") == (
        "missing: the runs did not finish training"
    )


# -- translation runs: their direction and images -------------------------------------------------
def translators(directions, images=None, datasets=None) -> pd.DataFrame:
    """One scored pix2pix run per direction (blank: a run of no translation task), as collect reads them."""
    n = len(directions)
    return pd.DataFrame(
        {
            "run": [f"r/seed-{i}" for i in range(n)],
            "recipe": ["pix2pix"] * n,
            "seed": list(range(n)),
            "suite": ["t"] * n,
            "profile": ["smoke"] * n,
            "device": ["cpu"] * n,
            "dataset": datasets or ["edges2digits"] * n,
            "direction": directions,
            "spec_hash": ["h"] * n,
            "l1_200_test": [0.4] * n,
            **({IMAGES: images} if images is not None else {}),
        }
    )


def translation_suite(direction="AtoB") -> Suite:
    return Suite(
        name="t",
        dataset="edges2digits",
        seeds=[0],
        recipes=["pix2pix"],
        direction=direction,
        thresholds={"smoke": {"pix2pix": {"l1_200_test": Threshold(max=0.5)}}},
    )


@pytest.mark.parametrize("direction,other", [("AtoB", "BtoA"), ("BtoA", "AtoB")])
def test_runs_of_the_direction_a_suite_does_not_gate_are_refused_naming_the_first(direction, other):
    runs_of = translators(
        ["", direction, other, other], datasets=["mnist", "edges2digits", "digits2bold", "edges2digits"]
    )
    with pytest.raises(UserError) as refused:
        check.check(runs_of, translation_suite(direction), None)
    assert str(refused.value) == (
        f"r/seed-2 translates digits2bold {other}, and suite 't' gates it {direction}; check runs of that "
        f'direction, or give a suite with direction = "{other}" (a suite run made with --direction is checked in '
        "its direction when no --suite is given)"
    )
    same = check.check(translators(["", direction]), translation_suite(direction), None)
    assert [(v.recipe, v.value, v.passed) for v in same] == [("pix2pix", pytest.approx(0.4), True)]
    hand_made = translators([other]).drop(columns="direction")  # no direction column: nothing to hold it to
    assert check.gated_of(hand_made, translation_suite(direction)) == ("smoke", ["pix2pix"])


def test_the_runs_direction_is_their_one_translation_direction():
    assert baselines.runs_direction(translators(["", "BtoA", "BtoA"])) == "BtoA"
    assert baselines.runs_direction(translators(["", ""])) is None
    assert baselines.runs_direction(translators([float("nan"), "BtoA"])) == "BtoA"  # a frame joined with other runs'
    assert baselines.runs_direction(translators(["AtoB"]).drop(columns="direction")) is None
    with pytest.raises(UserError, match="^runs mix translation directions \\['AtoB', 'BtoA'\\]; a baseline covers"):
        baselines.runs_direction(translators(["BtoA", "", "AtoB"]))


def test_the_runs_images_are_each_translation_folders_first_digest():
    datasets = ["edges2digits", "digits2bold", "digits2bold", "mnist"]
    df = translators(["AtoB"] * 3 + [""], images=[None, "bb", "bb", None], datasets=datasets)
    assert baselines.runs_images(df) == {"digits2bold": "bb"}
    assert baselines.runs_images(df.iloc[:2]) == {"digits2bold": "bb"}  # one run of the folder
    assert baselines.runs_images(df.drop(columns=IMAGES)) == {}


def test_a_baseline_of_other_images_of_a_translation_folder_is_refused(tmp_path):
    path = tmp_path / "b.json"
    df = translators(["AtoB", "AtoB"], images=["aa", "cc"], datasets=["edges2digits", "digits2bold"])
    data = baselines.baseline_from(df, "ganbench baseline r")
    assert data["images"] == {"digits2bold": "cc", "edges2digits": "aa"} and baseline_file.problem(data) is None
    assert "images" not in baselines.baseline_from(df.drop(columns=IMAGES), "c")
    baselines.check_baseline_fits(path, data, "t", df)
    baselines.check_baseline_fits(path, {**data, "images": {"edges2digits": "aa"}}, "t", df)  # one folder recorded
    baselines.check_baseline_fits(path, {k: v for k, v in data.items() if k != "images"}, "t", df)
    with pytest.raises(UserError) as other:
        baselines.check_baseline_fits(path, {**data, "images": {"digits2bold": "dd", "edges2digits": "aa"}}, "t", df)
    assert str(other.value) == (
        f"{path}: made for another images of digits2bold 'dd' (the runs: cc); pass --baseline with the matching file"
    )


def test_a_b_to_a_suite_finds_its_own_baseline_file_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    mine = tmp_path / "results" / "baselines" / "t-BtoA-smoke-cpu.json"
    assert baselines.find_baseline(translation_suite("BtoA"), "smoke", "cpu").resolve() == mine
    mine.parent.mkdir(parents=True)
    mine.write_text("{}")
    (mine.parent / "t-smoke-cpu.json").write_text("{}")
    assert baselines.find_baseline(translation_suite("BtoA"), "smoke", "cpu").resolve() == mine
    assert (
        baselines.find_baseline(translation_suite("AtoB"), "smoke", "cpu").resolve() == mine.parent / "t-smoke-cpu.json"
    )
