"""The worker lanes of ``run --jobs N``: one single-worker process pool per lane.

A worker that dies without a word (killed, out of memory, a crash in native code) breaks only its
own pool, so only the run or seed group it held is lost, and a fresh worker takes the lane over
(one that dies between two units, none lost, is replaced when the lane is given the next).
One pool shared by all lanes would fail every run in flight, stop the other workers, and refuse
all further work.

Workers do not import the user's main script: multiprocessing would run it again in each worker
(as ``__mp_main__``), which turns a script that calls ``gb.run_suite`` without an
``if __name__ == "__main__":`` guard into one that starts the suite again in every worker, and
ganbench's workers need nothing from it.
"""

from __future__ import annotations

import importlib.machinery
import os
import signal
import sys
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager


class WorkerLanes:
    def __init__(self, count: int, new_pool: Callable[[int], ProcessPoolExecutor]):
        self.new_pool = new_pool  # lane -> a pool of one worker, which reports its pid as that lane's
        self.pools = [new_pool(lane) for lane in range(count)]  # a pool starts its worker on first use
        self.in_flight: dict[Future, tuple[int, int]] = {}  # future -> (its unit, its lane)
        self.pids: dict[int, int] = {}  # lane -> the pid its worker reported (see worker_started)
        self.told: signal.Signals | None = None  # SIGTERM once stopped, SIGKILL once killed
        # pids and told: written by the thread that reads the workers' events and by stop() and
        # kill(), which a signal handler calls on the main thread, maybe inside replace() (hence re-entrant)
        self.lock = threading.RLock()

    def worker_started(self, lane: int, pid: int) -> None:
        """``lane``'s worker reported its ``pid``. One that reports after the stop (started while
        the stop came, or just before) is told to stop (or killed) at once: stop() could not name it."""
        with self.lock:
            self.pids[lane] = pid
            told = self.told
        if told is not None:
            _send(pid, told)

    def submit(self, lane: int, unit: int, fn, *args) -> None:
        with _main_left_alone():  # a pool starts its worker inside submit
            try:
                future = self.pools[lane].submit(fn, *args)
            except BrokenProcessPool:  # its worker died between two units (killed while idle)
                self.replace(lane)
                future = self.pools[lane].submit(fn, *args)
        self.in_flight[future] = (unit, lane)

    def finished(self, timeout: float) -> list[tuple[Future, int, int]]:
        """The futures that finish within ``timeout``, each taken out with its unit and lane."""
        done, _ = wait(self.in_flight, timeout=timeout, return_when=FIRST_COMPLETED)
        return [(future, *self.in_flight.pop(future)) for future in done]

    def replace(self, lane: int) -> None:
        """A fresh worker for ``lane``, whose worker died."""
        with self.lock:
            self.pids.pop(lane, None)
        self.pools[lane].shutdown(wait=True)
        self.pools[lane] = self.new_pool(lane)

    def stop(self) -> None:
        """Work not yet begun stays unbegun, and each worker is told to stop (SIGTERM); one whose
        pid comes later is told then."""
        self._tell(signal.SIGTERM)

    def kill(self) -> None:
        """Each worker ends at once (SIGKILL), whatever its run is doing: a second Ctrl-C, for a run
        that does not stop. Its run keeps its last checkpoint, from which ``--resume`` continues."""
        self._tell(signal.SIGKILL)

    def _tell(self, sig: signal.Signals) -> None:
        with self.lock:
            self.told = sig
            pids = list(self.pids.values())
        for future in list(self.in_flight):
            future.cancel()  # given to a worker still starting up
        for pid in pids:
            _send(pid, sig)

    def shutdown(self) -> None:
        for pool in self.pools:
            pool.shutdown(wait=True)


def _send(pid: int, sig: signal.Signals) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


@contextmanager
def _main_left_alone():
    """While a worker starts: a main script looks like a ``-m package`` run, whose main module
    multiprocessing leaves alone in the worker (it runs a script's again, without this)."""
    main = sys.modules.get("__main__")
    if main is None or getattr(main, "__spec__", None) is not None or not hasattr(main, "__file__"):
        yield  # run with -m, or interactive: multiprocessing leaves its main module alone already
        return
    main.__spec__ = importlib.machinery.ModuleSpec("__main__", None)
    try:
        yield
    finally:
        main.__spec__ = None
