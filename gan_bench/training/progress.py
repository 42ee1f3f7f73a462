"""Progress display: a rich bar with ETA and live losses, or a quiet one-line-per-run log.

Given a suite's total step count, both also track the whole suite: the rich display adds a suite
bar whose ETA comes from the steps timed so far; the quiet log prints the remaining estimate after
each run."""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

SHOWN = ("d_loss", "g_loss", "d_real", "d_fake")


def _losses(values: dict) -> str:
    return "  ".join(f"{k} {values[k]:.3f}" for k in SHOWN if k in values)


class Reporter:
    """Silent base: the engine calls these hooks; subclasses decide what to show."""

    def run_started(self, label: str, total: int, done: int, runs: int = 1) -> None: ...
    def advance(self) -> None: ...
    def suite_advance(self, steps: int) -> None: ...  # steps of runs shown elsewhere (other workers)
    def run_skipped(self, label: str, steps: int) -> None: ...
    def losses(self, values: dict) -> None: ...
    def scoring(self, label: str) -> None: ...  # the run is being scored, after training or on its own
    def run_finished(self, label: str, summary: str) -> None: ...
    def message(self, text: str) -> None: ...


class RichReporter(Reporter):
    """One bar per run; with ``suite_steps``, a suite bar over every run's steps on top."""

    def __init__(self, console: Console | None = None, suite_steps: int | None = None):
        self.console = console or Console(stderr=True, markup=False)
        self.progress = Progress(
            TextColumn("{task.description}", style="bold", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[losses]}", markup=False),
            console=self.console,
            transient=False,
        )
        self.suite_task = self.progress.add_task("suite (steps)", total=suite_steps, losses="") if suite_steps else None
        self.task, self.label = None, None
        self.scored_alone = None  # the bar of a run being scored with no training bar of its own
        self.weight = 1

    def __enter__(self):
        self.progress.start()
        return self

    def __exit__(self, *exc):
        self.progress.stop()

    def _suite(self, steps: int) -> None:
        if self.suite_task is not None and steps:
            self.progress.advance(self.suite_task, steps)

    def run_started(self, label, total, done, runs=1):
        self.task, self.label = self.progress.add_task(label, total=total, completed=done, losses=""), label
        self.weight = runs
        self._suite(done * runs)

    def advance(self):
        self.progress.advance(self.task)
        self._suite(self.weight)

    def run_skipped(self, label, steps):
        self._suite(steps)

    def suite_advance(self, steps):
        self._suite(steps)

    def losses(self, values):
        self.progress.update(self.task, losses=_losses(values))

    def scoring(self, label):
        if self.label != label:  # scored on its own: a bar of one run to score
            self.task, self.label = self.progress.add_task(label, total=1, losses=""), label
            self.scored_alone = self.task
        self.progress.update(self.task, losses="scoring")

    def run_finished(self, label, summary):
        done = {"completed": 1} if self.task == self.scored_alone else {}  # a training bar keeps its steps
        self.progress.update(self.task, losses=summary, **done)

    def message(self, text):
        self.progress.console.print(text)


class QuietReporter(Reporter):
    """For CI logs: one line when a run starts and one when it ends."""

    def __init__(self, console: Console | None = None, suite_steps: int | None = None):
        self.console = console or Console(stderr=True, markup=False)
        self.suite_steps, self.counted, self.timed, self.weight = suite_steps, 0, 0, 1
        self.clock = time.monotonic()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def run_started(self, label, total, done, runs=1):
        resumed = f" (resuming at step {done})" if done else ""
        self.console.print(f"{label}: {total} steps{resumed}")
        self.weight, self.counted = runs, self.counted + done * runs

    def advance(self):
        self.counted += self.weight
        self.timed += self.weight

    def run_skipped(self, label, steps):
        self.counted += steps

    def suite_advance(self, steps):
        self.counted += steps
        self.timed += steps

    def scoring(self, label):
        self.console.print(f"{label}: scoring")

    def run_finished(self, label, summary):
        self.console.print(f"{label}: done. {summary}")
        if self.suite_steps and self.timed:
            left = (time.monotonic() - self.clock) / self.timed * max(self.suite_steps - self.counted, 0)
            self.console.print(
                f"suite: {self.counted:,} of {self.suite_steps:,} steps done, about {_duration(left)} left",
                highlight=False,
            )

    def message(self, text):
        self.console.print(text)


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"
