"""report, check and baseline on a real (small) scored suite, through the CLI: files and exit codes."""

import json
import math
import shutil
import xml.etree.ElementTree as ET

import pandas as pd
import pytest
from conftest import SUITE
from typer.testing import CliRunner

from gan_bench.cli import app
from gan_bench.reporting import published, render

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.mark.slow
def test_markdown_table_has_recipes_seeds_best_marks_and_protocol(suite_run):
    _, runs, _ = suite_run
    result = invoke("report", runs, "--format", "md")
    assert result.exit_code == 0
    text = result.output
    assert "suite mini · mnist · profile smoke · cpu" in text
    assert "| tf-mlp" in text and "| keras-mlp" in text
    assert "★" in text and "fid_lenet_1k_test" in text
    for column in ("samples", "reference", "evaluator sha256", "backbone"):
        assert column in text
    row = next(line for line in text.splitlines() if line.startswith("| tf-mlp"))
    assert "| tf-mlp | 2 |" in " ".join(row.split()) and "±" in row
    assert "rows marked [published]" not in text  # no published rows here: no note on them


@pytest.mark.slow
def test_csv_has_one_row_per_run_with_the_full_spec(suite_run, tmp_path):
    _, runs, _ = suite_run
    assert invoke("report", runs, "--format", "csv", "--out", tmp_path / "r.csv").exit_code == 0
    df = pd.read_csv(tmp_path / "r.csv")
    assert len(df) == 4 and set(df["recipe"]) == {"tf-mlp", "keras-mlp"}
    assert {"spec.recipe.lr", "spec.schedule.steps", "spec_hash", "fid_lenet_1k_test"} <= set(df.columns)
    assert sorted(df["spec.recipe.betas"].unique()) == ["[0.5, 0.999]", "[0.9, 0.999]"]


@pytest.mark.slow
def test_html_is_self_contained_with_plots_and_table(suite_run, tmp_path):
    _, runs, _ = suite_run
    assert invoke("report", runs, "--format", "html", "--out", tmp_path / "r.html").exit_code == 0
    page = (tmp_path / "r.html").read_text()
    assert page.count('src="data:image/png;base64,') == 8  # 6 figures + 2 sample grids
    assert "http://" not in page and "https://" not in page
    for title in (
        "Loss curves",
        "D(x) and D(G(z))",
        "Gradient norms",
        "Quality over time",
        "Class histograms",
        "Verdicts",
        "Sample grids",
    ):
        assert title in page
    assert '<table class="dataframe comparison">' in page and "keras-mlp" in page


@pytest.mark.slow
def test_check_passes_and_writes_junit(suite_run, tmp_path):
    root, runs, baseline = suite_run
    result = invoke("check", runs, "--baseline", baseline, "--junit", tmp_path / "j.xml")
    assert result.exit_code == 0, result.output
    suite = ET.parse(tmp_path / "j.xml").getroot()
    assert suite.get("tests") == "4" and suite.get("failures") == "0"
    assert "4 passed, 0 failed" in result.output


@pytest.mark.slow
def test_check_recipes_gates_the_recipes_a_narrowed_suite_run_trained(suite_run, tmp_path):
    root, runs, baseline = suite_run
    narrowed = tmp_path / "runs"
    shutil.copytree(runs, narrowed)
    shutil.copy(root / "mini.toml", tmp_path)  # suite.json names it relative to the runs
    shutil.rmtree(narrowed / "keras-mlp")  # as `run --suite mini --recipes tf-mlp` leaves it, planning only tf-mlp
    info = json.loads((narrowed / "suite.json").read_text())
    info["runs"] = [[recipe, seed] for recipe, seed in info["runs"] if recipe == "tf-mlp"]
    (narrowed / "suite.json").write_text(json.dumps(info))
    every = invoke("check", narrowed, "--baseline", baseline)
    assert every.exit_code == 1 and "2 passed, 2 failed" in every.output, every.output
    assert "note: keras-mlp: no runs here; to gate only the recipes that ran, add --recipes tf-mlp" in every.output
    only = invoke("check", narrowed, "--baseline", baseline, "--recipes", "tf-mlp", "--junit", tmp_path / "j.xml")
    assert only.exit_code == 0 and "2 passed, 0 failed" in only.output and "keras-mlp" not in only.output
    assert ET.parse(tmp_path / "j.xml").getroot().get("tests") == "2"
    wrong = invoke("check", narrowed, "--recipes", "tf-mlp,dcgan", "--junit", tmp_path / "k.xml")
    assert wrong.exit_code == 2 and not (tmp_path / "k.xml").exists()
    assert "--recipes: 'dcgan' not gated; suite 'mini' gates these on the smoke profile: tf-mlp, keras-mlp" in (
        " ".join(wrong.output.split())
    )


@pytest.mark.slow
def test_check_as_markdown_for_a_ci_summary_keeps_the_exit_code(suite_run, tmp_path):
    root, runs, baseline = suite_run
    result = invoke("check", runs, "--baseline", baseline, "--format", "md", "--junit", tmp_path / "j.xml")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "## ganbench check: suite mini" and lines[-1] == "**4 passed, 0 failed**"
    assert sum(line.startswith("| tf-mlp ") for line in lines) == 2 and (tmp_path / "j.xml").is_file()
    tight = root / "tight-md.toml"
    tight.write_text(SUITE.replace("{ max = 100000 }", "{ max = 1 }"))
    failed = invoke("check", runs, "--suite", tight, "--baseline", baseline, "-f", "md")
    assert failed.exit_code == 1 and failed.output.rstrip().endswith("**3 passed, 1 failed**")
    assert "| FAIL" in failed.output


@pytest.mark.slow
@pytest.mark.parametrize(
    "name, args, written",
    [
        ("r.html", [], "<!DOCTYPE html>"),
        ("r.csv", [], "run,suite,source,recipe"),
        ("r.md", [], "## suite mini"),
        ("r.txt", ["-f", "md"], "## suite mini"),
        ("r.html", ["-f", "md"], "error: --out: {out} ends in .html but --format is md; name the file .md, or give"),
        ("r.txt", [], "error: --out: {out} does not end in .md, .csv or .html; give --format md, csv or html"),
        ("r.md", ["-f", "rich"], "error: --format rich prints to the terminal, and --out writes a file; leave"),
    ],
)
def test_report_out_takes_its_format_from_the_file_ending_and_refuses_a_mismatch(
    suite_run, tmp_path, name, args, written
):
    _, runs, _ = suite_run
    out = tmp_path / name
    result = invoke("report", runs, "--out", out, *args)
    if written.startswith("error:"):
        assert result.exit_code == 2 and written.format(out=out) in result.output.replace("\n", "")
        assert not out.exists()
    else:
        assert result.exit_code == 0, result.output
        assert written in out.read_text()


def test_check_refuses_an_unknown_format_before_reading_runs(tmp_path):
    result = invoke("check", tmp_path / "none", "--format", "json")
    assert result.exit_code == 2 and "--format: unknown format 'json'; valid: rich, md" in result.output


@pytest.mark.slow
def test_tightened_threshold_fails_with_exit_1(suite_run, tmp_path):
    root, runs, baseline = suite_run
    tight = root / "tight.toml"
    tight.write_text(SUITE.replace("max = 100000", "max = 0.001"))
    result = invoke("check", runs, "--suite", tight, "--baseline", baseline, "--junit", tmp_path / "j.xml")
    assert result.exit_code == 1
    failures = ET.parse(tmp_path / "j.xml").getroot().findall(".//failure")
    assert len(failures) == 1 and "fid_lenet_1k_test" in failures[0].get("message")


@pytest.mark.slow
def test_missing_metric_fails_never_passes(suite_run):
    root, runs, baseline = suite_run
    missing = root / "missing.toml"
    missing.write_text(SUITE.replace("modes_covered = { min = 1 }", "fid_inception_1k_test = { max = 1e9 }"))
    result = invoke("check", runs, "--suite", missing, "--baseline", baseline)
    assert result.exit_code == 1 and "missing" in result.output


@pytest.mark.slow
def test_a_metric_scored_as_null_fails_as_not_finite_not_as_missing(suite_run, tmp_path):
    root, runs, baseline = suite_run
    copy = tmp_path / "runs"
    shutil.copytree(runs, copy)
    path = copy / "tf-mlp" / "seed-1" / "metrics.json"
    result = json.loads(path.read_text())
    result["metrics"]["fid_lenet_1k_test"]["value"] = None  # what a NaN FID is written as
    path.write_text(json.dumps(result))
    checked = invoke("check", copy, "--suite", root / "mini.toml", "--baseline", baseline)
    assert checked.exit_code == 1
    line = next(line for line in checked.output.splitlines() if "tf-mlp" in line and "fid_lenet_1k_test" in line)
    assert "not finite in 1 of 2 runs: null in their metrics.json" in " ".join(checked.output.split())
    assert "FAIL" in line and "not finite" in line.split("│")[3]  # the value column says so too


@pytest.mark.slow
def test_degraded_run_fails_against_the_baseline(suite_run, tmp_path):
    root, runs, baseline = suite_run
    # Retrain keras-mlp for a single step: the same suite, a generator whose samples are never real-like;
    # tf-mlp's runs are the baseline's own.
    short = root / "short.toml"
    short.write_text(SUITE.replace('profile = "smoke"', 'profile = "smoke"\n[steps]\n"keras-mlp" = 1'))
    worse = tmp_path / "worse"
    assert invoke("run", "--suite", short, "--recipes", "keras-mlp", "--out", worse, "--quiet").exit_code == 0
    shutil.copytree(runs / "tf-mlp", worse / "tf-mlp")
    result = invoke("check", worse, "--suite", root / "mini.toml", "--baseline", baseline)
    assert result.exit_code == 1
    failed = [line for line in result.output.splitlines() if "FAIL" in line]
    assert failed and all("keras-mlp" in line for line in failed), result.output


@pytest.mark.parametrize(
    "typo,expected",
    [
        (
            "fid_lenet_1k_test = { mxa = 3 }",
            "field 'thresholds.smoke.tf-mlp.fid_lenet_1k_test.mxa': unknown key; did you mean 'max'? "
            "valid keys: min, max, baseline, tolerance",
        ),
        ("fid_lenet_1k_tset = { max = 3 }", "unknown metric 'fid_lenet_1k_tset'"),
        ("fid_lenet_1k_test = { baseline = true }", "needs a tolerance"),
        ('fid_lenet_1k_test = { max = "low" }', "field 'thresholds"),
    ],
)
@pytest.mark.slow
def test_thresholds_with_a_typo_exit_2(suite_run, typo, expected):
    root, runs, baseline = suite_run
    bad = root / "bad.toml"
    bad.write_text(SUITE.replace("fid_lenet_1k_test = { max = 100000 }", typo))
    result = runner.invoke(app, ["check", str(runs), "--suite", str(bad), "--baseline", str(baseline)])
    assert result.exit_code == 2
    assert expected in result.output and "Traceback" not in result.output


@pytest.mark.slow
def test_missing_baseline_file_exits_2(suite_run, tmp_path):
    _, runs, _ = suite_run
    result = runner.invoke(app, ["check", str(runs), "--baseline", str(tmp_path / "none.json")])
    assert result.exit_code == 2 and "does not exist" in result.output


@pytest.mark.slow
def test_baseline_records_means_and_how_it_was_made(suite_run):
    _, _, baseline = suite_run
    data = json.loads(baseline.read_text())
    assert (data["suite"], data["profile"], data["device"]) == ("mini", "smoke", "cpu")
    entry = data["recipes"]["tf-mlp"]["fid_lenet_1k_test"]
    assert entry["n"] == 2 and entry["mean"] > 0
    assert data["produced_by"]["seeds"] == [0, 1] and data["produced_by"]["command"].startswith("ganbench baseline")


@pytest.mark.slow
def test_two_suite_runs_of_one_suite_get_a_table_each_and_check_refuses_them(suite_run, tmp_path):
    """The same seeds twice: pooled, they would show a spread of 0 over n=4 "seeds" that are two."""
    _, runs, baseline = suite_run
    again = shutil.copytree(runs, tmp_path / "again")
    result = invoke("report", runs, again, "--format", "md")
    assert result.exit_code == 0, result.output
    titles = {line for line in result.output.splitlines() if line.startswith("## ")}
    assert titles == {f"## suite mini · mnist · profile smoke · cpu · {folder}" for folder in (runs, again)}
    rows = [line for line in result.output.splitlines() if line.startswith("| tf-mlp")]
    assert len(rows) == 2 and all("| tf-mlp | 2 |" in " ".join(row.split()) for row in rows)  # each: its two seeds
    for args in (("check", "--baseline", baseline), ("baseline", "--out", tmp_path / "b.json")):
        result = invoke(*args, runs, again)
        assert result.exit_code == 2, result.output
        assert (
            "seed 0 (mini, profile smoke, cpu) is in 2 runs" in result.output and "give one suite run" in result.output
        )
    assert not (tmp_path / "b.json").exists()


@pytest.mark.slow
def test_distinct_seeds_of_two_suite_runs_pool_in_one_table_and_pass_the_check(suite_run, tmp_path):
    root, runs, baseline = suite_run
    first, second = (shutil.copytree(runs, tmp_path / name) for name in ("first", "second"))
    for recipe in ("tf-mlp", "keras-mlp"):
        shutil.rmtree(first / recipe / "seed-1")
        shutil.rmtree(second / recipe / "seed-0")
    for folder, seed in ((first, 0), (second, 1)):  # as `run --seeds 0` and `run --seeds 1` record them
        info = json.loads((folder / "suite.json").read_text())
        info["runs"] = [[recipe, seed] for recipe, _ in info["runs"] if _ == seed]
        (folder / "suite.json").write_text(json.dumps(info))
    result = invoke("report", first, second, "--format", "md")
    assert result.exit_code == 0, result.output
    assert [line for line in result.output.splitlines() if line.startswith("## ")] == [
        "## suite mini · mnist · profile smoke · cpu"
    ]
    pooled = next(line for line in result.output.splitlines() if line.startswith("| tf-mlp"))
    alone = next(line for line in invoke("report", runs, "--format", "md").output.splitlines() if "| tf-mlp" in line)
    assert pooled == alone
    result = invoke("check", first, second, "--suite", root / "mini.toml", "--baseline", baseline)
    assert result.exit_code == 0, result.output


@pytest.mark.slow
def test_a_copied_run_inside_one_suite_run_is_refused_by_report(suite_run, tmp_path):
    _, runs, _ = suite_run
    folder = shutil.copytree(runs, tmp_path / "runs")
    shutil.copytree(folder / "tf-mlp" / "seed-0", folder / "tf-mlp" / "copy" / "seed-0")
    result = invoke("report", folder)
    assert result.exit_code == 2, result.output
    assert "tf-mlp seed 0" in result.output and "in one folder; remove the copy" in result.output
    assert str(folder / "tf-mlp" / "copy" / "seed-0") in result.output.replace("\n", "")


def test_the_terminal_table_prints_the_published_marker_as_text():
    """rich would read "[published]" as a markup tag and print nothing in its place."""
    from rich.console import Console

    table = pd.DataFrame({"recipe": ["toy-gan", "PacGAN2 [published]"], "n": [3, 10]})
    console = Console(record=True, width=200)
    console.print(render.as_rich("suite toy · grid · [x]", table))
    text = " ".join(console.export_text().split())  # the caption wraps at the table's width
    assert "PacGAN2 [published]" in text and "rows marked [published] are copied" in text and "· [x]" in text


def test_published_rows_appear_only_under_the_same_protocol():
    assert published.published_rows(["fid_lenet_10k_test"], "mnist") == []
    rows = published.published_rows(["fid_inception_10k_test"], "fashion-mnist")
    ns = next(r for r in rows if r["label"] == "NS GAN (non-saturating) [published]")
    assert (
        ns["values"] == {"fid_inception_10k_test": ("26.5", "1.6")} and ns["source"] == published.LUCIC_2018["source"]
    )
    table = pd.DataFrame({"recipe": ["tf-mlp"], "n": [3], "fid_inception_10k_test": ["12.0 ± 1.0"]})
    shown = render._with_published(table, "mnist")
    assert "NS GAN (non-saturating) [published]" in set(shown["recipe"])
    assert shown.loc[shown["recipe"] == "WGAN [published]", "fid_inception_10k_test"].item() == "6.7 ± 0.4 std"


def test_pacgan_and_veegan_rows_sit_beside_the_toy_and_stacked_tables():
    table = pd.DataFrame(
        {
            "recipe": ["toy-gan", "toy-gan-pac2"],
            "n": [3, 3],
            "modes_2d_2500": ["20.0 ± 1.0", "23.0 ± 1.0"],
            "reverse_kl_2d_2500": ["0.5", "0.2"],
            "reverse_kl_hq_2d_2500": ["0.5", "0.2"],
        }
    )
    shown = render._with_published(table, "grid")
    assert render.published_note(shown) == render.PUBLISHED_NOTE and render.published_note(table) == ""
    pac2 = shown[shown["recipe"] == "PacGAN2 [published]"].iloc[0]
    assert pac2["modes_2d_2500"] == "23.8 ± 0.7 s.e." and pac2["reverse_kl_hq_2d_2500"] == "0.13 ± 0.04 s.e."
    assert pac2["n"] == 10 and "PacGAN" in pac2["verdicts"] and "2,500 samples" in pac2["verdicts"]
    # PacGAN's reverse KL counts high-quality samples only: never beside ganbench's all-sample one
    assert (shown["reverse_kl_2d_2500"].iloc[2:] == "—").all()
    # The paper's digits, trailing zeros included (a float would print PacGAN's 0.70 ± 0.07 as 0.7 ± 0.07).
    assert shown.loc[shown["recipe"] == "GAN [published]", "reverse_kl_hq_2d_2500"].tolist() == [
        "0.70 ± 0.07 s.e.",
        "—",
    ]
    ring = render._with_published(table, "ring")
    assert ring.loc[ring["recipe"] == "PacGAN3 [published]", "reverse_kl_hq_2d_2500"].item() == "0.10 ± 0.02 s.e."
    veegan = shown[shown["recipe"] == "VEEGAN [published]"].iloc[0]
    assert veegan["modes_2d_2500"] == "24.6" and veegan["reverse_kl_hq_2d_2500"] == "—"  # VEEGAN gave no KL
    assert ring.loc[ring["recipe"] == "GAN [published]", "modes_2d_2500"].tolist() == ["6.3 ± 0.5 s.e.", "1"]
    stacked = pd.DataFrame(
        {
            "recipe": ["dcgan-stacked"],
            "n": [3],
            "modes_stacked_lenet_26k": ["50 ± 1"],
            "kl_stacked_lenet_26k": ["2.0 ± 0.1"],
        }
    )
    shown = render._with_published(stacked, "stacked-mnist")
    assert (
        shown.loc[shown["recipe"] == "PacDCGAN2 [published]", "modes_stacked_lenet_26k"].item() == "1000.0 ± 0.00 s.e."
    )
    assert shown.loc[shown["recipe"] == "DCGAN [published]", "kl_stacked_lenet_26k"].item() == "3.40"
    assert (
        shown.loc[shown["recipe"] == "PacGAN's own DCGAN [published]", "kl_stacked_lenet_26k"].item()
        == "4.50 ± 0.127 s.e."
    )
    assert len(render._with_published(stacked, "mnist")) == 1  # no published row under another dataset


def test_toy_table_writes_sample_counts_as_integers_and_leaves_out_an_empty_backbone():
    """An unscored run (training still going) makes the samples column float; the table keeps 2500."""
    from gan_bench.reporting import tables

    runs = pd.DataFrame(
        {
            "suite": "toy",
            "dataset": "grid",
            "profile": "full",
            "device": "cpu",
            "recipe": ["toy-gan", "toy-gan"],
            "verdict": ["converged", "unscored"],
            "modes_2d_2500": [21.0, float("nan")],
            "protocol.samples": [2500, float("nan")],
        }
    )
    runs["modes_covered"] = runs["modes_2d_2500"]
    (table,) = tables.comparison(runs).values()
    assert table["samples"].tolist() == ["2500"]
    assert table["modes_2d_2500"].tolist() == ["21.0 (n=1)"]  # one scored seed: no spread to show
    assert "backbone" not in table.columns and "modes_covered" not in table.columns  # the same count twice


def test_a_column_whose_recipes_all_tie_marks_none_best():
    """Four smoke recipes that cover 1 mode each are not all "best" at coverage."""
    from gan_bench.reporting import tables

    runs = pd.DataFrame(
        {
            "suite": "smoke",
            "dataset": "mnist",
            "profile": "smoke",
            "device": "cpu",
            "recipe": ["tf-mlp", "slides-mlp", "keras-mlp", "keras-mlp"],
            "verdict": "mode-collapse",
            "modes_covered": [1.0, 1.0, 1.0, 1.0],
            "fid_lenet_1k_test": [900.0, 1403.0, 920.0, 930.0],
            "recall_lenet_1k_test": [0.0, float("nan"), 0.0, 0.0],
        }
    )
    (table,) = tables.comparison(runs).values()
    rows = table.set_index("recipe")
    assert list(rows.index) == ["keras-mlp", "slides-mlp", "tf-mlp"]
    assert list(rows["modes_covered"]) == ["1.0 ± 0.0", "1.0", "1.0"]
    assert list(rows["recall_lenet_1k_test"]) == ["0.000 ± 0.000", "—", "0.000"]
    assert list(rows["fid_lenet_1k_test"]) == ["925.0 ± 7.1", "1403.0", "900.0 ★"]


def test_spread_is_the_sample_std_of_two_or_more_seeds_and_absent_for_one():
    """A single seed has no std; writing "± 0.0" would claim a spread of zero beside published ± s.e."""
    from gan_bench.reporting import tables

    runs = pd.DataFrame(
        {
            "suite": "toy",
            "dataset": "grid",
            "profile": "full",
            "device": "cpu",
            "recipe": ["toy-gan", "toy-gan", "toy-gan-pac2"],
            "verdict": "converged",
            "modes_2d_2500": [21.0, 17.0, 22.0],
            "reverse_kl_2d_2500": [0.38, 0.64, 0.157],
        }
    )
    (table,) = tables.comparison(runs).values()
    rows = table.set_index("recipe")
    # std sqrt(((21-19)^2 + (17-19)^2) / 1); beside PacGAN's rows, its s.e. 2.8/√2 as well
    assert rows.loc["toy-gan", "modes_2d_2500"] == "19.0 ± 2.8 (s.e. 2.0)"
    assert rows.loc["toy-gan", "reverse_kl_2d_2500"] == "0.510 ± 0.184"  # 0.26 / sqrt(2)
    assert rows.loc["toy-gan-pac2", "modes_2d_2500"] == "22.0 ★"
    assert rows.loc["toy-gan-pac2", "reverse_kl_2d_2500"] == "0.157 ★"
    assert math.isnan(tables.summarise(runs).set_index("recipe").loc["toy-gan-pac2", "modes_2d_2500_std"])


def test_each_table_shows_only_the_metrics_its_runs_have():
    from gan_bench.reporting import tables

    runs = pd.DataFrame(
        {
            "suite": "s",
            "profile": "quick",
            "device": "cpu",
            "verdict": "converged",
            "dataset": ["mnist", "grid"],
            "recipe": ["tf-mlp", "toy-gan"],
            "fid_lenet_10k_test": [40.0, float("nan")],
            "modes_covered": [10, 21],
            "modes_2d_2500": [float("nan"), 21.0],
        }
    )
    shown = {keys[1]: list(t.columns) for keys, t in tables.comparison(runs).items()}
    assert shown["mnist"] == ["recipe", "n", "fid_lenet_10k_test", "modes_covered", "verdicts", "backbone"]
    assert shown["grid"] == ["recipe", "n", "modes_2d_2500", "verdicts", "vs published"]


@pytest.mark.slow  # the suite_run fixture trains and scores 4 runs
def test_runs_reached_through_links_keep_their_suite_in_report_and_check(suite_run, tmp_path):
    """A folder of links to runs (a comparison assembled by hand) is read as the suite the runs
    really lie in: same table title and rows, and check finds the suite without --suite."""
    _, runs, baseline = suite_run
    links = tmp_path / "links"
    links.mkdir()
    for recipe in ("tf-mlp", "keras-mlp"):
        for seed in (0, 1):
            (links / f"{recipe}-{seed}").symlink_to(runs / recipe / f"seed-{seed}", target_is_directory=True)
    linked, alone = (invoke("report", folder, "--format", "md") for folder in (links, runs))
    assert linked.exit_code == 0, linked.output
    titles = [line for line in linked.output.splitlines() if line.startswith("## ")]
    assert titles == ["## suite mini · mnist · profile smoke · cpu"]
    assert [line for line in linked.output.splitlines() if line.startswith("| ")] == [
        line for line in alone.output.splitlines() if line.startswith("| ")
    ]
    result = invoke("check", links, "--baseline", baseline)
    assert result.exit_code == 0, result.output


@pytest.mark.slow  # the suite_run fixture trains and scores 4 runs
def test_a_baseline_of_runs_not_all_scored_names_them_and_the_command_that_scores_them(suite_run, tmp_path):
    _, runs, _ = suite_run
    folder = shutil.copytree(runs, tmp_path / "runs")
    (folder / "keras-mlp" / "seed-1" / "metrics.json").unlink()
    result = invoke("baseline", folder, "--out", tmp_path / "b.json")
    assert result.exit_code == 2, result.output
    assert (
        f"error: 1 of 4 runs are not scored ({folder / 'keras-mlp' / 'seed-1'}); "
        f"score it with `ganbench score {folder}`; then make the baseline"
    ) in " ".join(result.output.split())
    assert not (tmp_path / "b.json").exists()
    (folder / "tf-mlp" / "seed-0" / "metrics.json").unlink()  # and one not even trained to its end
    (folder / "tf-mlp" / "seed-0" / "checkpoints" / "final.pt").unlink()
    result = invoke("baseline", folder, "--out", tmp_path / "b.json")
    assert result.exit_code == 2, result.output
    assert (
        f"error: 1 of 4 runs did not finish training ({folder / 'tf-mlp' / 'seed-0'}); continue it with "
        f"`ganbench run --resume {folder}`; then score them"
    ) in " ".join(result.output.split())
    assert not (tmp_path / "b.json").exists()


@pytest.mark.slow  # the suite_run fixture trains and scores 4 runs
def test_scoring_an_unfinished_run_gives_the_command_that_finishes_it(suite_run, tmp_path):
    root, runs, _ = suite_run
    shutil.copy(root / "mini.toml", tmp_path / "mini.toml")
    folder = shutil.copytree(runs, tmp_path / "runs")  # its suite.json names ../mini.toml
    (folder / "keras-mlp" / "seed-1" / "checkpoints" / "final.pt").unlink()
    result = invoke("score", folder)
    assert result.exit_code == 2, result.output
    assert (
        f"error: {folder / 'keras-mlp' / 'seed-1'}: the run is not complete (no final.pt); finish it before "
        f"scoring with `ganbench run --resume {folder} --recipes keras-mlp --seeds 1`"
    ) in " ".join(result.output.split())
    advised = invoke("run", "--resume", folder, "--recipes", "keras-mlp", "--seeds", "1", "--quiet")
    assert advised.exit_code == 0, advised.output  # the command, as given, finishes the run
    assert (folder / "keras-mlp" / "seed-1" / "checkpoints" / "final.pt").is_file()
    alone = shutil.copytree(folder / "tf-mlp" / "seed-0", tmp_path / "alone")
    (alone / "checkpoints" / "final.pt").unlink()
    result = invoke("score", alone)
    assert result.exit_code == 2 and (
        f"finish it before scoring with `ganbench train --resume --out {alone}`"
    ) in " ".join(result.output.split())
    assert invoke("train", "--resume", "--out", alone, "--quiet").exit_code == 0  # as advised: no more to give
    assert (alone / "checkpoints" / "final.pt").is_file()
