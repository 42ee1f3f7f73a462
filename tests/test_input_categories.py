"""Inputs a user can get wrong, by category: each exits 2 with one message naming the file or field,
writes nothing, and never counts a run twice or reads a damaged file as a result."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import gan_bench as gb
from gan_bench.cli import app
from gan_bench.metrics.diagnostics import read_history
from gan_bench.rundir import metrics_file
from gan_bench.rundir.layout import RunDir
from gan_bench.suite.spec import MAX_SEED

runner = CliRunner()
SUITE = 'name = "t"\ndataset = "mnist"\nseeds = [0]\nrecipes = ["tf-mlp"]\nprofile = "smoke"\n'


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


# -- suite tables: exit 2 when the suite loads, naming the field --------------------------------
SUITES = {
    "nan bound": (SUITE + '[thresholds.smoke."tf-mlp"]\nmodes_covered = { min = nan }\n', "min"),
    "inf bound": (SUITE + '[thresholds.smoke."tf-mlp"]\nmodes_covered = { max = inf }\n', "max"),
    "min above max": (
        SUITE + '[thresholds.smoke."tf-mlp"]\nmodes_covered = { min = 5, max = 2 }\n',
        "min 5 is above max 2",
    ),
    "nan tolerance": (
        SUITE + '[thresholds.smoke."tf-mlp"]\nmodes_covered = { baseline = true, tolerance = nan }\n',
        "tolerance",
    ),
    "threshold for a recipe not run": (
        SUITE + '[thresholds.smoke."torch-mlp"]\nmodes_covered = { min = 1 }\n',
        "thresholds.smoke: 'torch-mlp' is not one of the suite's recipes",
    ),
    "steps for a recipe not run": (SUITE + '[steps]\n"torch-mlp" = 5\n', "steps: 'torch-mlp' is not one of"),
    "only for a recipe not run": (SUITE + '[only]\n"torch-mlp" = ["mnist"]\n', "only: 'torch-mlp' is not one of"),
    "repeated seed": (SUITE.replace("[0]", "[0, 1, 0]"), "field 'seeds': 0 listed more than once"),
    "repeated recipe": (SUITE.replace('["tf-mlp"]', '["tf-mlp", "tf-mlp"]'), "field 'recipes': tf-mlp listed more"),
    "seed too large": (SUITE.replace("[0]", f"[{MAX_SEED + 1}]"), f"seed {MAX_SEED + 1} is outside 0 … {MAX_SEED:,}"),
    "no seeds": (SUITE.replace("seeds = [0]\n", ""), "field 'seeds': a suite with recipes needs at least one seed"),
}


@pytest.mark.parametrize("case", SUITES)
def test_a_bad_suite_table_exits_2_naming_the_field(tmp_path, case):
    text, words = SUITES[case]
    (tmp_path / "s.toml").write_text(text)
    result = invoke("run", "--suite", tmp_path / "s.toml", "--out", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert words in result.output and result.output.startswith(f"error: {tmp_path / 's.toml'}")
    assert not (tmp_path / "out").exists()


# -- arguments ------------------------------------------------------------------------------------
ARGS = {
    "recipes of separators": (["--recipes", ",, ,"], "--recipes: expected comma-separated names"),
    "seeds of separators": (["--seeds", ",,"], "--seeds: expected comma-separated non-negative integers"),
    "repeated seeds": (["--seeds", "1,1"], "--seeds: [1, 1] lists a seed more than once"),
    "repeated recipes": (["--recipes", "tf-mlp,tf-mlp"], "--recipes: expected distinct recipe names"),
    "seed 2**32": (["--seeds", str(2**32)], f"is outside 0 … {MAX_SEED:,}"),
    "missing data dir": (["--data-dir", "/no/such/folder"], "--data-dir: /no/such/folder is not an existing folder"),
}


@pytest.mark.parametrize("case", ARGS)
def test_a_bad_argument_exits_2_and_writes_nothing(tmp_path, case):
    args, words = ARGS[case]
    (tmp_path / "s.toml").write_text(SUITE)
    result = invoke("run", "--suite", tmp_path / "s.toml", "--out", tmp_path / "out", *args)
    assert result.exit_code == 2, result.output
    assert words in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_train_refuses_a_seed_the_generators_cannot_tell_apart(tmp_path):
    result = invoke("train", "tf-mlp", "--seed", 2**32, "--out", tmp_path / "out")
    assert result.exit_code == 2 and "--seed: seed 4294967296 is outside" in result.output
    assert not (tmp_path / "out").exists()


# -- the run directory: spec.json and history.csv are checked when read -------------------------
@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    """A tiny scored run (tf-mlp, 6 steps, 100 samples)."""
    out = tmp_path_factory.mktemp("scored") / "run"
    gb.train("tf-mlp", profile="smoke", steps=6, out=out, device="cpu")
    gb.score([out], samples=100, device="cpu")
    return out


def copy_run(src, dst):
    import shutil

    shutil.copytree(src, dst)
    return dst


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (lambda s: {**s, "seed": 7}, "its content does not match its spec_hash"),
        (lambda s: {**s, "recipe": {**s["recipe"], "lr": 1.0}}, "its content does not match its spec_hash"),
        (lambda s: {k: v for k, v in s.items() if k != "dataset"}, "field 'dataset' is missing"),
        (lambda s: {**s, "seed": "0"}, "field 'seed' should be int, found str"),
        (lambda s: [s], "expected a JSON object, found list"),
    ],
)
def test_a_hand_edited_spec_is_refused_by_report_check_baseline_and_score(scored, tmp_path, edit, words):
    run = copy_run(scored, tmp_path / "run")
    spec = json.loads((run / "spec.json").read_text())
    (run / "spec.json").write_text(json.dumps(edit(spec)))
    for command in (["report", run], ["baseline", run, "--out", tmp_path / "b.json"], ["score", run]):
        result = invoke(*command)
        assert result.exit_code == 2, (command, result.output)
        assert f"{run / 'spec.json'}: {words}" in result.output
    assert not (tmp_path / "b.json").exists()


def test_provenance_text_may_change_without_breaking_the_hash(scored, tmp_path):
    run = copy_run(scored, tmp_path / "run")
    spec = json.loads((run / "spec.json").read_text())
    spec["recipe"]["source"] = "reworded"
    (run / "spec.json").write_text(json.dumps(spec))
    assert RunDir(run).read_spec()["recipe"]["source"] == "reworded"


def test_a_history_cut_mid_row_never_replaces_a_good_result(scored, tmp_path):
    run = copy_run(scored, tmp_path / "run")
    before = (run / "metrics.json").read_text()
    text = (run / "history.csv").read_text()
    (run / "history.csv").write_text(text[: len(text) - 10])  # a kill in the middle of the last row
    rows = read_history(run / "history.csv")
    assert len(rows) == text.count("\n") - 2 and rows.notna().all().all()  # the partial row is dropped
    lines = text.splitlines()
    lines[1] = lines[1].rsplit(",", 2)[0]  # a short row in the middle: the file is damaged
    (run / "history.csv").write_text("\n".join(lines) + "\n")
    result = invoke("score", run, "--samples", 100)
    assert result.exit_code == 2 and "history.csv: line 2 has 6 fields, not 8" in result.output
    assert (run / "metrics.json").read_text() == before


def test_a_run_reached_twice_counts_once(scored, tmp_path):
    link = tmp_path / "link"
    link.symlink_to(scored)
    df = gb.report([scored, scored.parent, link])
    assert len(df) == 1
    assert (
        json.loads(gb.write_baseline([scored, link], out=tmp_path / "b.json").read_text())["recipes"]["tf-mlp"][
            "fid_lenet_100_test"
        ]["n"]
        == 1
    )


def test_nan_is_never_written_as_a_metric_value(tmp_path):
    run = RunDir(tmp_path)
    metrics_file.write(run, {"metrics": {"a": {"value": float("nan")}, "b": {"value": 1.5}, "c": {"value": None}}})
    text = (tmp_path / "metrics.json").read_text()
    assert "NaN" not in text
    data = json.loads(text)["metrics"]
    assert data == {"a": {"value": None, "not_finite": "nan"}, "b": {"value": 1.5}, "c": {"value": None}}


# -- no cross-contamination -------------------------------------------------------------------------
def test_a_refused_run_leaves_another_suites_folder_as_it_was(scored, tmp_path):
    (tmp_path / "a.toml").write_text(SUITE.replace('"t"', '"a"'))
    (tmp_path / "b.toml").write_text(SUITE.replace('"t"', '"b"').replace("seeds = [0]", "seeds = [1]"))
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "suite.json").write_text(json.dumps({"name": "a", "suite_hash": "x" * 64, "file": "a.toml"}))
    before = (folder / "suite.json").read_text()
    result = invoke("run", "--suite", tmp_path / "b.toml", "--out", folder)
    assert result.exit_code == 2 and "holds runs of suite 'a'" in result.output
    assert (folder / "suite.json").read_text() == before and sorted(p.name for p in folder.iterdir()) == ["suite.json"]


def test_resume_given_a_run_directory_resolves_to_its_suite_or_is_refused(scored, tmp_path):
    result = invoke("run", "--suite", "smoke", "--resume", scored)
    assert result.exit_code == 2 and "is a single run directory, not a suite's output folder" in result.output
    assert sorted(p.name for p in scored.iterdir()) == sorted(
        ["checkpoints", "env.json", "history.csv", "metrics.json", "samples", "spec.json", "timing.csv"]
    )


def test_a_baseline_for_another_suite_profile_or_device_is_refused(scored, tmp_path):
    (tmp_path / "g.toml").write_text(
        SUITE + '[thresholds.smoke."tf-mlp"]\nfid_lenet_100_test = { baseline = true, tolerance = 0.1 }\n'
    )
    base = json.loads(gb.write_baseline([scored], out=tmp_path / "b.json").read_text())
    for key, value, words in (("suite", "other", "suite 'other'"), ("profile", "full", "profile 'full'")):
        (tmp_path / "x.json").write_text(json.dumps({**base, key: value}))
        result = invoke("check", scored, "--suite", tmp_path / "g.toml", "--baseline", tmp_path / "x.json")
        assert result.exit_code == 2 and f"made for another {words}" in result.output
    (tmp_path / "y.json").write_text(json.dumps({**base, "suite": "t"}))
    assert invoke("check", scored, "--suite", tmp_path / "g.toml", "--baseline", tmp_path / "y.json").exit_code == 0
