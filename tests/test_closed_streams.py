"""ganbench started with stdout or stderr closed (``>&-``, a launcher that closes them): Python
then has no sys.stdout or sys.stderr, and a command still runs, its output dropped."""

import os
import subprocess
import sys

import pytest


def _closing(*fds):
    return lambda: [os.close(fd) for fd in fds]


@pytest.mark.parametrize("closed", [(1,), (2,), (1, 2)])
def test_a_command_runs_with_its_output_streams_closed(closed):
    kept = {1: subprocess.PIPE, 2: subprocess.PIPE}
    ended = subprocess.run(
        [sys.executable, "-m", "gan_bench", "list"], preexec_fn=_closing(*closed), stdout=kept[1], stderr=kept[2]
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
