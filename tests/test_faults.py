"""Faults never cost finished results and never leave a result that looks finished but isn't:
corrupt metrics and checkpoints are caught and the work redone, a diverging run is recorded as
diverged while the suite goes on, and a failed write leaves no partial file."""

import json

import pytest
import torch
from typer.testing import CliRunner

from gan_bench.cli import app
from gan_bench.rundir import atomic
from gan_bench.variants import RECIPES, registry

pytestmark = pytest.mark.slow

SUITE = 'name = "f"\ndataset = "mnist"\nseeds = [0]\nrecipes = ["tf-mlp"]\nprofile = "smoke"\n'


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture
def done_suite(tmp_path):
    """A scored one-run suite, and a command that resumes it."""
    (tmp_path / "f.toml").write_text(SUITE)
    out = tmp_path / "out"
    command = ("run", "--suite", tmp_path / "f.toml", "--out", out, "--device", "cpu", "--quiet", "--samples", "500")
    first = invoke(*command)
    assert first.exit_code == 0, first.output
    return out / "tf-mlp" / "seed-0", command


def test_corrupt_metrics_file_is_caught_and_the_run_scored_again(done_suite):
    run, command = done_suite
    good = json.loads((run / "metrics.json").read_text())
    (run / "metrics.json").write_text((run / "metrics.json").read_text()[:200])  # truncated
    report = invoke("report", run.parent.parent)
    assert report.exit_code == 2 and "metrics.json: invalid metrics file" in report.output
    assert "Traceback" not in report.output
    again = invoke(*command, "--resume", run.parent.parent)
    assert again.exit_code == 0, again.output
    assert "invalid metrics file" in again.output and "scoring again" in again.output
    assert json.loads((run / "metrics.json").read_text())["metrics"] == good["metrics"]


def test_metrics_of_another_spec_do_not_count(done_suite):
    run, command = done_suite
    data = json.loads((run / "metrics.json").read_text())
    data["spec_hash"] = "0" * 64
    (run / "metrics.json").write_text(json.dumps(data))
    again = invoke(*command, "--resume", run.parent.parent)
    assert again.exit_code == 0 and "belongs to another spec" in again.output
    assert json.loads((run / "metrics.json").read_text())["spec_hash"] != "0" * 64


def test_corrupt_final_checkpoint_is_set_aside_and_the_run_redone(done_suite):
    run, command = done_suite
    final = run / "checkpoints" / "final.pt"
    weights = torch.load(final, weights_only=True)["system"]["G"]
    history = (run / "history.csv").read_bytes()
    final.write_bytes(final.read_bytes()[:1000])
    again = invoke(*command, "--resume", run.parent.parent)
    assert again.exit_code == 0, again.output
    assert "cannot read checkpoint" in again.output and "the run is redone" in again.output
    assert (run / "checkpoints" / "final.pt.corrupt").is_file()
    redone = torch.load(final, weights_only=True)["system"]["G"]
    assert all(torch.equal(weights[k], redone[k]) for k in weights)  # the same bits as the first time
    assert (run / "history.csv").read_bytes() == history
    assert json.loads((run / "metrics.json").read_text())["verdict"]


@pytest.fixture
def boom():
    """tf-mlp with lr 1e12, registered as a plug-in would be (and removed after)."""
    registry.register(
        RECIPES["tf-mlp"].model_copy(update={"name": "tf-mlp-boom", "lr": 1e12}),
        {"ref": "tests:boom", "entry_point": "tf-mlp-boom"},  # found by its name, as an installed plug-in is
    )
    yield
    registry.unregister_recipe("tf-mlp-boom")


def test_diverging_run_is_recorded_and_the_suite_goes_on(tmp_path, boom):
    (tmp_path / "f.toml").write_text(SUITE.replace('["tf-mlp"]', '["tf-mlp-boom", "tf-mlp"]'))
    result = invoke(
        "run",
        "--suite",
        tmp_path / "f.toml",
        "--out",
        tmp_path / "out",
        "--device",
        "cpu",
        "--quiet",
        "--samples",
        "500",
    )
    assert result.exit_code == 0, result.output
    boom = json.loads((tmp_path / "out" / "tf-mlp-boom" / "seed-0" / "metrics.json").read_text())
    assert boom["verdict"] == "diverged"
    fine = json.loads((tmp_path / "out" / "tf-mlp" / "seed-0" / "metrics.json").read_text())
    assert fine["verdict"] != "diverged"
    report = invoke("report", tmp_path / "out", "--format", "csv")
    assert report.exit_code == 0 and "tf-mlp-boom" in report.output and "diverged" in report.output


def test_disk_full_gives_one_message_and_no_partial_file(tmp_path, monkeypatch):
    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", disk_full)
    run = tmp_path / "run"
    result = invoke("train", "tf-mlp", "--profile", "smoke", "--device", "cpu", "--quiet", "--out", run)
    assert result.exit_code == 2
    assert "No space left on device" in result.output and "Traceback" not in result.output
    assert "spec.json" in result.output  # the first file it could not write
    left = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert left == []  # no partial file, and nothing that looks complete
