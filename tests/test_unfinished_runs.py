"""Runs that did not finish training (no final.pt): `report` shows them as incomplete, not
unscored, and `report`, `check` and `baseline` name them with the commands that continue them;
finished runs not scored get the command that scores them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import gan_bench as gb
from gan_bench.cli import app
from gan_bench.rundir.layout import write_suite_info

runner = CliRunner()


def interrupted(run: Path, seed: int = 0) -> Path:
    gb.train("tf-mlp", profile="smoke", steps=2, out=run, device="cpu", seed=seed)
    (run / "checkpoints" / "final.pt").unlink()  # as a run stopped by Ctrl-C leaves it
    return run


def suite_folder(root: Path, *runs: str) -> Path:
    for run in runs:
        interrupted(root / run)
    (root / "suite.json").write_text(json.dumps({"name": "smoke"}))  # as copied from another machine
    return root


def output(*args) -> str:
    result = runner.invoke(app, [str(a) for a in args])
    return " ".join(result.output.split())


def test_a_report_names_unfinished_runs_and_the_commands_that_continue_them(tmp_path):
    root = suite_folder(tmp_path / "suite run", "tf-mlp/seed-0")
    alone = interrupted(tmp_path / "alone")
    df = gb.report([root, alone])
    assert list(df["verdict"]) == ["incomplete", "incomplete"]
    assert set(df["verdict_reason"]) == {"training did not finish (no final.pt); continue it with --resume"}
    shown = output("report", root, alone)
    assert "incomplete ×1" in shown and "unscored" not in shown
    assert (
        f"note: 2 of 2 runs did not finish training ({root / 'tf-mlp' / 'seed-0'}, {alone}); continue them with "
        f"`ganbench run --resume '{root}'`; `ganbench train --resume --out {alone}`"
    ) in shown


def test_runs_outside_a_suite_are_each_continued_by_the_command_that_started_them(tmp_path):
    runs = [interrupted(tmp_path / name, seed) for seed, name in enumerate(("a", "b"))]
    assert ("continue them with `ganbench train --resume --out RUN` for each run RUN outside a suite") in output(
        "report", *runs
    )
    assert "did not finish" not in output("report", runs[0].parent / "none")  # no runs: the usual error, no note


def test_a_finished_run_gets_no_note(tmp_path):
    run = tmp_path / "run"
    gb.train("tf-mlp", profile="smoke", steps=2, out=run, device="cpu")
    assert gb.report([run])["verdict"].tolist() == ["unscored"]
    assert "did not finish" not in output("report", run)


def test_check_says_the_runs_did_not_finish_and_how_to_continue_them(tmp_path):
    root = suite_folder(tmp_path / "runs", "tf-mlp/seed-0")
    result = gb.check([root], recipes=["tf-mlp"])
    assert {v.note for v in result.verdicts} == {"missing: the runs did not finish training"}
    unfinished = (
        f"1 of 1 runs did not finish training ({root / 'tf-mlp' / 'seed-0'}); continue it with "
        f"`ganbench run --resume {root}`"
    )
    assert result.to_finish == [unfinished]
    assert f"note: {unfinished}" in result.markdown()
    assert f"note: {unfinished}" in output("check", root, "--recipes", "tf-mlp")


def test_a_baseline_of_unfinished_runs_is_refused_with_the_commands(tmp_path):
    root = suite_folder(tmp_path / "runs", "tf-mlp/seed-0")
    result = runner.invoke(app, ["baseline", str(root), "--out", str(tmp_path / "b.json")])
    assert result.exit_code == 2
    assert (
        f"error: 1 of 1 runs did not finish training ({root / 'tf-mlp' / 'seed-0'}); continue it with "
        f"`ganbench run --resume {root}`; then score them"
    ) in " ".join(result.output.split())
    assert not (tmp_path / "b.json").exists()


@pytest.mark.slow  # over 3 s of the fast loop
def test_finished_runs_not_scored_get_the_command_that_scores_them(tmp_path):
    root = tmp_path / "runs"
    for seed in (0, 1):
        gb.train("tf-mlp", profile="smoke", steps=2, out=root / "tf-mlp" / f"seed-{seed}", device="cpu", seed=seed)
    (root / "suite.json").write_text(json.dumps({"name": "smoke"}))
    alone = tmp_path / "alone run"
    gb.train("tf-mlp", profile="smoke", steps=2, out=alone, device="cpu", seed=2)
    note = (
        f"note: 3 of 3 runs are not scored ({root / 'tf-mlp' / 'seed-0'}, {root / 'tf-mlp' / 'seed-1'}, {alone}); "
        f"score them with `ganbench score {root} '{alone}'`"
    )
    assert note in output("report", root, alone)
    result = gb.check([root], recipes=["tf-mlp"])
    assert {v.note for v in result.verdicts} == {"missing: the runs are not scored"}
    assert result.to_finish == [
        f"2 of 2 runs are not scored ({root / 'tf-mlp' / 'seed-0'}, {root / 'tf-mlp' / 'seed-1'}); "
        f"score them with `ganbench score {root}`"
    ]
    (root / "tf-mlp" / "seed-1" / "checkpoints" / "final.pt").unlink()  # now one of each
    unfinished, unscored = gb.check([root], recipes=["tf-mlp"]).to_finish
    assert unfinished.startswith("1 of 2 runs did not finish training")
    seed_0 = root / "tf-mlp" / "seed-0"
    assert unscored == (  # `ganbench score` of the folder would refuse the unfinished run: the run itself
        f"1 of 2 runs are not scored ({seed_0}); score it with `ganbench score {seed_0}`"
    )
    assert runner.invoke(app, ["score", str(seed_0)]).exit_code == 0


@pytest.mark.slow  # seconds: draws the HTML report's figures
def test_markdown_and_html_reports_carry_the_notes_the_terminal_prints(tmp_path):
    root = suite_folder(tmp_path / "runs", "tf-mlp/seed-0")
    finished = tmp_path / "finished"
    gb.train("tf-mlp", profile="smoke", steps=2, out=finished, device="cpu", seed=1)
    env = json.loads((finished / "env.json").read_text())
    (finished / "env.json").write_text(json.dumps({**env, "torch_threads": env["torch_threads"] + 7}))
    notes = gb.report_notes([root, finished])
    assert notes == [
        f"runs differ in torch threads: {env['torch_threads']}, {env['torch_threads'] + 7}; bits differ across CPU "
        "kinds, thread counts and torch versions, so values of one spec differ slightly",
        f"1 of 2 runs did not finish training ({root / 'tf-mlp' / 'seed-0'}); continue it with "
        f"`ganbench run --resume {root}`",
        f"1 of 2 runs are not scored ({finished}); score it with `ganbench score {finished}`",
    ]
    assert " ".join(f"note: {n}" for n in notes) in output("report", root, finished)
    md = output("report", root, finished, "--format", "md")
    assert md.endswith("## Notes " + " ".join(f"- {n}" for n in notes))
    page = tmp_path / "report.html"
    assert runner.invoke(app, ["report", str(root), str(finished), "--out", str(page)]).exit_code == 0
    html = page.read_text()
    assert "<h2>Notes</h2><ul>" + "".join(f"<li>{n}</li>" for n in notes) + "</ul>" in html  # nothing to escape
    assert "1 of 2 runs" not in gb.render_report([root, finished], "csv")  # one row per run: data only


@pytest.mark.slow  # seconds: trains and scores a run
def test_a_report_of_finished_scored_runs_on_one_machine_has_no_notes(tmp_path):
    run = tmp_path / "run"
    gb.train("tf-mlp", profile="smoke", steps=2, out=run, device="cpu")
    gb.score([run], samples=64, device="cpu")
    assert gb.report_notes([run]) == []
    assert "Notes" not in gb.render_report([run], "md") and "Notes" not in gb.render_report([run], "html")


def test_a_report_table_cut_down_to_some_columns_still_renders(tmp_path):
    root = suite_folder(tmp_path / "runs", "tf-mlp/seed-0")
    df = gb.report([root])
    shown = df[["suite", "source", "recipe", "seed", "dataset", "profile", "device", "verdict"]]
    assert len(gb.report_notes(df)) == 1 and gb.report_notes(shown) == []  # no run paths: none to name
    assert "| tf-mlp" in gb.render_report(shown, "md") and "## Notes" not in gb.render_report(shown, "md")


@pytest.mark.slow  # trains and scores one smoke run: about 8 s
def test_runs_a_suite_run_planned_but_never_began_are_named(tmp_path):
    root = tmp_path / "runs"
    gb.run_suite("smoke", recipes=["tf-mlp"], out=root, device="cpu", samples=100)
    write_suite_info(
        root, gb.plan("smoke", out=root, device="cpu", seeds=[0, 1]).record()
    )  # as a stopped run leaves it
    seven = (
        f"7 of the 8 runs planned in {root} have not begun (tf-mlp seed 1, slides-mlp seed 0, slides-mlp seed 1 "
        f"and 4 more); begin them with `ganbench run --resume {root}`"
    )
    assert gb.report_notes([root]) == [seven]
    assert f"note: {seven}" in output("report", root)
    assert output("report", root, "--recipes", "tf-mlp").endswith(
        f"note: 1 of the 2 runs planned in {root} has not begun (tf-mlp seed 1); begin it with "
        f"`ganbench run --resume {root}`"
    )
    assert gb.check([root]).to_finish == [seven]
    assert gb.check([root], recipes=["tf-mlp"]).to_finish == [
        f"1 of the 2 runs planned in {root} has not begun (tf-mlp seed 1); begin it with `ganbench run --resume {root}`"
    ]
    assert gb.report_notes([root / "tf-mlp" / "seed-0"]) == [seven]  # one run given: its siblings are looked for
    stopped = gb.check([root])
    assert stopped.hint is None  # stopped, not narrowed: the note above says how to go on, not --recipes
    assert "to gate only the recipes that ran" not in stopped.markdown()
    with pytest.raises(gb.UserError, match=re.escape(f"{seven}; then make the baseline")):
        gb.write_baseline([root], out=tmp_path / "baseline.json")
    assert not (tmp_path / "baseline.json").exists()
    gb.run_suite(resume=root, recipes=["tf-mlp"], samples=100)
    assert "1 of the 2" not in " ".join(gb.report_notes(gb.report([root], recipes=["tf-mlp"])))


def test_a_suite_of_several_datasets_names_each_run_not_begun_on_each_dataset(tmp_path):
    from gan_bench.reporting import collect

    root = tmp_path / "runs"
    runs = [["toy-gan", 0], ["toy-gan", 1], ["toy-gan-pac2", 0]]
    info = {"name": "toy", "file": str(tmp_path / "toy.toml"), "dataset": ["ring", "grid"], "runs": runs}
    write_suite_info(root, {**info, "only": {"toy-gan-pac2": ["grid"]}})
    (root / "ring" / "toy-gan" / "seed-0").mkdir(parents=True)  # stopped before its grid run
    df = pd.DataFrame({"run": [str(root / "ring" / "toy-gan" / "seed-0")]})
    assert collect.not_begun(df) == [
        f"4 of the 5 runs planned in {root} have not begun (toy-gan seed 0 on grid, toy-gan seed 1 on ring, "
        f"toy-gan seed 1 on grid and 1 more); begin them with `ganbench run --resume {root}`"
    ]
    write_suite_info(root, info)  # as older runs recorded it, without [only]: a pair begun on one dataset counts
    assert collect.not_begun(df) == [
        f"2 of the 3 recipe-seed pairs planned in {root} have not begun (toy-gan seed 1, toy-gan-pac2 seed 0); "
        f"begin them with `ganbench run --resume {root}`"
    ]


def test_suite_json_records_the_datasets_each_planned_recipe_runs_on(tmp_path):
    plan = gb.plan("translation", recipes=["cyclegan", "pix2pix"], out=tmp_path / "o", device="cpu")
    assert plan.record()["only"] == {"pix2pix": ["edges2digits", "edges2fashion"], "cyclegan": ["digits2bold"]}
    assert len(plan.specs) == 9  # what missing_runs counts from the record: 3 seeds x (2 + 1) datasets
