"""Inputs a user can get wrong, by category: each exits 2 with one message naming the file or field,
writes nothing, and never counts a run twice or reads a damaged file as a result."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import cli_commands
from typer.testing import CliRunner

import gan_bench as gb
from gan_bench.cli import app
from gan_bench.defaults import MAX_SEED
from gan_bench.metrics.diagnostics import read_history
from gan_bench.rundir import metrics_file
from gan_bench.rundir.layout import RunDir

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
        "field 'thresholds.smoke': 'torch-mlp' is not one of the suite's recipes",
    ),
    "steps for a recipe not run": (SUITE + '[steps]\n"torch-mlp" = 5\n', "field 'steps': 'torch-mlp' is not one of"),
    "only for a recipe not run": (
        SUITE + '[only]\n"torch-mlp" = ["mnist"]\n',
        "field 'only': 'torch-mlp' is not one of",
    ),
    "repeated seed": (SUITE.replace("[0]", "[0, 1, 0]"), "field 'seeds': 0 listed more than once"),
    "repeated recipe": (SUITE.replace('["tf-mlp"]', '["tf-mlp", "tf-mlp"]'), "field 'recipes': tf-mlp listed more"),
    "seed too large": (SUITE.replace("[0]", f"[{MAX_SEED + 1}]"), f"seed {MAX_SEED + 1} is outside 0 … {MAX_SEED:,}"),
    "too many seeds": (SUITE.replace("[0]", str(list(range(1001)))), "field 'seeds': 1,001 seeds; at most 1,000"),
    "direction on digits": (SUITE + 'direction = "BtoA"\n', "field 'direction': BtoA applies to translation data only"),
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
    "repeated seeds": (["--seeds", "1,1"], "--seeds: 1 listed more than once; each seed runs once"),
    "repeated recipes": (["--recipes", "tf-mlp,tf-mlp"], "--recipes: expected distinct recipe names"),
    "seed 2**32": (["--seeds", str(2**32)], f"is outside 0 … {MAX_SEED:,}"),
    "backward seed range": (["--seeds", "4-0"], "--seeds: range '4-0' runs backwards; write 0-4"),
    "open seed range": (["--seeds", "0-"], "--seeds: expected comma-separated non-negative integers or ranges"),
    "seed range past the largest": (["--seeds", f"0-{10**12}"], f"goes past the largest value, {MAX_SEED:,}"),
    "ranges that overlap": (["--seeds", "0-2,2-3"], "--seeds: 2 listed more than once"),
    "missing data dir": (["--data-dir", "/no/such/folder"], "--data-dir: /no/such/folder is not an existing folder"),
    "a million seeds": (["--seeds", "0-1000000"], "--seeds: 1,000,001 seeds; at most 1,000 in one suite run"),
    "repeats in many seeds": (["--seeds", "0-999,5,7"], "--seeds: 5, 7 listed more than once"),
}


@pytest.mark.parametrize("case", ARGS)
def test_a_bad_argument_exits_2_and_writes_nothing(tmp_path, case):
    args, words = ARGS[case]
    (tmp_path / "s.toml").write_text(SUITE)
    result = invoke("run", "--suite", tmp_path / "s.toml", "--out", tmp_path / "out", *args)
    assert result.exit_code == 2, result.output
    assert words in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("text", "seeds"), [("0-4", [0, 1, 2, 3, 4]), ("0-1,7", [0, 1, 7]), (" 2 - 3 ", [2, 3]), ("5-5", [5])]
)
def test_seed_ranges_are_inclusive(tmp_path, text, seeds):
    (tmp_path / "s.toml").write_text(SUITE)
    result = invoke("run", "--suite", tmp_path / "s.toml", "--out", tmp_path / "out", "--seeds", text, "--dry-run")
    assert result.exit_code == 0, result.output
    assert re.findall(r"^tf-mlp seed (\d+) ", result.output, re.M) == [str(seed) for seed in seeds]
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
        (lambda s: [s], "an array where a JSON object belongs"),
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


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("[1]", "an array where a JSON object belongs"),
        ('{"name": 3}', "field 'name' is 3, not a string"),
        ('{"name": "t", "file": ["x"]}', "field 'file' is ['x'], not a string"),
    ],
)
def test_a_damaged_suite_json_is_named_by_report_and_check(scored, tmp_path, content, words):
    copy_run(scored, tmp_path / "suite" / "tf-mlp" / "seed-0")
    (tmp_path / "suite" / "suite.json").write_text(content)
    for command in (["report", tmp_path / "suite"], ["check", tmp_path / "suite"]):
        result = invoke(*command)
        assert result.exit_code == 2, (command, result.output)
        assert f"{tmp_path / 'suite' / 'suite.json'}: not a suite.json ganbench wrote ({words})" in result.output


def test_provenance_text_may_change_without_breaking_the_hash(scored, tmp_path):
    run = copy_run(scored, tmp_path / "run")
    spec = json.loads((run / "spec.json").read_text())
    spec["recipe"]["source"] = "reworded"
    (run / "spec.json").write_text(json.dumps(spec))
    assert RunDir(run).read_spec()["recipe"]["source"] == "reworded"


@pytest.mark.slow
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
    result = invoke("score", run, "--samples", 100, "--replace")  # scored already: --replace reads it again
    assert result.exit_code == 2 and "history.csv: line 2 has 10 fields, not 12" in result.output
    assert (run / "metrics.json").read_text() == before
    good = copy_run(scored, tmp_path / "good")
    (good / "metrics.json").unlink()
    both = invoke("score", good, run, "--samples", 100, "--replace")  # every run is checked before any is scored
    assert both.exit_code == 2 and "history.csv: line 2 has 10 fields, not 12" in both.output
    assert not (good / "metrics.json").exists()


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (
            lambda rows: rows[:3],
            "2 rows (steps 1 to 2), where the run logged 6 (every step to step 6): the row of step 3 is missing",
        ),
        (lambda rows: rows[:3] + rows[4:], "the row of step 3 is missing"),
        (
            lambda rows: rows + rows[-1:],
            "7 rows (steps 1 to 6), where the run logged 6 (every step to step 6): the row of step 6 is out of order or repeated",
        ),
    ],
)
def test_a_history_that_lost_or_repeats_rows_is_refused_and_keeps_the_result(scored, tmp_path, edit, words):
    run = copy_run(scored, tmp_path / "run")
    before = (run / "metrics.json").read_text()
    rows = (run / "history.csv").read_text().splitlines(keepends=True)
    (run / "history.csv").write_text("".join(edit(rows)))
    result = invoke("score", run, "--samples", 100, "--replace")
    assert result.exit_code == 2, result.output
    output = " ".join(result.output.split())
    assert f"error: {run / 'history.csv'}: " in output and words in output
    assert "the file was cut or edited, and the verdict would read part of the run" in output
    assert (run / "metrics.json").read_text() == before


def test_a_final_checkpoint_from_another_run_is_refused_and_keeps_the_result(scored, tmp_path):
    other = tmp_path / "seed-1"
    gb.train("tf-mlp", profile="smoke", steps=6, seed=1, out=other, device="cpu")  # the same nets, seed 1
    run = copy_run(scored, tmp_path / "run")
    before = (run / "metrics.json").read_text()
    (run / "checkpoints" / "final.pt").write_bytes((other / "checkpoints" / "final.pt").read_bytes())
    result = invoke("score", run, "--samples", 100, "--replace")
    assert result.exit_code == 2, result.output
    assert f"error: {run / 'checkpoints' / 'final.pt'}: belongs to another run (its spec_hash is not" in " ".join(
        result.output.split()
    )
    assert (run / "metrics.json").read_text() == before


@pytest.mark.slow  # seconds: trains a second run
def test_a_g_snapshot_from_another_run_is_refused_and_keeps_the_result(scored, tmp_path):
    other = tmp_path / "seed-1"
    gb.train("tf-mlp", profile="smoke", steps=6, seed=1, out=other, device="cpu")  # the same nets, seed 1
    run = copy_run(scored, tmp_path / "run")
    before = (run / "metrics.json").read_text()
    snapshots = sorted((other / "checkpoints").glob("g-step-*.pt"))
    assert snapshots and all((run / "checkpoints" / p.name).is_file() for p in snapshots)
    copied = run / "checkpoints" / snapshots[-1].name
    copied.write_bytes(snapshots[-1].read_bytes())
    result = invoke("score", run, "--samples", 100, "--replace")
    assert result.exit_code == 2, result.output
    assert f"error: {copied}: a G snapshot of another run (its spec_hash is not {run / 'spec.json'}'s)" in " ".join(
        result.output.split()
    )
    assert (run / "metrics.json").read_text() == before


def test_score_keeps_a_scored_run_and_prints_a_null_value_as_not_finite(scored, tmp_path):
    run = copy_run(scored, tmp_path / "run")
    result = json.loads((run / "metrics.json").read_text())
    result["metrics"]["kid_lenet_100_test"]["value"] = None  # as metrics.json stores a NaN
    text = json.dumps(result)
    (run / "metrics.json").write_text(text)
    kept = invoke("score", run, "--samples", 100)
    assert kept.exit_code == 0, kept.output
    assert "scored already with these options; metrics.json kept" in kept.output
    assert re.search(r"kid_lenet_100_test\s*│\s*not finite", kept.output)
    assert (run / "metrics.json").read_text() == text
    refused = invoke("score", "--input", run / "x.npy", "--dataset", "mnist", "--replace", "--out", tmp_path / "o")
    assert refused.exit_code == 2 and "--replace: applies to training runs" in refused.output
    assert not (tmp_path / "o").exists()


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
        [
            ".ganbench.lock",
            "checkpoints",
            "env.json",
            "history.csv",
            "metrics.json",
            "samples",
            "spec.json",
            "timing.csv",
        ]
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


# -- output paths: one mechanism for every command that writes ----------------------------------
def _paths(tmp_path):
    (tmp_path / "afile").write_text("x")
    (tmp_path / "afolder").mkdir()
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    return {
        "file for folder": (tmp_path / "afile", "is a file; give a folder"),
        "below a file": (tmp_path / "afile" / "sub", "lies below"),
        "symlink loop": (tmp_path / "loop", "symbolic link that loops"),
        "unwritable": (locked / "out", "cannot write in"),
    }


FOLDER_COMMANDS = {
    "run": lambda out: ["run", "--suite", "smoke", "--out", out],
    "train": lambda out: ["train", "tf-mlp", "--steps", 2, "--out", out],
    "export": lambda out: ["export", "tensorboard", "RUN", "--logdir", out],
}


@pytest.mark.parametrize("command", FOLDER_COMMANDS)
@pytest.mark.parametrize("case", ["file for folder", "below a file", "symlink loop", "unwritable"])
def test_an_output_folder_that_cannot_be_used_exits_2_before_any_work(scored, tmp_path, monkeypatch, command, case):
    import os

    from gan_bench.rundir import paths

    real_access = os.access  # root may write anywhere: the permission answer is planted for "locked"
    monkeypatch.setattr(paths.os, "access", lambda p, mode: Path(p).name != "locked" and real_access(p, mode))
    path, words = _paths(tmp_path)[case]
    args = [scored if a == "RUN" else a for a in FOLDER_COMMANDS[command](path)]
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert words in result.output and str(path) in result.output and "Traceback" not in result.output
    assert (tmp_path / "afile").read_text() == "x"


FILE_COMMANDS = {
    "report --out": lambda run, out: ["report", run, "--format", "md", "--out", out],
    "check --junit": lambda run, out: ["check", run, "--suite", "SUITE", "--junit", out],
    "baseline --out": lambda run, out: ["baseline", run, "--out", out],
}


@pytest.mark.parametrize("command", FILE_COMMANDS)
@pytest.mark.parametrize(
    ("case", "words"),
    [("exists", "already exists; ganbench does not overwrite it"), ("folder", "is a folder; give a file path")],
)
def test_an_output_file_that_exists_or_is_a_folder_is_never_written(scored, tmp_path, command, case, words):
    (tmp_path / "s.toml").write_text(SUITE + '[thresholds.smoke."tf-mlp"]\nmodes_covered = { min = 0 }\n')
    target = tmp_path / "target"
    if case == "exists":
        target.write_text("keep me")
    else:
        target.mkdir()
    args = [tmp_path / "s.toml" if a == "SUITE" else a for a in FILE_COMMANDS[command](scored, target)]
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert f"{target} {words}" in result.output.replace("--out: ", "").replace("--junit: ", "")
    assert target.is_dir() if case == "folder" else target.read_text() == "keep me"


# -- assets, data, translation folders, CI logs ------------------------------------------------
@pytest.mark.parametrize("content", [b"", b"not a checkpoint at all"])
def test_a_corrupt_evaluator_file_exits_2_naming_it_and_the_fix(tmp_path, monkeypatch, content):
    from gan_bench.metrics import evaluators

    (tmp_path / "evaluators").mkdir()
    broken = tmp_path / "evaluators" / "mnist.pt"
    broken.write_bytes(content)
    monkeypatch.setattr(evaluators, "PACKAGE_ASSETS", tmp_path)
    evaluators._verified_state.cache_clear()
    np_path = tmp_path / "x.npy"
    import numpy as np

    from gan_bench.data import catalogue

    np.save(np_path, catalogue.load("mnist").test_images[:20].numpy())
    result = invoke("score", "--input", np_path, "--dataset", "mnist", "--out", tmp_path / "out")
    evaluators._verified_state.cache_clear()
    assert result.exit_code == 2, result.output
    assert f"{broken}: evaluator weights for mnist cannot be read" in result.output
    assert "ganbench evaluator train mnist" in result.output and not (tmp_path / "out").exists()


@pytest.mark.parametrize("content", [b"", b"garbage"])
def test_a_corrupt_inception_weights_file_exits_2_before_training(tmp_path, content):
    weights = tmp_path / "inception.pth"
    weights.write_bytes(content)
    (tmp_path / "s.toml").write_text(SUITE)
    result = invoke(
        "run", "--suite", tmp_path / "s.toml", "--out", tmp_path / "out", "--backbone", "inception",
        "--inception-weights", weights,
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert str(weights) in result.output and "download" in result.output
    assert not (tmp_path / "out").exists()


def test_data_verify_tells_an_optional_dataset_not_installed_from_a_broken_one(tmp_path, monkeypatch):
    monkeypatch.delenv("GANBENCH_DATA", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no user cache either
    from gan_bench.data import catalogue

    monkeypatch.setattr(catalogue, "DEBIAN_DATASETS", tmp_path / "none")
    result = invoke("data", "verify")
    assert result.exit_code == 0, result.output
    assert "not installed (optional)" in result.output
    named = invoke("data", "verify", "fashion-mnist")
    assert named.exit_code == 1 and "missing" in named.output
    broken = tmp_path / "data" / "fashion-mnist"
    broken.mkdir(parents=True)
    (broken / "train-images-idx3-ubyte.gz").write_bytes(b"junk")
    partly = invoke("data", "verify", "--data-dir", tmp_path / "data")
    assert partly.exit_code == 1 and "corrupt" in partly.output


def test_a_translation_folder_too_small_for_the_nets_is_refused_before_anything_is_written(tmp_path):
    from PIL import Image

    for split in ("train", "test"):
        (tmp_path / "tiny" / split).mkdir(parents=True)
        Image.new("RGB", (8, 4)).save(tmp_path / "tiny" / split / "0.png")  # A|B side by side, 4 px each
    (tmp_path / "s.toml").write_text(
        f'name = "t"\ndataset = "{tmp_path / "tiny"}"\nseeds = [0]\nrecipes = ["pix2pix"]\nprofile = "smoke"\n'
    )
    result = invoke("run", "--suite", tmp_path / "s.toml", "--out", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert "images are 4 px; translation nets need a size of at least 8 px" in result.output
    assert not (tmp_path / "out").exists()


def test_tables_in_a_log_are_not_cut_at_80_columns(scored):
    result = invoke("report", scored)
    assert result.exit_code == 0
    assert "fid_lenet_100_test" in result.output and "precision_lenet_100_test" in result.output
    assert max(len(line) for line in result.output.splitlines()) > 80


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", "\xff\xfe"])
def test_a_corrupt_env_json_is_shown_as_unknown(scored, tmp_path, content):
    run = copy_run(scored, tmp_path / "run")
    (run / "env.json").write_text(content, encoding="latin-1")
    df = gb.report([run])
    assert len(df) == 1 and df["env.git_commit"].isna().all()
    assert invoke("report", run, "--format", "csv").exit_code == 0


def test_evaluator_train_writes_over_no_weights_worth_keeping_and_refuses_before_training(tmp_path, monkeypatch):
    """The default target is the package's own file: replaced only when missing or damaged, never
    while it verifies; any other existing file is never replaced. Refused before minutes of training."""
    from gan_bench.metrics import evaluators

    def no_training(*args, **kwargs):
        raise AssertionError("trained although the target is refused")

    monkeypatch.setattr(evaluators, "train", no_training)
    pinned = evaluators.get_pin("mnist").path
    before = pinned.read_bytes()
    result = invoke("evaluator", "train", "mnist")
    assert result.exit_code == 2, result.output
    assert f"--out: {pinned} holds the pinned mnist evaluator and it verifies, so it is not replaced" in (
        result.output.replace("\n", "")
    )
    assert pinned.read_bytes() == before
    (tmp_path / "mine.pt").write_text("keep me")
    result = invoke("evaluator", "train", "mnist", "--out", tmp_path / "mine.pt")
    assert result.exit_code == 2 and "exists; ganbench never overwrites a weights file" in result.output
    assert (tmp_path / "mine.pt").read_text() == "keep me"
    for out, says in [
        (
            tmp_path / "mine.pt" / "w.pt",
            f"--out: {tmp_path / 'mine.pt' / 'w.pt'} lies below {tmp_path / 'mine.pt'}, which is a file",
        ),
        (tmp_path, f"--out: {tmp_path} is a folder; give a file path"),
    ]:  # refused before training, as every output path is, not after it when the file is saved
        result = invoke("evaluator", "train", "mnist", "--out", out)
        assert result.exit_code == 2 and says in result.output.replace("\n", ""), result.output
    (tmp_path / "evaluators").mkdir()
    (tmp_path / "evaluators" / "mnist.pt").write_bytes(b"damaged")
    monkeypatch.setattr(evaluators, "PACKAGE_ASSETS", tmp_path)
    evaluators._verified_state.cache_clear()
    try:  # a damaged pinned file is the one thing rebuilt in place, as its own message advises
        assert evaluators.check_target("mnist", tmp_path / "evaluators" / "mnist.pt") is None
    finally:
        evaluators._verified_state.cache_clear()


def test_a_suite_whose_evaluator_is_damaged_is_refused_before_training(tmp_path, monkeypatch):
    """Each run is scored with the pinned evaluator as it finishes: damaged weights are named
    before the suite trains (and writes anything), and by its dry run, not once a run has trained.
    A suite that no evaluator scores (the 2D mixtures) is not held up by them."""
    from gan_bench.metrics import evaluators

    (tmp_path / "assets" / "evaluators").mkdir(parents=True)
    damaged = tmp_path / "assets" / "evaluators" / "mnist.pt"
    damaged.write_bytes(b"damaged")
    monkeypatch.setattr(evaluators, "PACKAGE_ASSETS", tmp_path / "assets")
    evaluators._verified_state.cache_clear()
    try:
        for extra in [(), ("--dry-run",)]:
            result = invoke("run", "--suite", "smoke", "--out", tmp_path / "runs", *extra)
            assert result.exit_code == 2, result.output
            assert f"{damaged}: evaluator weights for mnist cannot be read" in result.output.replace("\n", "")
            assert not (tmp_path / "runs").exists()
        result = invoke("run", "--suite", "toy", "--out", tmp_path / "toy", "--dry-run")
        assert result.exit_code == 0, result.output
    finally:
        evaluators._verified_state.cache_clear()


@pytest.mark.slow  # measures the test accuracy on 10,000 images (8 s)
def test_evaluator_train_prints_progress_as_lines_in_a_log(tmp_path, monkeypatch):
    import torch

    from gan_bench.metrics import evaluators

    def quick_train(images, labels, plan, max_steps=None, progress=None):  # the loop's reporting, not its work
        for step in range(1, 101):
            if progress is not None:
                progress(step, 100, torch.tensor(0.25))
        torch.manual_seed(0)
        return evaluators.EvaluatorCNN()

    monkeypatch.setattr(evaluators, "train", quick_train)
    result = invoke("evaluator", "train", "mnist", "--out", tmp_path / "e.pt")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("evaluator mnist: step")]
    assert lines[0] == "evaluator mnist: step 10/100, loss 0.2500" and lines[-1].startswith(
        "evaluator mnist: step 100/100"
    )
    assert len(lines) == 10 and (tmp_path / "e.pt").is_file()


def test_every_command_refuses_a_data_dir_that_is_not_a_folder(tmp_path):
    """One check for --data-dir, wherever it is taken: a mistyped folder is named, not passed over
    for the packaged or $GANBENCH_DATA copy."""
    (tmp_path / "s.toml").write_text(SUITE)
    (tmp_path / "a-file").write_text("")
    rest = {
        "train": ["tf-mlp", "--steps", "1", "--out", tmp_path / "run"],
        "run": ["--suite", tmp_path / "s.toml", "--out", tmp_path / "suite"],
        "score": [tmp_path / "nowhere"],
        "data list": [],
        "data verify": ["mnist"],
        "evaluator train": ["mnist", "--out", tmp_path / "weights.pt"],
    }
    taking = {name for name, command in cli_commands().items() if any(p.name == "data_dir" for p in command.params)}
    assert taking == set(rest)  # a new command with --data-dir is listed here
    for command, args in rest.items():
        for folder in (tmp_path / "no-such-folder", tmp_path / "a-file"):
            result = invoke(*command.split(), *args, "--data-dir", folder)
            assert result.exit_code == 2, (command, result.output)
            assert result.output.startswith(f"error: --data-dir: {folder} is not an existing folder"), result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "s.toml"]  # nothing written
