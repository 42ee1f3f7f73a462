"""`train --resume --out RUN` with no recipe continues the run in RUN as it began: the recipe,
dataset, seed, profile, length, direction and switches come from its spec.json, so the command
that report, check and score advise for a run outside a suite needs nothing more."""

from __future__ import annotations

import json

import pytest
import torch
from typer.testing import CliRunner

import gan_bench as gb
from gan_bench.cli import app
from gan_bench.suite.run_as_begun import check_recipe_given

runner = CliRunner()


def invoke(*args):
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, " ".join(result.output.split())


def same_weights(a, b) -> bool:
    wa, wb = (torch.load(r / "checkpoints" / "final.pt", weights_only=True)["system"] for r in (a, b))
    return all(torch.equal(wa[n][k], wb[n][k]) for n in ("G", "D") for k in wa[n]) and wa["G"].keys() == wb["G"].keys()


def stopped(run):
    (run / "checkpoints" / "final.pt").unlink()  # as Ctrl-C leaves a run (with no checkpoint yet)
    return run


@pytest.mark.slow  # seconds: trains two runs and a resume
def test_a_run_continues_from_its_folder_alone_to_the_same_bits(tmp_path):
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    for out in (whole, cut):
        gb.train("keras-mlp", "fashion-mnist", seed=3, profile="smoke", steps=6, out=out, device="cpu")
    code, shown = invoke("train", "--resume", "--out", stopped(cut), "--quiet")
    assert code == 0, shown
    assert f"profile: smoke (the run's, from {cut / 'spec.json'})" in shown
    assert json.loads((cut / "spec.json").read_text()) == json.loads((whole / "spec.json").read_text())
    assert same_weights(cut, whole)


@pytest.mark.slow  # over 3 s of the fast loop
def test_the_translation_direction_comes_from_the_run(tmp_path):
    run = tmp_path / "run"
    gb.train("pix2pix", "edges2digits", profile="smoke", steps=2, out=run, device="cpu", direction="BtoA")
    result = gb.train(resume=True, out=stopped(run))
    assert result.spec.direction == "BtoA" and result.spec.dataset == "edges2digits" and result.spec.steps == 2
    assert (run / "checkpoints" / "final.pt").is_file()


def test_options_given_override_and_a_different_run_is_named(tmp_path):
    run = stopped(gb.train("tf-mlp", profile="smoke", steps=2, out=tmp_path / "run", device="cpu").path)
    code, shown = invoke("train", "--resume", "--out", run, "--seed", "1")
    assert code == 2
    assert shown.endswith(
        "(seed: 0 there, 1 now); to continue it, give the settings it began with, or choose another --out"
    )


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ([], "recipe: give the recipe to train (or --resume --out RUN to continue the run in RUN)"),
        (["--resume"], "recipe: give the recipe to train (or --resume --out RUN to continue the run in RUN)"),
        (["--out", "{tmp}/new"], "recipe: give the recipe to train"),
        (
            ["--resume", "--out", "{tmp}/new"],
            "--out: {tmp}/new holds no run to continue (no spec.json); give the recipe",
        ),
    ],
    ids=["nothing", "resume alone", "out alone", "no run there"],
)
def test_without_a_recipe_only_a_resume_of_a_run_is_taken(tmp_path, args, words):
    code, shown = invoke("train", *[a.format(tmp=tmp_path) for a in args])
    assert code == 2 and "Traceback" not in shown
    assert shown.startswith("error: ") and words.format(tmp=tmp_path) in shown  # before the profile line
    assert not (tmp_path / "new").exists() and not (tmp_path / "results").exists()


def test_a_folder_of_runs_is_told_which_command_continues_it(tmp_path):
    runs = tmp_path / "runs"
    gb.train("tf-mlp", profile="smoke", steps=2, out=runs / "a", device="cpu")
    code, shown = invoke("train", "--resume", "--out", runs)
    assert code == 2 and shown.endswith(f"--out: {runs} is no run directory, but holds one: give --out {runs / 'a'}")
    gb.train("tf-mlp", profile="smoke", steps=2, out=runs / "b", device="cpu", seed=1)
    code, shown = invoke("train", "--resume", "--out", runs)
    assert code == 2 and shown.endswith(
        f"--out: {runs} holds 2 runs, not one; give one run directory, such as {runs / 'a'}"
    )
    (runs / "suite.json").write_text('{"name": "smoke"}')
    code, shown = invoke("train", "--resume", "--out", runs)
    assert code == 2
    assert shown.endswith(
        f"--out: {runs} is a suite run's folder, not one run; continue it with `ganbench run --resume {runs}`"
    )


def test_a_run_folder_given_as_the_recipe_is_told_the_command_that_continues_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    stopped(gb.train("tf-mlp", profile="smoke", steps=2, out="runs/a", device="cpu").path)
    advice = "error: recipe: runs/a is a run directory, not a recipe; continue it with `ganbench train --resume --out runs/a`"
    assert invoke("train", "runs/a", "--resume") == (2, advice)
    with pytest.raises(gb.InvalidOption, match="^recipe: runs/a is a run directory, not a recipe; continue it with"):
        gb.train("runs/a", resume=True)
    assert not (tmp_path / "runs" / "a" / "checkpoints" / "final.pt").exists() and not (tmp_path / "results").exists()
    code, shown = invoke(*advice.split("`")[1].split()[1:], "--quiet")
    assert code == 0 and (tmp_path / "runs" / "a" / "checkpoints" / "final.pt").is_file()


def test_a_suite_runs_folder_given_as_the_recipe_is_told_run_resume_and_other_folders_are_unknown_recipes(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my runs").mkdir()
    code, shown = invoke("train", "my runs", "--resume")
    assert code == 2 and shown.startswith("error: unknown recipe 'my runs'; valid: tf-mlp,")  # the only line
    (tmp_path / "my runs" / "suite.json").write_text('{"name": "smoke"}')
    assert invoke("train", "my runs", "--resume") == (
        2,
        "error: recipe: my runs is a suite run's folder, not a recipe; continue it with `ganbench run --resume 'my runs'`",
    )
    assert invoke("train", "my runs")[1].startswith("error: unknown recipe 'my runs'")  # no --resume: no guess


def test_a_recipe_named_like_a_run_folder_here_is_still_the_recipe(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    gb.train("tf-mlp", profile="smoke", steps=2, out="tf-mlp", device="cpu")
    check_recipe_given("tf-mlp", True, None)  # the recipe, not the folder of that name
    with pytest.raises(gb.InvalidOption, match="^recipe: tf-mlp/ is a run directory"):
        check_recipe_given("tf-mlp/", True, None)
