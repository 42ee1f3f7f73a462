"""`run --resume FOLDER` continues a suite run as it began: the suite, the runs it planned (after
--recipes or --seeds), its profile and its CPU device come from the folder's suite.json, so the
command that ganbench advises after an interruption is the whole command."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import gan_bench as gb
from gan_bench.cli import app
from gan_bench.rundir.layout import SUITE_FILE, write_suite_info

runner = CliRunner()


def begun(tmp_path, **options):
    """A suite output folder as `run` leaves it before its first run trains: suite.json only."""
    plan = gb.plan("smoke", out=tmp_path / "runs", device="cpu", **options)
    write_suite_info(plan.root, plan.record())
    return plan.root


def labels(plan):
    return [(spec.recipe, spec.seed, spec.profile) for spec in plan.specs]


def test_a_resume_continues_the_planned_runs_on_their_profile_without_naming_the_suite(tmp_path):
    root = begun(tmp_path, recipes=["tf-mlp", "keras-mlp"], seeds=[3], profile="quick")
    assert json.loads((root / SUITE_FILE).read_text())["runs"] == [["tf-mlp", 3], ["keras-mlp", 3]]
    plan = gb.plan(resume=root)
    assert plan.suite.name == "smoke" and plan.root == root
    assert labels(plan) == [("tf-mlp", 3, "quick"), ("keras-mlp", 3, "quick")]
    assert plan.profile_reason == f"the suite run's, from {root / SUITE_FILE}"
    assert plan.notes == [
        f"--resume: as the suite run began (profile quick, its 2 planned runs; recorded in {root / SUITE_FILE}); "
        "the options given override"
    ]
    assert labels(gb.plan("smoke", resume=root)) == labels(plan)  # naming the suite changes nothing


def test_options_override_the_record_and_the_record_keeps_every_run_planned(tmp_path):
    root = begun(tmp_path, recipes=["tf-mlp"], seeds=[0])
    assert labels(gb.plan(resume=root, seeds=[0, 1])) == [("tf-mlp", 0, "smoke"), ("tf-mlp", 1, "smoke")]  # its recipe
    assert labels(gb.plan(resume=root, recipes=["keras-mlp"])) == [("keras-mlp", 0, "smoke")]  # its seed
    more = gb.plan(resume=root, seeds=[0, 1], recipes=["tf-mlp", "torch-mlp"])
    assert labels(more) == [(r, s, "smoke") for r in ("tf-mlp", "torch-mlp") for s in (0, 1)]
    write_suite_info(root, more.record())
    narrowed = gb.plan(resume=root, recipes=["torch-mlp"], seeds=[1])
    assert narrowed.planned == [("tf-mlp", 0), ("tf-mlp", 1), ("torch-mlp", 0), ("torch-mlp", 1)]
    assert gb.plan(resume=root, profile="quick").profile == "quick"


def test_a_suite_run_begun_whole_resumes_whole_and_an_older_record_resumes_the_suite(tmp_path):
    root = begun(tmp_path)
    assert [r for r, _, _ in labels(gb.plan(resume=root))] == ["tf-mlp", "slides-mlp", "keras-mlp", "torch-mlp"]
    record = json.loads((root / SUITE_FILE).read_text())
    del record["runs"]  # as ganbench wrote it before runs were recorded
    (root / SUITE_FILE).write_text(json.dumps(record))
    assert len(gb.plan(resume=root, recipes=None).specs) == 4


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("runs", [["tf-mlp", "0"]], "field 'runs' is [['tf-mlp', '0']], not a list of [recipe, seed] pairs"),
        ("scoring", {"samples": "300"}, "field 'scoring' is {'samples': '300'}, not samples (a number), backbone"),
        ("training", {"direction": "up"}, "field 'training' is {'direction': 'up'}, not direction (AtoB or BtoA)"),
        ("training", {"compile": 1}, "field 'training' is {'compile': 1}, not direction (AtoB or BtoA), compile"),
        ("training", ["compile"], "field 'training' is ['compile'], not direction"),
        ("only", {"cyclegan": "digits2bold"}, "field 'only' is {'cyclegan': 'digits2bold'}, not recipes each with"),
    ],
)
def test_a_damaged_record_is_named(tmp_path, field, value, words):
    root = begun(tmp_path)
    record = json.loads((root / SUITE_FILE).read_text())
    (root / SUITE_FILE).write_text(json.dumps(dict(record, **{field: value})))
    with pytest.raises(gb.RunDirError) as raised:
        gb.plan(resume=root)
    assert words in str(raised.value)


def test_without_a_suite_or_a_resume_the_run_says_what_to_give(tmp_path):
    result = runner.invoke(app, ["run", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "--suite: give a suite name or file (or --resume FOLDER to continue a suite run)" in result.output
    assert not (tmp_path / "o").exists()


def test_the_command_line_resumes_from_the_folder_alone(tmp_path):
    root = begun(tmp_path, recipes=["tf-mlp"], profile="quick")
    result = runner.invoke(app, ["run", "--resume", str(root), "--dry-run"])
    assert result.exit_code == 0, result.output
    shown = " ".join(result.output.split())
    assert "suite smoke: 1 run (1 recipe x seeds 0)" in shown and "7,700 steps" in shown
    assert "--resume: as the suite run began (profile quick, its 1 planned run;" in shown


def test_a_suite_run_begun_on_cpu_resumes_on_cpu_where_auto_would_pick_cuda(tmp_path, monkeypatch):
    import torch

    from gan_bench import devices

    root = begun(tmp_path, recipes=["tf-mlp"])
    real = devices.resolve
    monkeypatch.setattr(
        devices, "resolve", lambda name="auto", here=True: torch.device("cuda") if name == "auto" else real(name, here)
    )
    plan = gb.plan(resume=root)
    assert plan.device == torch.device("cpu") and [spec.device for spec in plan.specs] == ["cpu"]
    assert "(device cpu, its 1 planned run;" in plan.notes[0]
    assert not plan.device_picked  # the suite run's device, not one auto chose: no hint to give another


def test_a_suite_run_begun_on_cuda_under_ray_resumes_on_cuda_from_a_driver_without_it(tmp_path, monkeypatch):
    """Under Ray, auto on a driver without CUDA would pick the CPU and refuse every begun run (its
    spec says cuda); the suite run's device is taken instead, and Ray gives the tasks their GPUs."""
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    plan = gb.plan("smoke", out=tmp_path / "runs", device="cuda", executor="ray", recipes=["tf-mlp"])
    write_suite_info(plan.root, plan.record())
    resumed = gb.plan(resume=plan.root, executor="ray")
    assert resumed.device == torch.device("cuda") and [spec.device for spec in resumed.specs] == ["cuda"]
    assert "(device cuda, its 1 planned run;" in resumed.notes[0]
    assert gb.plan(resume=plan.root, executor="ray", device="cpu").device == torch.device("cpu")  # given: it wins


def test_another_suite_is_refused_before_its_recipes_are_compared(tmp_path):
    root = begun(tmp_path, recipes=["tf-mlp"])
    other = tmp_path / "other.toml"
    other.write_text('name = "other"\ndataset = "mnist"\nseeds = [0]\nrecipes = ["dcgan"]\nprofile = "smoke"\n')
    with pytest.raises(gb.RunDirError, match="the suite has changed since this run started"):
        gb.plan(other, resume=root)


@pytest.mark.slow  # trains and scores one smoke run: about 8 s
def test_a_resume_scores_as_the_suite_run_did_unless_told_otherwise(tmp_path):
    plan = gb.plan("smoke", recipes=["tf-mlp"], out=tmp_path / "runs", device="cpu")
    write_suite_info(plan.root, plan.record({"samples": 300, "backbone": "lenet", "inception_weights": None}))
    assert json.loads((plan.root / SUITE_FILE).read_text())["scoring"] == {"samples": 300}  # defaults left out
    resumed = gb.plan(resume=plan.root)
    assert resumed.scoring == {"samples": 300}
    assert "--resume: scores as the suite run did (--samples 300)" in resumed.notes[0]
    gb.execute_plan(resumed)
    metrics = json.loads((plan.root / "tf-mlp" / "seed-0" / "metrics.json").read_text())["metrics"]
    assert "fid_lenet_300_test" in metrics and "fid_lenet_1k_test" not in metrics
    assert json.loads((plan.root / SUITE_FILE).read_text())["scoring"] == {"samples": 300}


def test_a_suite_run_begun_with_another_direction_resumes_with_it(tmp_path):
    plan = gb.plan("translation", recipes=["pix2pix"], seeds=[0], out=tmp_path / "runs", device="cpu", direction="BtoA")
    write_suite_info(plan.root, plan.record())
    assert json.loads((plan.root / SUITE_FILE).read_text())["training"] == {"direction": "BtoA"}
    resumed = gb.plan(resume=plan.root)  # the suite hash is of BtoA: without the record, "the suite has changed"
    assert resumed.suite.direction == "BtoA" and resumed.suite_hash == plan.suite_hash
    assert [spec.hash for spec in resumed.specs] == [spec.hash for spec in plan.specs]
    assert "--resume: as the suite run began (--direction BtoA, its 2 planned runs;" in resumed.notes[0]
    assert resumed.record()["training"] == {"direction": "BtoA"}  # kept for the next resume
    with pytest.raises(gb.RunDirError) as raised:
        gb.plan(resume=plan.root, direction="AtoB")  # given, it overrides: and the runs are not of it
    assert "the suite has changed since this run started" in str(raised.value)
    assert str(raised.value).endswith("; it began with --direction BtoA); run it into a new --out instead")


def test_a_suite_run_into_a_folder_of_another_direction_is_told_which(tmp_path):
    plain = gb.plan("translation", recipes=["pix2pix"], seeds=[0], out=tmp_path / "runs", device="cpu")
    write_suite_info(plain.root, plain.record())
    with pytest.raises(gb.RunDirError) as raised:
        gb.run_suite("translation", recipes=["pix2pix"], seeds=[0], out=plain.root, device="cpu", direction="BtoA")
    assert str(raised.value) == (
        f"{plain.root / SUITE_FILE}: the folder holds runs of suite 'translation' (another suite, or this one "
        "changed; it began without --direction, and this gives BtoA); choose another --out"
    )
    with pytest.raises(gb.RunDirError) as raised:
        gb.plan(resume=plain.root, direction="BtoA")
    assert "; it began without --direction, and this gives BtoA); run it into a new --out" in str(raised.value)


def test_a_suite_run_begun_with_compile_resumes_with_it(tmp_path):
    root = begun(tmp_path, recipes=["tf-mlp"], compile=True)
    assert json.loads((root / SUITE_FILE).read_text())["training"] == {"compile": True}
    resumed = gb.plan(resume=root)
    assert [spec.compile for spec in resumed.specs] == [True]
    assert "(--compile, " in resumed.notes[0]
    assert json.loads((begun(tmp_path / "plain", recipes=["tf-mlp"]) / SUITE_FILE).read_text())["training"] == {}


def test_a_suite_run_begun_with_cuda_graphs_needs_cuda_to_resume(tmp_path):
    root = begun(tmp_path, recipes=["tf-mlp"])
    record = json.loads((root / SUITE_FILE).read_text())
    (root / SUITE_FILE).write_text(json.dumps(dict(record, device="cuda", training={"cuda_graph": True})))
    with pytest.raises(gb.InvalidOption) as raised:
        gb.plan(resume=root, device="cpu")
    assert str(raised.value) == (
        "--cuda-graph: needs a CUDA device; the run's device is cpu (the suite run began with it "
        f"(recorded in {root / SUITE_FILE}): resume it where CUDA is)"
    )


@pytest.mark.slow  # trains and scores four smoke runs of a few steps: about 15 s
def test_a_dry_run_says_what_a_resume_would_do_with_each_run(tmp_path):
    root = tmp_path / "runs"
    gb.run_suite("smoke", out=root, device="cpu", samples=100)
    (root / "slides-mlp" / "seed-0" / "metrics.json").unlink()  # stopped while scored
    keras = root / "keras-mlp" / "seed-0" / "checkpoints"
    (keras / "final.pt").rename(keras / "last.pt")  # stopped in training, after a checkpoint
    (root / "torch-mlp" / "seed-0" / "checkpoints" / "final.pt").unlink()  # stopped before its first one
    write_suite_info(root, gb.plan(resume=root, seeds=[0, 1]).record())  # seed 1 planned, not begun
    result = runner.invoke(app, ["run", "--resume", str(root), "--dry-run"])
    assert result.exit_code == 0, result.output
    states = [line.split("  (")[-1].rstrip(")") if "  (" in line else "new" for line in result.stdout.splitlines()]
    assert states == [
        "complete: skipped",
        "new",
        "trained: scored then",
        "new",
        "continues from its last checkpoint",
        "new",
        "begun, with no checkpoint yet: trains from step 0",
        "new",
    ]
    assert [state for _, _, state in gb.run_states(gb.plan(resume=root))] == states
    again = runner.invoke(app, ["run", "--suite", "smoke", "--out", str(root), "--dry-run"])  # no --resume
    assert again.exit_code == 2 and "Traceback" not in again.output
    assert f"{root / 'tf-mlp' / 'seed-0'} already holds this run; pass --resume {root} to continue it" in " ".join(
        again.output.split()
    )
