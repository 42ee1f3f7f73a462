"""Turn SIGINT/SIGTERM (and a hangup) into a flag the training loop checks between steps.

Stopping between steps (never inside one) means the checkpoint written on the way out holds a
consistent state, so ``--resume`` ends with the same bits as a run that was never stopped.
"""

from __future__ import annotations

import errno
import os
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
        self.summary = (
            f"interrupted: {finished} of {runs} runs finished; every run in training wrote a checkpoint "
            "(one stopped while being scored is scored on --resume)"
        )
        Exception.__init__(self, f"{self.summary}; re-run the same command with --resume to complete the rest")
        self.step, self.checkpoint, self.run = None, None, None


class ScoringStopped(Interrupted):
    """A ``run --jobs`` lane's scoring stopped on a signal; the run is trained, and ``--resume``
    scores it."""

    def __init__(self) -> None:
        self.summary = "stopped while being scored; --resume scores it"
        Exception.__init__(self, self.summary)
        self.step, self.checkpoint, self.run = None, None, None


# Set by a parent that trains runs in its other threads (run --jobs), and by a --jobs worker told to
# stop: the signal reaches the main thread, and training in any thread stops at its next step as if
# the signal had reached it; scoring stops at its next batch (stop_scoring_if_requested).
STOP_REQUESTED = threading.Event()


def stop_scoring_if_requested() -> None:
    """Called between the batches of every scoring pass (drawing samples, translating test images,
    the evaluator's and torch-fidelity's feature passes): where a stop was requested, scoring ends
    there, with nothing written. Elsewhere a signal's own KeyboardInterrupt stops scoring; a
    ``run --jobs`` lane scores in a thread or a worker that the signal does not interrupt."""
    if STOP_REQUESTED.is_set():
        raise ScoringStopped()


def stop_signals() -> tuple[int, ...]:
    """The signals that stop training at its next step: Ctrl-C, SIGTERM, and a hangup (the terminal
    or ssh connection closed) unless the process was started to ignore it, as ``nohup`` starts one."""
    hangup = getattr(signal, "SIGHUP", None)  # none on Windows
    if hangup is None or signal.getsignal(hangup) == signal.SIG_IGN:
        return (signal.SIGINT, signal.SIGTERM)
    return (signal.SIGINT, signal.SIGTERM, hangup)


def silence_a_hung_up_terminal() -> None:
    """Point stdout and stderr at /dev/null where they were a terminal that has hung up: every
    write there fails with EIO, which would end the checkpointed run's way out in a traceback. A log
    file, a pipe or a terminal still there is left as it is."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for fd in (1, 2):
            try:
                os.ttyname(fd)
            except OSError as e:
                if e.errno == errno.EIO:  # a terminal, hung up (anything else: ENOTTY, EBADF)
                    os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def on_stop_signal(signum: int) -> None:
    """What every stop-signal handler does first: after a hangup, nothing can be shown any more."""
    if signum == getattr(signal, "SIGHUP", None):
        silence_a_hung_up_terminal()


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
        on_stop_signal(signum)
        if flag.signal is not None:  # a second Ctrl-C: stop at once
            raise KeyboardInterrupt
        flag.signal = signum

    previous = {s: signal.signal(s, handler) for s in stop_signals()}
    try:
        yield flag
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
