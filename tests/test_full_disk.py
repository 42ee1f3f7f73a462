"""A full disk at each write a run makes (spec, env, grids, checkpoints, history.csv and
timing.csv appends, metrics.json): one message naming the file and exit 2, no file left claiming
more than was written, and --resume, once there is room again, ends with the same bits as a run
that never failed."""

import errno
import json
import os

import pytest
import torch
from typer.testing import CliRunner

from gan_bench.cli import app
from gan_bench.errors import NoSpace
from gan_bench.rundir import atomic
from gan_bench.training import engine
from gan_bench.training.history import History

# toy-gan on the ring writes what an image run writes (grids as scatter plots) plus the scored scatter,
# and scores in a fraction of a second, so the sweep over every write stays short.
SUITE = (
    'name = "disk"\ndataset = "ring"\nseeds = [0]\nrecipes = ["toy-gan"]\nprofile = "smoke"\n[steps]\n"toy-gan" = 20\n'
)


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


class Writes:
    """Counts fsyncs (every file ganbench writes ends with one) and fails the ``fail_at``-th with ENOSPC.
    The others do nothing: durability is not under test here, and real fsyncs would cost minutes."""

    def __init__(self, fail_at=None):
        self.calls, self.fail_at = 0, fail_at

    def __call__(self, fd):
        self.calls += 1
        if self.calls == self.fail_at:
            raise OSError(errno.ENOSPC, "No space left on device")


def command(tmp_path, out, *extra):
    return ("run", "--suite", tmp_path / "disk.toml", "--out", out, "--device", "cpu", "--quiet", *extra)


def assert_nothing_claims_more_than_was_written(out):
    assert not list(out.rglob("*.tmp")), "a temporary file was left behind"
    for path in out.rglob("*.json"):
        json.loads(path.read_text())  # whole, or absent
    for path in out.rglob("*.pt"):
        torch.load(path, weights_only=True)
    run = out / "toy-gan" / "seed-0"
    if (run / "history.csv").exists():
        history = (run / "history.csv").read_text()
        timing = (run / "timing.csv").read_text() if (run / "timing.csv").exists() else "step,wall_time_s\n"
        assert history.endswith("\n") and timing.endswith("\n")
        rows = [r.split(",") for r in history.splitlines()]
        assert all(len(r) == len(rows[0]) for r in rows)
        assert [r[0] for r in rows[1:]] == [t.split(",")[0] for t in timing.splitlines()[1:]]
    if (run / "metrics.json").exists():
        assert (run / "checkpoints" / "final.pt").exists()


@pytest.mark.slow
def test_a_full_disk_at_every_write_exits_2_leaves_nothing_false_and_resumes_to_the_same_bits(tmp_path, monkeypatch):
    (tmp_path / "disk.toml").write_text(SUITE)
    # history rows also reach the disk when FLUSH_SECONDS have passed; on a loaded machine that adds
    # writes to some runs and not others, so the k-th write would not be the same file in every run
    monkeypatch.setattr(engine, "FLUSH_SECONDS", float("inf"))
    writes = Writes()
    monkeypatch.setattr(atomic.os, "fsync", writes)
    straight = tmp_path / "straight"
    assert invoke(*command(tmp_path, straight)).exit_code == 0
    total = writes.calls
    assert total >= 10  # spec, env, suite.json, grids, checkpoints, history appends, metrics
    reference = straight / "toy-gan" / "seed-0"
    failed_files = set()
    for k in range(1, total + 1):
        out = tmp_path / f"full-{k}"
        monkeypatch.setattr(atomic.os, "fsync", Writes(fail_at=k))
        result = invoke(*command(tmp_path, out))
        assert result.exit_code == 2, (k, result.output)
        assert "No space left on device" in result.output and "Traceback" not in result.output
        named = result.output.split(": cannot write")[0].split()[-1]
        assert named.startswith(str(out)), result.output
        failed_files.add(os.path.basename(named))
        assert_nothing_claims_more_than_was_written(out)
        monkeypatch.setattr(atomic.os, "fsync", Writes())
        resume = ("--resume", out) if (out / "suite.json").exists() else ()  # the first write is suite.json
        again = invoke(*command(tmp_path, out, *resume))
        assert again.exit_code == 0, (k, again.output)
        run = out / "toy-gan" / "seed-0"
        for name in ("history.csv", "metrics.json"):
            assert (run / name).read_bytes() == (reference / name).read_bytes(), (k, name)
        assert len((run / "timing.csv").read_text().splitlines()) == len(
            (reference / "timing.csv").read_text().splitlines()
        )
        a = torch.load(run / "checkpoints" / "final.pt", weights_only=True)["system"]["G"]
        b = torch.load(reference / "checkpoints" / "final.pt", weights_only=True)["system"]["G"]
        assert all(torch.equal(a[n], b[n]) for n in a)
    assert {
        "suite.json",
        "spec.json",
        "env.json",
        "history.csv",
        "timing.csv",
        "last.pt",
        "step-0000000.png",
        "scored-samples.png",
        "metrics.json",
    } <= failed_files
    assert any(name.startswith("g-step-") for name in failed_files)  # G's snapshots


def make_history(tmp_path):
    h = History(tmp_path / "history.csv", tmp_path / "timing.csv", ("d_loss", "g_loss"), 10.0, torch.device("cpu"))
    h.start()
    return h


def log_rows(h, steps):
    for step in steps:
        h.add(torch.tensor([float(step), 2.0 * step]))
        h.log(step)


@pytest.mark.parametrize("fail_on", ["history.csv", "timing.csv"])
def test_a_failed_append_cuts_both_logs_back(tmp_path, monkeypatch, fail_on):
    h = make_history(tmp_path)
    log_rows(h, [1, 2])
    h.flush()
    before = {p: (tmp_path / p).read_bytes() for p in ("history.csv", "timing.csv")}
    assert before["history.csv"] == (
        b"step,epoch,d_loss,g_loss,d_loss_sd,g_loss_sd\n1,0.1,1.0,2.0,0.0,0.0\n2,0.2,2.0,4.0,0.0,0.0\n"
    )
    log_rows(h, [3, 4])
    real_open = open

    def failing_open(path, mode="r", *a, **k):
        f = real_open(path, mode, *a, **k)
        if str(path).endswith(fail_on) and "a" in mode:
            f.write(b"4,0.4,4.")  # part of a row reaches the disk first
            f.flush()
            f.close()
            raise OSError(errno.ENOSPC, "No space left on device")
        return f

    monkeypatch.setattr("builtins.open", failing_open)
    with pytest.raises(Exception) as e:
        h.flush()
    monkeypatch.setattr("builtins.open", real_open)
    assert f"{tmp_path / fail_on}: cannot write (No space left on device)" in str(e.value)
    assert {p: (tmp_path / p).read_bytes() for p in before} == before


def test_resume_drops_a_row_cut_short_by_a_kill(tmp_path):
    h = make_history(tmp_path)
    log_rows(h, [1, 2])
    h.flush()
    with open(tmp_path / "history.csv", "a") as f:
        f.write("3,0.3,3.0,6")  # killed mid-append: no newline
    with open(tmp_path / "timing.csv", "a") as f:
        f.write("3,0.")
    resumed = History(
        tmp_path / "history.csv", tmp_path / "timing.csv", ("d_loss", "g_loss"), 10.0, torch.device("cpu")
    )
    resumed.resume(h.state_dict(), step=5)
    assert (tmp_path / "history.csv").read_text() == (
        "step,epoch,d_loss,g_loss,d_loss_sd,g_loss_sd\n1,0.1,1.0,2.0,0.0,0.0\n2,0.2,2.0,4.0,0.0,0.0\n"
    )
    assert (tmp_path / "timing.csv").read_text().count("\n") == 3


def _file_size_limit():
    """In the child: the kernel refuses writes past 1 MB (EFBIG), as a full disk refuses them (ENOSPC)."""
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get the error, not the signal
    resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, 1_000_000))


@pytest.mark.slow
def test_a_real_write_refused_by_the_kernel_exits_2_and_resume_finishes_the_same_run(tmp_path):
    import subprocess
    import sys

    args = [sys.executable, "-m", "gan_bench", "train", "tf-mlp", "--profile", "smoke", "--quiet", "--out"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    straight = subprocess.run(args + [str(tmp_path / "straight")], capture_output=True, text=True, env=env)
    assert straight.returncode == 0, straight.stderr
    run = tmp_path / "limited"
    refused = subprocess.run(args + [str(run)], capture_output=True, text=True, env=env, preexec_fn=_file_size_limit)
    assert refused.returncode == 2, refused.stderr
    assert f"{run / 'checkpoints' / 'last.pt'}: cannot write (File too large)" in refused.stderr
    assert "Traceback" not in refused.stderr and not list(run.rglob("*.tmp"))
    resumed = subprocess.run(args + [str(run), "--resume"], capture_output=True, text=True, env=env)
    assert resumed.returncode == 0, resumed.stderr
    assert (run / "history.csv").read_bytes() == (tmp_path / "straight" / "history.csv").read_bytes()
    a = torch.load(run / "checkpoints" / "final.pt", weights_only=True)["system"]["G"]
    b = torch.load(tmp_path / "straight" / "checkpoints" / "final.pt", weights_only=True)["system"]["G"]
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_a_full_disk_outside_ganbench_own_writers_is_one_message_too(tmp_path, monkeypatch):
    """A folder or lock file that cannot be made (or a library's cache) on a full disk: exit 2, no traceback."""
    from gan_bench.rundir import lock

    def full(path, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(lock.os, "open", full)
    (tmp_path / "disk.toml").write_text(SUITE)
    result = invoke(*command(tmp_path, tmp_path / "out"))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"{tmp_path / 'out' / '.ganbench.lock'}: cannot write (No space left on device)" in result.output


@pytest.mark.parametrize(
    ("code", "expected"),
    [(errno.EACCES, "Permission denied"), (errno.ENOENT, "No such file or directory"), (errno.ENOSPC, "cannot write")],
)
def test_a_temporary_file_that_cannot_be_made_is_reported_under_the_target_name(tmp_path, monkeypatch, code, expected):
    def refuse(dir, prefix, suffix):
        raise OSError(code, os.strerror(code), os.path.join(dir, f"{prefix}x1y2{suffix}"))

    monkeypatch.setattr(atomic.tempfile, "mkstemp", refuse)
    target = tmp_path / "report.md"
    with pytest.raises(NoSpace if code == errno.ENOSPC else OSError) as caught:
        atomic.write_text(target, "text")
    assert str(target) in str(caught.value) and ".tmp" not in str(caught.value)
    assert expected in str(caught.value)
    if code != errno.ENOSPC:
        assert (caught.value.errno, caught.value.filename) == (code, str(target))
    assert list(tmp_path.iterdir()) == []
