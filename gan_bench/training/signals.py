"""Turn SIGINT/SIGTERM into a flag the training loop checks between steps.

Stopping between steps (never inside one) means the checkpoint written on the way out holds a
consistent state, so ``--resume`` ends with the same bits as a run that was never stopped.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager

EXIT_INTERRUPTED = 130


class Interrupted(Exception):
    """Training stopped on a signal after writing a checkpoint."""

    ADVICE = "re-run the same command with --resume to continue"

    def __init__(self, step: int, checkpoint: str, run: str | None = None):
        self.summary = f"interrupted at step {step}; checkpoint written to {checkpoint}"
        super().__init__(f"{self.summary}; {self.ADVICE}")
        self.step, self.checkpoint, self.run = step, checkpoint, run  # run: the run directory stopped

    def advising(self, advice: str) -> Interrupted:
        """The same stop, with ``advice`` on how to continue (a suite run's own command)."""
        other = Exception.__new__(type(self))
        other.__dict__.update(self.__dict__)
        Exception.__init__(other, f"{self.summary}; {advice}")
        return other


class SuiteInterrupted(Interrupted):
    """Runs of a suite stopped on a signal (``run --jobs``): each in training wrote a checkpoint."""

    def __init__(self, finished: int, runs: int):
        self.summary = f"interrupted: {finished} of {runs} runs finished; every run in training wrote a checkpoint"
        Exception.__init__(self, f"{self.summary}; re-run the same command with --resume to complete the rest")
        self.step, self.checkpoint, self.run = None, None, None


# Set by a parent that trains runs in its other threads (run --jobs): the signal reaches the main
# thread, and training in any thread stops at its next step as if the signal had reached it.
STOP_REQUESTED = threading.Event()


class StopFlag:
    def __init__(self) -> None:
        self.signal: int | None = None

    def __bool__(self) -> bool:
        return self.signal is not None or STOP_REQUESTED.is_set()


@contextmanager
def stop_on_signals():
    flag = StopFlag()
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return

    def handler(signum, _frame):
        if flag.signal is not None:  # a second Ctrl-C: stop at once
            raise KeyboardInterrupt
        flag.signal = signum

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield flag
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
