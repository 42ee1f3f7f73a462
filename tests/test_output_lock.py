"""One writer per output folder: a second `ganbench run` on a folder in use refuses, naming the lock."""

import pytest
from typer.testing import CliRunner

from gan_bench.cli import app
from gan_bench.rundir.lock import LOCK_NAME, output_lock


def test_second_run_on_a_locked_folder_refuses(tmp_path):
    out = tmp_path / "out"
    with output_lock(out):
        result = CliRunner().invoke(app, ["run", "--suite", "smoke", "--out", str(out), "--device", "cpu"])
    assert result.exit_code == 2
    assert LOCK_NAME in result.output and "another ganbench run" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()  # nothing was written: the holder, which made the folder, left it empty and removed it


def test_lock_is_released_on_exit(tmp_path):
    with output_lock(tmp_path):
        pass
    with output_lock(tmp_path) as path:  # a later run takes it again
        assert path.read_text().startswith("pid ")


def test_refusal_names_the_holder_and_a_killed_holder_releases_the_lock(tmp_path):
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    from gan_bench.errors import UserError

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import sys, time\n"
                "from gan_bench.rundir.lock import output_lock\n"
                f"with output_lock({str(tmp_path)!r}):\n"
                "    print('locked', flush=True)\n"
                "    time.sleep(600)\n"
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(UserError) as refused:
            with output_lock(tmp_path):
                pass
        assert f"pid {holder.pid} on {socket.gethostname()}" in str(refused.value)
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)
        time.sleep(0.1)
        with output_lock(tmp_path) as path:  # the kernel dropped the dead holder's flock
            assert path.read_text() == f"pid {os.getpid()} on {socket.gethostname()}\n"
    finally:
        holder.kill()


def refused_run(out) -> str:
    """`run --suite smoke --out OUT`, which must exit 2 with one message and no traceback: its text."""
    result = CliRunner().invoke(app, ["run", "--suite", "smoke", "--out", str(out), "--device", "cpu"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return " ".join(result.output.split())


def test_a_filesystem_without_locks_stops_the_run_with_a_message(tmp_path, monkeypatch):
    """flock on a filesystem that offers no locks (ENOLCK, as an NFS mount without lockd gives):
    exit 2 naming the lock file and what to do, and no run is written unlocked."""
    import errno
    import fcntl

    def no_locks(fd, op):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    out = tmp_path / "out"
    text = refused_run(out)
    assert f"{out / LOCK_NAME}: this filesystem cannot lock files (No locks available)" in text
    assert "NFS mounted with locking enabled" in text
    assert not out.exists()  # no suite.json, no run, and not the lock file it made


def test_a_system_without_flock_stops_the_run_before_writing(tmp_path, monkeypatch):
    """Windows has no fcntl: `run` exits 2 naming what to use instead, and writes nothing."""
    from gan_bench.rundir import lock

    monkeypatch.setattr(lock, "fcntl", None)
    out = tmp_path / "out"
    text = refused_run(out)
    assert f"{out}: ganbench locks a run's output folder with flock" in text
    assert "run ganbench on Linux or macOS (on Windows, under WSL 2)" in text
    assert not out.exists()


@pytest.mark.slow  # seconds: a second ganbench process
def test_train_refuses_a_run_another_process_is_writing(tmp_path):
    """`train --resume` on a run being trained, or on a run inside a suite folder `run` is writing:
    exit 2 naming the lock, where it used to train alongside and interleave the two histories."""
    import gan_bench as gb

    run = tmp_path / "alone"
    gb.train("tf-mlp", profile="smoke", steps=4, out=run, device="cpu")
    before = {p.name: p.read_bytes() for p in run.iterdir() if p.is_file()}
    suite_run = tmp_path / "suite"
    suite_run.mkdir()
    (suite_run / "suite.json").write_text('{"name": "smoke"}')
    for folder, locked in ((run, run), (suite_run / "tf-mlp" / "seed-0", suite_run)):
        with output_lock(locked):
            result = CliRunner().invoke(
                app, ["train", "tf-mlp", "--profile", "smoke", "--steps", "8", "--out", str(folder), "--resume"]
            )
        assert result.exit_code == 2, result.output
        assert f"{locked / LOCK_NAME}: another ganbench run (pid" in result.output and "Traceback" not in result.output
    assert {p.name: p.read_bytes() for p in run.iterdir() if p.is_file()} == before
    assert not (suite_run / "tf-mlp").exists()


def test_a_refused_train_leaves_no_folder_behind(tmp_path, no_data_env):
    result = CliRunner().invoke(
        app, ["train", "tf-mlp", "--dataset", "fashion-mnist", "--out", str(tmp_path / "a" / "b")]
    )
    assert result.exit_code == 2 and "Fashion-MNIST" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_reader_probing_the_lock_does_not_refuse_a_run_starting_that_moment(tmp_path):
    """`report`, `check` and `score` ask held_by() who writes a folder, which holds a shared lock for
    an instant; a run taking the lock then waits that instant out instead of refusing."""
    import fcntl
    import os
    import threading

    from gan_bench.rundir.lock import held_by

    (tmp_path / LOCK_NAME).write_text("pid 1 on an-old-host\n")  # what a finished run leaves
    fd = os.open(tmp_path / LOCK_NAME, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)  # a probe, caught in the act
    threading.Timer(0.2, os.close, [fd]).start()
    with output_lock(tmp_path) as path:
        assert path.read_text().startswith(f"pid {os.getpid()} ")
        assert held_by(tmp_path).startswith(f"pid {os.getpid()} ")  # a later probe sees this run
