"""A run --jobs worker notices that its suite process is gone, whether or not the kernel offers
pidfd_open (macOS does not): it waits while that process lives and returns once it has exited."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from gan_bench.executors import orphans


@pytest.fixture(params=["pidfd", "polling"])
def watch_by(request, monkeypatch):
    if request.param == "polling":
        monkeypatch.delattr(os, "pidfd_open", raising=False)
        monkeypatch.setattr(orphans, "POLL_S", 0.05)
    elif not hasattr(os, "pidfd_open"):
        pytest.skip("this platform has no pidfd_open; the polling case covers it")
    return request.param


def _watched(pid: int) -> threading.Thread:
    thread = threading.Thread(target=orphans.wait_until_gone, args=(pid,), daemon=True)
    thread.start()
    return thread


def test_wait_until_gone_returns_once_the_process_has_exited(watch_by):
    proc = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        thread = _watched(proc.pid)
        thread.join(0.5)
        assert thread.is_alive(), "returned while the process was still running"
        proc.stdin.close()  # the process reads to the end and exits
        proc.wait(timeout=30)  # reaped, as the suite process's own parent reaps it
        thread.join(10)
        assert not thread.is_alive(), "still waiting 10 s after the process exited"
    finally:
        proc.kill()
        proc.wait()


def test_wait_until_gone_returns_at_once_for_a_process_already_gone(watch_by):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    thread = _watched(gone.pid)
    thread.join(10)
    assert not thread.is_alive()
