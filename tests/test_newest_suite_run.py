"""`ganbench report`, `check` and `baseline` with no runs named read the newest suite run under
results/runs/ (the README's `ganbench run --suite mnist`, then `ganbench report`), and say which."""

import json
import os
import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

import gan_bench as gb
from gan_bench.cli import app

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def two_suite_runs(suite_run, tmp_path, monkeypatch):
    """results/runs/ in a fresh working directory holding two copies of the scored mini suite:
    "b-older" written first, "a-newer" (first by name) written last."""
    root, runs, baseline = suite_run
    monkeypatch.chdir(tmp_path)
    results = tmp_path / "results" / "runs"
    results.mkdir(parents=True)
    shutil.copy(root / "mini.toml", results / "mini.toml")  # the suite.json files name ../mini.toml
    for name, mtime in (("b-older", 1_700_000_000), ("a-newer", 1_800_000_000)):
        shutil.copytree(runs, results / name)
        os.utime(results / name / "suite.json", (mtime, mtime))
    return results, baseline


@pytest.mark.slow  # the scored mini suite
def test_report_reads_the_newest_suite_run_and_names_it_on_stderr(two_suite_runs, tmp_path):
    results, _ = two_suite_runs
    result = invoke("report", "--format", "csv", "--out", tmp_path / "r.csv")
    assert result.exit_code == 0, result.output
    assert "runs: results/runs/a-newer (the newest suite run)" in result.stderr
    df = pd.read_csv(tmp_path / "r.csv")
    assert len(df) == 4 and df["run"].str.startswith("results/runs/a-newer/").all()


@pytest.mark.slow  # the scored mini suite
def test_report_to_stdout_keeps_the_note_out_of_the_table(two_suite_runs):
    result = invoke("report", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert "newest suite run" not in result.stdout and "newest suite run" in result.stderr
    assert result.stdout.splitlines()[0].startswith("run,")


@pytest.mark.slow  # the scored mini suite
def test_check_and_baseline_read_the_newest_suite_run(two_suite_runs, tmp_path):
    results, baseline = two_suite_runs
    checked = invoke("check", "--baseline", baseline)
    assert checked.exit_code == 0, checked.output
    assert "runs: results/runs/a-newer" in checked.stderr and "ganbench check: suite mini" in checked.stdout
    out = tmp_path / "my baselines" / "b.json"  # a space: the command recorded must still run as written
    out.parent.mkdir()
    written = invoke("baseline", "--out", out)
    assert written.exit_code == 0, written.output
    data = json.loads(out.read_text())
    assert data["produced_by"]["command"] == f"ganbench baseline results/runs/a-newer --out '{out}'"


@pytest.mark.slow  # the scored mini suite
def test_export_reads_the_newest_suite_run(two_suite_runs, tmp_path):
    result = invoke("export", "tensorboard", "--out", tmp_path / "tb")
    assert result.exit_code == 0, result.output
    assert "runs: results/runs/a-newer (the newest suite run)" in result.stderr
    assert sorted(p.relative_to(tmp_path / "tb").as_posix() for p in (tmp_path / "tb").glob("*/*/seed-*")) == [
        "mnist/keras-mlp/seed-0",
        "mnist/keras-mlp/seed-1",
        "mnist/tf-mlp/seed-0",
        "mnist/tf-mlp/seed-1",
    ]


@pytest.mark.slow  # the scored mini suite
def test_score_reads_the_newest_suite_run_and_keeps_what_it_holds(two_suite_runs):
    results, _ = two_suite_runs
    before = {p: p.read_bytes() for p in results.glob("*/*/seed-*/metrics.json")}
    result = invoke("score")
    assert result.exit_code == 0, result.output
    assert "runs: results/runs/a-newer (the newest suite run)" in result.stderr
    assert result.stdout.count("results/runs/a-newer/") == 4 and "b-older" not in result.stdout
    assert {p: p.read_bytes() for p in results.glob("*/*/seed-*/metrics.json")} == before


@pytest.mark.slow  # the scored mini suite
def test_the_api_scores_and_exports_the_newest_suite_run_as_the_cli_does(two_suite_runs, tmp_path):
    results, _ = two_suite_runs
    before = {p: p.read_bytes() for p in results.glob("*/*/seed-*/metrics.json")}
    scored = gb.score()  # scored already with these options: each metrics.json is kept
    newer = [p.parent.relative_to(tmp_path) for p in before if "a-newer" in str(p)]
    assert sorted(scored) == sorted(newer) and len(newer) == 4
    assert {p: p.read_bytes() for p in results.glob("*/*/seed-*/metrics.json")} == before
    written = gb.export_tensorboard(None, tmp_path / "tb")
    assert len(written) == 4 and all(folder.parent.parent.parent == tmp_path / "tb" for folder in written)


@pytest.mark.slow  # the scored mini suite
def test_resuming_the_older_suite_run_makes_it_the_newest(two_suite_runs):
    results, _ = two_suite_runs
    os.utime(results / "b-older" / "suite.json", (1_900_000_000, 1_900_000_000))
    assert gb.latest_suite_run() == results.relative_to(results.parents[1]) / "b-older"
    df = gb.report()
    assert df["run"].str.startswith("results/runs/b-older/").all()


def test_no_runs_named_and_none_under_results_exits_2_saying_what_to_do(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "results" / "runs" / "loose").mkdir(parents=True)  # a folder with no suite.json is no suite run
    for command in ("report", "check", "baseline"):
        result = invoke(command)
        assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
        message = " ".join(result.stderr.split())
        assert message.startswith("error: no run directories given, and no suite run under results/runs in ")
        assert "`ganbench run --suite NAME`" in message and "Traceback" not in result.output
    assert not (tmp_path / "results" / "baselines").exists()  # nothing written
    result = invoke("score")  # which can also score samples made elsewhere
    assert result.exit_code == 2 and "`ganbench run --suite NAME` first; or score samples made elsewhere: " in (
        " ".join(result.stderr.split())
    )
    assert "--input PATH --dataset NAME" in " ".join(result.stderr.split())
    with pytest.raises(gb.UserError, match="no run directories given"):
        gb.score()


def test_a_missing_path_is_named_before_the_suite_is_looked_for(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for command in ("report", "check", "baseline"):
        result = invoke(command, "nowhere")
        assert result.exit_code == 2, result.output
        assert "error: nowhere: no such folder; give run directories, or a folder holding them" in result.stderr


def test_a_file_given_for_runs_is_named_and_a_run_file_points_to_its_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "spec.json").write_text("{}")
    (tmp_path / "notes.txt").write_text("x")
    for command in ("report", "check", "baseline", "score"):
        loose = invoke(command, "notes.txt")
        assert loose.exit_code == 2, loose.output
        assert loose.stderr.strip() == "error: notes.txt: a file; give run directories, or a folder holding them"
        inside = invoke(command, "run/spec.json")
        assert inside.exit_code == 2, inside.output
        assert inside.stderr.strip() == (
            "error: run/spec.json: a file; give run directories, or a folder holding them; "
            "for its run, give the folder run"
        )
