"""Determinism and resume, checked on the bits of the final weights and history."""

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time

import pytest
import torch

from gan_bench.executors.local import run_all
from gan_bench.suite.run_spec import RunSpec
from gan_bench.training.progress import Reporter

SPEC = dict(dataset="mnist", profile="smoke", device="cpu")


def train(out, recipe="tf-mlp", seed=0, steps=None):
    spec = RunSpec(recipe=recipe, seed=seed, steps=steps, **SPEC)
    run_all([spec], out, resume=False, reporter=Reporter())
    return out / recipe / f"seed-{seed}"


def weights(run_dir):
    state = torch.load(run_dir / "checkpoints" / "final.pt", weights_only=True)
    return {f"{net}.{k}": v for net in ("G", "D") for k, v in state["system"][net].items()}


def same_weights(a, b):
    wa, wb = weights(a), weights(b)
    return wa.keys() == wb.keys() and all(torch.equal(wa[k], wb[k]) for k in wa)


@pytest.mark.slow
@pytest.mark.parametrize("recipe", ["tf-mlp", "slides-mlp", "keras-mlp", "torch-mlp"])
def test_same_spec_same_bits_other_seed_other_bits(tmp_path, recipe):
    a = train(tmp_path / "a", recipe)
    b = train(tmp_path / "b", recipe)
    c = train(tmp_path / "c", recipe, seed=1)
    assert (a / "history.csv").read_bytes() == (b / "history.csv").read_bytes()
    assert same_weights(a, b)
    assert (a / "history.csv").read_bytes() != (c / "history.csv").read_bytes()
    assert not same_weights(a, c)


def test_run_directory_contents(tmp_path):
    run = train(tmp_path, "keras-mlp")
    names = {p.relative_to(run).as_posix() for p in run.rglob("*") if p.is_file()}
    assert {
        "spec.json",
        "env.json",
        "history.csv",
        "timing.csv",
        "checkpoints/final.pt",
        "samples/step-0000000.png",
        "samples/step-0000030.png",
    } <= names
    assert "checkpoints/last.pt" not in names
    header = (run / "history.csv").read_text().splitlines()[0]
    assert header == (
        "step,epoch,d_loss,g_loss,d_real,d_fake,g_grad_norm,d_grad_norm,d_loss_sd,g_loss_sd,d_real_sd,d_fake_sd"
    )
    rows = (run / "history.csv").read_text().splitlines()[1:]
    assert [int(r.split(",")[0]) for r in rows] == [5, 10, 15, 20, 25, 30]
    assert len((run / "timing.csv").read_text().splitlines()) == 7


def _cli(*args):
    return [sys.executable, "-m", "gan_bench", *args]


def _wait_for(path, proc, timeout=120):
    deadline = time.time() + timeout
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.time() < deadline, f"{path} never appeared"
        time.sleep(0.05)


KILLED = ["train", "keras-mlp", "--profile", "smoke", "--steps", "120", "--quiet"]


@pytest.fixture(scope="module")
def unkilled(tmp_path_factory):
    """The run the kill tests interrupt, trained without interruption (once for both signals)."""
    reference = tmp_path_factory.mktemp("unkilled") / "reference"
    subprocess.run(_cli(*KILLED, "--out", str(reference)), check=True, capture_output=True)
    return reference


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGHUP, signal.SIGKILL])
def test_resume_after_a_kill_ends_with_the_same_bits(tmp_path, sig, unkilled):
    """SIGINT (Ctrl-C) and SIGHUP (`kill -HUP`) checkpoint at the next step."""
    run = tmp_path / "killed"
    proc = subprocess.Popen(
        _cli(*KILLED, "--out", str(run)), stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=hangups_heard
    )
    _wait_for(run / "checkpoints" / "last.pt", proc)
    time.sleep(0.3)  # let it train past the first checkpoint
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    if sig != signal.SIGKILL:
        assert proc.returncode == 130, err
        assert f"; continue it with `ganbench train --resume --out {run}`" in " ".join(err.decode().split())
    else:
        assert proc.returncode == -signal.SIGKILL
    assert not (run / "checkpoints" / "final.pt").exists(), "the kill came too late to test resume"

    again = subprocess.run(_cli(*KILLED, "--out", str(run)), capture_output=True, text=True)
    assert again.returncode == 2 and "--resume" in again.stderr  # no silent overwrite

    resumed = subprocess.run(_cli("train", "--resume", "--out", str(run), "--quiet"), capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming at step" in resumed.stderr
    assert (run / "history.csv").read_bytes() == (unkilled / "history.csv").read_bytes()
    assert same_weights(run, unkilled)


def hangups_heard() -> None:
    """In a child before exec: SIGHUP's default action, even where the tests run under nohup (whose
    ignoring it every child inherits)."""
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


def exit_code_after_a_hangup(args: list[str], until, timeout=180, sighup=signal.SIG_DFL) -> int:
    """Start ganbench ``args`` with stdout and stderr on a terminal of its own, read what it writes
    there (it would block on a full terminal) until ``until()``, then hang the terminal up, as a
    closed ssh connection does: SIGHUP (handled as ``sighup`` says when ganbench starts), and EIO
    on every later write. Its exit code."""
    pid, terminal = pty.fork()
    if pid == 0:
        try:
            signal.signal(signal.SIGHUP, sighup)
            os.execv(sys.executable, _cli(*args))
        finally:
            os._exit(127)
    deadline = time.time() + timeout
    try:
        while not until():
            assert os.waitpid(pid, os.WNOHANG) == (0, 0), "ganbench ended before the hangup"
            assert time.time() < deadline, "what the hangup waits for never came"
            if select.select([terminal], [], [], 0.05)[0]:
                os.read(terminal, 65536)
        time.sleep(0.3)  # a few steps more
    finally:
        os.close(terminal)
    while time.time() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    raise AssertionError("ganbench did not end after the hangup")


@pytest.mark.slow
def test_a_terminal_that_hangs_up_leaves_a_checkpoint_exit_130_and_the_same_bits(tmp_path, unkilled):
    """The terminal (an ssh connection) closes under a run that prints to it: the run checkpoints at its
    next step and exits 130, though every write to the terminal now fails."""
    run = tmp_path / "hung-up"
    assert exit_code_after_a_hangup([*KILLED, "--out", str(run)], (run / "checkpoints" / "last.pt").exists) == 130
    assert not (run / "checkpoints" / "final.pt").exists(), "the hangup came too late to test resume"
    resumed = subprocess.run(_cli("train", "--resume", "--out", str(run), "--quiet"), capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert (run / "history.csv").read_bytes() == (unkilled / "history.csv").read_bytes()
    assert same_weights(run, unkilled)


@pytest.mark.slow
def test_a_run_that_ignores_a_hangup_trains_on_to_the_end_though_its_terminal_is_gone(tmp_path, unkilled):
    """A run started with SIGHUP ignored, or ``disown``ed, printing to a terminal that closes: no signal
    stops it, every later write fails with EIO, and it trains on to the end and exits 0."""
    run = tmp_path / "ignored"
    ended = exit_code_after_a_hangup(
        [*KILLED, "--out", str(run)], (run / "checkpoints" / "last.pt").exists, sighup=signal.SIG_IGN
    )
    assert ended == 0
    assert (run / "history.csv").read_bytes() == (unkilled / "history.csv").read_bytes()
    assert same_weights(run, unkilled)


@pytest.mark.slow
def test_a_run_started_under_nohup_trains_on_through_a_hangup(tmp_path, unkilled):
    run = tmp_path / "nohup"
    proc = subprocess.Popen(
        _cli(*KILLED, "--out", str(run)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN),  # as nohup starts it
    )
    _wait_for(run / "checkpoints" / "last.pt", proc)
    assert not (run / "checkpoints" / "final.pt").exists(), "the hangup came too late to test"
    proc.send_signal(signal.SIGHUP)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert (run / "history.csv").read_bytes() == (unkilled / "history.csv").read_bytes()
    assert same_weights(run, unkilled)


@pytest.mark.slow
def test_sigterm_to_a_suite_run_checkpoints_exits_130_and_resume_completes(tmp_path):
    """SIGTERM mid-suite: the finished run is kept, the running one checkpoints, exit 130; then
    `run --resume RUN_ID` skips the first, resumes the second, and both match an uninterrupted suite."""
    suite = tmp_path / "s.toml"
    suite.write_text(
        'name = "s"\ndataset = "mnist"\nseeds = [0, 1]\nrecipes = ["keras-mlp"]\nprofile = "smoke"\n'
        '[steps]\n"keras-mlp" = 80\n'
    )
    base = ["run", "--suite", str(suite), "--device", "cpu", "--quiet", "--samples", "300"]
    reference = tmp_path / "reference"
    subprocess.run(_cli(*base, "--out", str(reference)), check=True, capture_output=True)
    out = tmp_path / "out"
    proc = subprocess.Popen(_cli(*base, "--out", str(out)), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _wait_for(out / "keras-mlp" / "seed-1" / "checkpoints" / "last.pt", proc)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert (out / "keras-mlp" / "seed-0" / "metrics.json").is_file()  # the finished run is kept
    assert not (out / "keras-mlp" / "seed-1" / "checkpoints" / "final.pt").exists(), "SIGTERM came too late"
    assert f"continue the suite run with `ganbench run --resume {out}`" in " ".join(err.decode().split())
    # that command: the suite, its runs, profile and device come from the folder's suite.json
    resumed = subprocess.run(
        _cli("run", "--resume", str(out), "--quiet", "--samples", "300"), capture_output=True, text=True
    )
    assert resumed.returncode == 0, resumed.stderr
    assert "seed 0: complete" in resumed.stderr and "resuming at step" in resumed.stderr
    for seed in (0, 1):
        a, b = out / "keras-mlp" / f"seed-{seed}", reference / "keras-mlp" / f"seed-{seed}"
        assert (a / "history.csv").read_bytes() == (b / "history.csv").read_bytes()
        assert same_weights(a, b)


@pytest.mark.slow
def test_ctrl_c_while_a_run_is_scored_exits_130_naming_the_suite_run_and_resume_scores_it(tmp_path):
    """Ctrl-C after training, while scoring: before, the command exited 130 and printed nothing."""
    out = tmp_path / "out"
    base = ["run", "--suite", "smoke", "--recipes", "tf-mlp", "--device", "cpu", "--quiet"]
    proc = subprocess.Popen(_cli(*base, "--out", str(out)), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    run = out / "tf-mlp" / "seed-0"
    _wait_for(run / "checkpoints" / "final.pt", proc)
    time.sleep(1.0)  # training is over; scoring 1,000 samples takes several seconds more
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert f"suite run: {out} (continue it with `ganbench run --resume {out}`)" in " ".join(err.split())
    assert "interrupted; finished runs and checkpoints are kept" in err and "Traceback" not in err
    assert not (run / "metrics.json").exists(), "SIGINT came too late"
    assert not list(out.rglob("*.tmp"))
    resumed = subprocess.run(_cli(*base, "--resume", str(out)), capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert "tf-mlp seed 0: complete in" in resumed.stderr and "trained earlier, scored now" in resumed.stderr
    assert "fid_lenet_1k_test" in json.loads((run / "metrics.json").read_text())["metrics"]


@pytest.mark.parametrize(
    "recipe, dataset", [("toy-gan", "grid"), ("dcgan-mnist-fixed", "mnist"), ("pix2pix", "edges2digits")]
)
@pytest.mark.slow
def test_sample_grids_leave_training_untouched(tmp_path, recipe, dataset):
    """Grids are drawn with G in eval mode and a forked RNG: batch norm's running statistics
    (toy-gan), G's dropout (dcgan-mnist-fixed) and pix2pix's test-time dropout noise would otherwise
    make G depend on where the schedule puts its grids."""

    def run(out, steps):
        spec = RunSpec(recipe=recipe, seed=0, steps=steps, **{**SPEC, "dataset": dataset})
        run_all([spec], out, resume=False, reporter=Reporter())
        return torch.load(out / recipe / "seed-0" / "checkpoints" / "g-step-0000004.pt", weights_only=True)["G"]

    short, long = run(tmp_path / "a", 4), run(tmp_path / "b", 8)  # grids at 0, 2, 4 / at 0, 4, 8
    assert short.keys() == long.keys() and all(torch.equal(short[k], long[k]) for k in short)


@pytest.mark.slow
def test_a_signal_during_the_last_step_keeps_the_trained_run_and_stops_before_scoring(tmp_path, monkeypatch):
    """Before, a Ctrl-C that came while the last step ran was swallowed: the run went on to score."""
    import os

    from typer.testing import CliRunner

    from gan_bench.cli import app
    from gan_bench.training import engine

    real = engine.RunLoop.after_step

    def after_step(self, s, scalars, reporter):
        real(self, s, scalars, reporter)
        if s == self.schedule.steps:
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(engine.RunLoop, "after_step", after_step)
    out = tmp_path / "out"
    done = CliRunner().invoke(app, ["run", "--suite", "smoke", "--recipes", "tf-mlp", "--out", str(out), "--quiet"])
    run = out / "tf-mlp" / "seed-0"
    assert done.exit_code == 130, done.output
    assert f"interrupted at step 30; checkpoint written to {run / 'checkpoints' / 'final.pt'}" in done.output
    assert f"continue the suite run with `ganbench run --resume {out}`" in " ".join(done.output.split())
    assert (run / "checkpoints" / "final.pt").is_file() and not (run / "metrics.json").exists()
