"""The server process that ``--jobs`` workers are forked from: where it can run (forkserver,
else spawn), what it imports once for all of them, and its early start.

A worker forked from the server finds torch and ganbench imported. The server imports them in a
process of its own (about 3 s of a core), so ``run --jobs N`` starts it before this process
imports torch and plans the suite: the two import side by side, and the first worker begins its
run that much sooner. This module imports no torch itself.
"""

from __future__ import annotations

import multiprocessing
import tempfile

from gan_bench.executors import sockets

FORKSERVER_SOCKET_TAIL = len("/pymp-xxxxxxxx/listener-xxxxxxxx")  # its socket, below the temp dir
# torch._dynamo: torch.optim imports it at a process's first optimizer (about 1 s), in each worker
PRELOAD = ["torch", "torch._dynamo", "gan_bench.executors.lifecycle", "gan_bench.scoring.score_run"]


def context():
    """The multiprocessing context the workers start in, its server told what to import."""
    ctx = multiprocessing.get_context(start_method())
    if ctx.get_start_method() == "forkserver":
        ctx.set_forkserver_preload(PRELOAD)
    return ctx


def start_early() -> None:
    """Start the server now (it imports in the background), where workers will fork from it."""
    if context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def start_method() -> str:
    """forkserver where it can start, else spawn (each worker then imports torch itself)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return "spawn"
    # CPython before 3.13.4 binds forkserver's socket under $TMPDIR, too long a path there fails (gh-132124)
    return "forkserver" if sockets.fits(tempfile.gettempdir(), FORKSERVER_SOCKET_TAIL) else "spawn"
