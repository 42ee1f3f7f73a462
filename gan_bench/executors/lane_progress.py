"""Progress of ``run --jobs N``'s lanes on the suite display: each lane's reporter sends events
(each worker through a queue of its own), and a thread of the suite process shows them.

Each unit handed to a lane is one attempt, and its step events carry the attempt's number. Steps
a lane trains count toward the suite's rate; steps it finds done (a resumed run's first steps, a
complete run) count toward its total only, so a ``--resume`` under ``--jobs`` does not read as
thousands of steps trained in its first second. When a worker dies, the steps its attempt showed
are taken back: the fresh worker resumes the run from its last checkpoint and shows them again.

A unit's outcome is learnt by another thread (the one that handed it out) than its steps, which
come through the lane's queue; the relay shows it once both its end and its outcome are in: its
last steps, its outcome lines, then the suite's time left, as the one-lane log has them.
"""

from __future__ import annotations

import collections
import queue as queue_mod
import threading
import time
import warnings
from collections.abc import Callable

from gan_bench import errors
from gan_bench.training.progress import Reporter

FORWARD_SECONDS = 0.5  # how often a lane sends its step count to the suite bar
STEPS_TRAINED, STEPS_FOUND_DONE, UNIT_ENDED, UNIT_OUTCOME, RECIPE = "steps", "found", "ended", "outcome", "recipe"


class ForwardingReporter(Reporter):
    """In a lane: sends what the suite display needs (run start and end, steps in batches) to the
    suite process, each step count marked with the lane's ``attempt``."""

    def __init__(self, events, attempt: int):
        self.events, self.attempt = events, attempt
        self.pending, self.weight, self.sent = 0, 1, time.monotonic()

    def _steps(self, kind: str, steps: int) -> None:
        if steps:
            self.events.put((kind, steps, self.attempt))

    def _flush(self) -> None:
        self._steps(STEPS_TRAINED, self.pending)
        self.pending, self.sent = 0, time.monotonic()

    def working_on(self, recipe):
        self.events.put((RECIPE, recipe, self.attempt))

    def run_started(self, label, total, done, runs=1):
        self.weight = runs
        self.events.put(("started", f"{label}: {total} steps" + (f" (resuming at step {done})" if done else ""), None))
        self._steps(STEPS_FOUND_DONE, done * runs)

    def advance(self):
        self.pending += self.weight
        if time.monotonic() - self.sent > FORWARD_SECONDS:
            self._flush()

    def run_skipped(self, label, steps):
        self._steps(STEPS_FOUND_DONE, steps)

    def scoring(self, label):
        self._flush()  # the run's last steps, not held back until its scoring ends
        self.events.put(("message", f"{label}: scoring", None))

    def run_finished(self, label, summary):
        self._flush()

    def unit_ended(self) -> None:
        """The lane's run or seed group ended (trained, failed or stopped): its last steps, then its
        end, after which the relay shows the unit's outcome and the suite's time left."""
        self._flush()
        self.events.put((UNIT_ENDED, None, self.attempt))

    def message(self, text):
        self.events.put(("message", text, None))


class SuiteRelay:
    """In the suite process: lane events onto ``reporter`` from one thread, which alone calls it
    while the lanes run (other threads send it what to say: :meth:`outcome`, :meth:`message`).
    This process's own lane puts its events on ``events``; each worker has a queue of its own,
    read into ``events`` by a thread of its own. Workers also report their pid (given to
    ``on_pid`` with their lane) and the user cache's note (warned here, so the command shows it once)."""

    def __init__(self, reporter: Reporter, on_pid: Callable[[int, int], None] = lambda lane, pid: None):
        self.reporter, self.on_pid = reporter, on_pid
        self.events: queue_mod.Queue = queue_mod.Queue()
        self.readers: dict[int, _WorkerQueueReader] = {}  # lane -> its current worker's
        self.shown: dict[int, collections.Counter] = collections.defaultdict(collections.Counter)
        self.lost: set[int] = set()
        self.ended: set[int] = set()  # attempts whose end came before their outcome
        # attempt -> its outcome lines and failed runs' steps (SuiteRelay.outcome), come before its end
        self.outcomes: dict[int, tuple[list[str], tuple[str, int] | None]] = {}
        self.recipes: dict[int, str] = {}  # attempt -> the recipe of its runs, for the suite's time left
        self.to_take_back: queue_mod.SimpleQueue = queue_mod.SimpleQueue()  # attempts whose worker died
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._relay, name="ganbench-suite-relay", daemon=True)

    def queue_for_worker(self, ctx, lane: int):
        """A fresh queue for ``lane``'s new worker; the lane's previous one (its worker died) is
        read until it is empty, then left. One queue per worker, not one for all: a worker killed
        while it holds its queue's write lock (a semaphore shared across processes, held around
        each write) leaves that queue stuck for good, and a shared one would stop every lane's
        events, then this process's exit, which waits for its own writes to it."""
        if lane in self.readers:
            self.readers.pop(lane).retire()
        self.readers[lane] = _WorkerQueueReader(ctx.Queue(), self.events)
        return self.readers[lane].queue

    def start(self) -> None:
        self.thread.start()

    def outcome(
        self, attempt: int, lines: list[str], lane_lost: bool = False, failed: tuple[str, int] | None = None
    ) -> None:
        """What ``attempt``'s unit came to (a line per run reported), shown once its lane's end is
        in; at once where the lane died or failed without a word (``lane_lost``): no end will come.
        ``failed``: the recipe and steps of its runs that failed, of which those it did not show
        leave the suite's total."""
        self.events.put((UNIT_OUTCOME, (lines, lane_lost, failed), attempt))

    def message(self, text: str) -> None:
        self.events.put(("message", text, None))

    def take_back(self, attempt: int) -> None:
        """The worker of ``attempt`` died: its steps leave the suite's count, and any still on
        their way are dropped (called from the suite's main thread; done on the relay's)."""
        self.to_take_back.put(attempt)

    def stop(self, workers_killed: bool = False) -> None:
        """Once every lane has ended: show what the lanes sent, then end the threads. Killed
        workers' queues are read as a dead worker's are (see _WorkerQueueReader.retire)."""
        for reader in self.readers.values():
            reader.retire() if workers_killed else reader.finish()
        self.done.set()
        self.thread.join()

    def _relay(self) -> None:
        while True:
            while not self.to_take_back.empty():
                self._take_back(self.to_take_back.get())
            try:
                event = self.events.get(timeout=0.1)
            except queue_mod.Empty:
                if self.done.is_set() and self.to_take_back.empty():
                    for lines, _ in self.outcomes.values():  # their end was lost with a dying worker's queue
                        self._say(lines)
                    return
                continue
            self.show(*event)

    def _take_back(self, attempt: int) -> None:
        self.lost.add(attempt)
        shown = self.shown.pop(attempt, collections.Counter())
        for kind, steps in shown.items():
            self._working_on(attempt)
            self.reporter.suite_advance(-steps, trained=kind == STEPS_TRAINED)

    def _working_on(self, attempt: int) -> None:
        if attempt in self.recipes:
            self.reporter.working_on(self.recipes[attempt])

    def show(self, kind: str, value, attempt: int | None) -> None:
        if kind in (STEPS_TRAINED, STEPS_FOUND_DONE):
            if attempt in self.lost:
                return  # sent by a worker that died before its attempt was taken back
            self.shown[attempt][kind] += value
            self._working_on(attempt)
            self.reporter.suite_advance(value, trained=kind == STEPS_TRAINED)
        elif kind == RECIPE:
            self.recipes[attempt] = value
        elif kind == UNIT_ENDED:
            if attempt in self.outcomes:
                self._unit_done(attempt, *self.outcomes.pop(attempt))
            else:
                self.ended.add(attempt)
        elif kind == UNIT_OUTCOME:
            lines, lane_lost, failed = value
            if lane_lost or attempt in self.ended:
                self.ended.discard(attempt)
                self._unit_done(attempt, lines, failed)
            else:
                self.outcomes[attempt] = (lines, failed)
        elif kind == "pid":
            self.on_pid(*value)
        elif kind == "cache-warning":
            warnings.warn(value, errors.CacheWarning, stacklevel=1)
        else:
            self.reporter.message(value)

    def _unit_done(self, attempt: int, lines: list[str], failed: tuple[str, int] | None) -> None:
        """A unit's outcome, then the suite's time left; a unit stopped by a Ctrl-C has no outcome
        lines, and a time left would read as if the suite were going on. A failed unit's steps not
        shown leave the suite's total; any its dead worker sends late are dropped."""
        if failed:
            recipe, steps = failed
            self.lost.add(attempt)
            self.reporter.runs_given_up([(recipe, steps - sum(self.shown.get(attempt, {}).values()))])
        if lines:
            self._say(lines)
            self.reporter.suite_time_left()

    def _say(self, lines: list[str]) -> None:
        for line in lines:
            self.reporter.message(line)


class _WorkerQueueReader:
    """A thread that moves one worker's events from its queue onto the relay's."""

    def __init__(self, worker_queue, events: queue_mod.Queue):
        self.queue, self.events, self.ending = worker_queue, events, threading.Event()
        self.thread = threading.Thread(target=self._read, name="ganbench-worker-events", daemon=True)
        self.thread.start()

    def _read(self) -> None:
        while True:
            try:
                self.events.put(self.queue.get(timeout=0.1))
            except queue_mod.Empty:
                if self.ending.is_set():
                    return

    def retire(self) -> None:
        """Its worker died: read what it sent, then stop; not waited for, since a worker killed
        in the middle of a write leaves a message this thread would wait on for ever."""
        self.ending.set()

    def finish(self) -> None:
        """Its worker has exited: read all it sent, then stop."""
        self.ending.set()
        self.thread.join()
