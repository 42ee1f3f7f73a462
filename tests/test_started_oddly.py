"""ganbench started in an odd process state. With stdout or stderr closed (``>&-``, a launcher that
closes them) Python has no sys.stdout or sys.stderr, and a command still runs, its output dropped.
From a working directory deleted under the shell, a command stops with one message."""

import os
import subprocess
import sys

import pytest


def _closing(*fds):
    return lambda: [os.close(fd) for fd in fds]


@pytest.mark.parametrize("closed", [(1,), (2,), (1, 2)])
def test_a_command_runs_with_its_output_streams_closed(closed):
    ended = subprocess.run(
        [sys.executable, "-m", "gan_bench", "list"], preexec_fn=_closing(*closed), capture_output=True
    )
    assert ended.returncode == 0, ended.stderr
    if 2 not in closed:
        assert ended.stderr == b""  # no traceback
    if 1 not in closed:
        assert b"recipes" in ended.stdout


def test_a_user_error_exits_2_with_stdout_closed():
    ended = subprocess.run(
        [sys.executable, "-m", "gan_bench", "train", "no-such-recipe", "--out", "unused"],
        preexec_fn=_closing(1),
        stderr=subprocess.PIPE,
        text=True,
    )
    assert ended.returncode == 2
    assert ended.stderr.startswith("error: unknown recipe 'no-such-recipe'; valid: tf-mlp,")


def test_a_deleted_working_directory_is_one_message_and_exit_2(tmp_path):
    gone = tmp_path / "gone"
    gone.mkdir()

    def enter_then_delete():
        os.chdir(gone)
        os.rmdir(gone)

    ended = subprocess.run(
        [sys.executable, "-m", "gan_bench", "list"], preexec_fn=enter_then_delete, capture_output=True, text=True
    )
    assert (ended.returncode, ended.stdout) == (2, "")
    assert ended.stderr == (
        "error: the working directory no longer exists (deleted or moved); cd to a folder that exists\n"
    )
