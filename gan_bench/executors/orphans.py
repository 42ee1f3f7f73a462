"""A ``run --jobs`` worker whose suite process is gone (killed, or its terminal hung up) stops.

Workers run in their own process group, so a hangup or a kill that reaches only the suite process
leaves them behind: without a watch they train on outside the output lock, where a ``--resume``
may train the same run at once, and then wait forever for work that cannot come (on CUDA, holding
their device memory). Their parent is usually the forkserver, not the suite process, so the
kernel's parent-death signal cannot tell them; each worker watches the suite process itself.
"""

from __future__ import annotations

import os
import select
import threading
import time
from collections.abc import Callable

from gan_bench.training.signals import EXIT_INTERRUPTED

POLL_S = 1.0  # how often the fallback (no pidfd) checks that the suite process is still there


def wait_until_gone(pid: int) -> None:
    """Return once process ``pid`` has exited."""
    try:
        fd = os.pidfd_open(pid)  # Linux 5.3 and later: readable once it exits, and never a reused pid
    except (AttributeError, OSError):  # macOS, an older kernel, or already gone
        fd = None
    if fd is not None:
        try:
            select.select([fd], [], [])
        finally:
            os.close(fd)
        return
    while True:
        try:
            os.kill(pid, 0)
        except (ProcessLookupError, PermissionError):  # gone, or the pid is another user's process now
            return
        time.sleep(POLL_S)


def exit_when_gone(pid: int, stop: Callable[[], None], unit: threading.Lock, grace_s: float) -> None:
    """Watch ``pid`` from a daemon thread; once it has exited, call ``stop`` (the run in training
    checkpoints at its next step), wait up to ``grace_s`` for the unit in hand (``unit`` is held
    while one is) to end, and exit this process."""

    def watch() -> None:
        wait_until_gone(pid)
        stop()
        unit.acquire(timeout=grace_s)
        os._exit(EXIT_INTERRUPTED)  # nobody waits for it; a supervisor's log may show it

    threading.Thread(target=watch, name="ganbench-suite-watch", daemon=True).start()
