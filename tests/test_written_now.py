"""Runs that a ganbench process is writing now: `score` says the run is still training (not how to
resume it), `check` and `baseline` refuse to judge a suite folder before its run has finished, and
`report` notes that its unscored runs may still be training."""

from __future__ import annotations

import os
import socket

import pytest
from typer.testing import CliRunner

import gan_bench as gb
from gan_bench.cli import app
from gan_bench.rundir.lock import LOCK_NAME, output_lock

HOLDER = f"pid {os.getpid()} on {socket.gethostname()}"


def test_scoring_a_run_another_process_is_training_says_so_not_how_to_resume_it(tmp_path):
    run = tmp_path / "run"
    gb.train("tf-mlp", profile="smoke", steps=2, out=run, device="cpu")
    (run / "checkpoints" / "final.pt").unlink()  # as it is mid-training
    with output_lock(run):  # the trainer's lock, as `ganbench train` holds it
        with pytest.raises(gb.RunDirError) as raised:
            gb.score([run])
    assert str(raised.value) == (
        f"{run}: the run is still training ({HOLDER} holds {run / LOCK_NAME}); score it once that has finished"
    )
    with pytest.raises(gb.RunDirError, match="the run is not complete .* `ganbench train --resume --out "):
        gb.score([run])  # nobody trains it: the command that finishes it
    assert not (run / "metrics.json").exists()


@pytest.mark.slow  # trains and scores a run: about 10 s
def test_check_and_baseline_wait_for_the_suite_run_writing_the_folder(tmp_path):
    root = gb.run_suite("smoke", recipes=["tf-mlp"], out=tmp_path / "runs", device="cpu").root
    baseline = tmp_path / "b.json"
    with output_lock(root):  # as `ganbench run` holds it while other runs still train
        for call, what in (
            (lambda: gb.check([root]), "check"),
            (lambda: gb.write_baseline([root], baseline), "baseline"),
        ):
            with pytest.raises(gb.RunDirError) as raised:
                call()
            assert str(raised.value) == (
                f"{root}: {HOLDER} is writing to it now (it holds {root / LOCK_NAME}); make the {what} once that "
                "has finished"
            )
        with pytest.raises(gb.RunDirError, match="is writing to it now"):
            gb.check([root / "tf-mlp" / "seed-0"])  # one run of the folder, too
        shown = CliRunner().invoke(app, ["report", str(root)])
        assert shown.exit_code == 0
        note = f"note: {root}: {HOLDER} is writing to it now; its incomplete and unscored runs may still be training"
        assert note in " ".join(shown.output.split())
    assert "is writing to it now" not in CliRunner().invoke(app, ["report", str(root)]).output
    assert not baseline.exists()
    assert gb.check([root], recipes=["tf-mlp"]).passed
    assert gb.write_baseline([root], baseline) == baseline
