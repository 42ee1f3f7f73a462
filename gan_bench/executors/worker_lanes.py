"""The worker lanes of ``run --jobs N``: one single-worker process pool per lane.

A worker that dies without a word (killed, out of memory, a crash in native code) breaks only its
own pool, so only the run or seed group it held is lost, and a fresh worker takes the lane over.
One pool shared by all lanes would fail every run in flight, stop the other workers, and refuse
all further work.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor


class WorkerLanes:
    def __init__(self, count: int, new_pool: Callable[[int], ProcessPoolExecutor]):
        self.new_pool = new_pool  # lane -> a pool of one worker, which reports its pid as that lane's
        self.pools = [new_pool(lane) for lane in range(count)]  # a pool starts its worker on first use
        self.in_flight: dict[Future, tuple[int, int]] = {}  # future -> (its unit, its lane)
        self.pids: dict[int, int] = {}  # lane -> the pid its worker reported

    def submit(self, lane: int, unit: int, fn, *args) -> None:
        self.in_flight[self.pools[lane].submit(fn, *args)] = (unit, lane)

    def replace(self, lane: int) -> None:
        """A fresh worker for ``lane``, whose worker died."""
        self.pids.pop(lane, None)
        self.pools[lane].shutdown(wait=True)
        self.pools[lane] = self.new_pool(lane)

    def stop(self) -> None:
        """Work not yet begun stays unbegun, and each worker is told to stop (SIGTERM)."""
        for future in list(self.in_flight):
            future.cancel()  # given to a worker still starting up
        for pid in list(self.pids.values()):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    def shutdown(self) -> None:
        for pool in self.pools:
            pool.shutdown(wait=True)
