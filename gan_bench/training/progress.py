"""Progress display: a rich bar with ETA and live losses, or a quiet one-line-per-run log.

Given a suite's total step count, both also track the whole suite: the rich display adds a suite
bar, the quiet log prints the time left after each run. Both take that time from one ``SuiteClock``,
whose rate includes the time runs spend being scored."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Column
from rich.text import Text

SHOWN = ("d_loss", "g_loss", "d_real", "d_fake")


def _losses(values: dict) -> str:
    return "  ".join(f"{k} {values[k]:.3f}" for k in SHOWN if k in values)


class SuiteClock:
    """The time a suite has left, at its average so far: the seconds since it started (loading,
    training and scoring alike) per step trained here, times the steps still to train. Steps found
    done (a complete run skipped, a resumed run's first steps) count toward the total, not the rate."""

    def __init__(self, total: int, now: Callable[[], float] = time.monotonic):
        self.total, self.counted, self.timed, self.now = total, 0, 0, now
        self.start = now()

    def found_done(self, steps: int) -> None:
        self.counted += steps

    def trained(self, steps: int) -> None:
        self.counted += steps
        self.timed += steps

    def left(self) -> float | None:
        """Seconds left; None until a step has been timed."""
        if not self.timed:
            return None
        return (self.now() - self.start) / self.timed * max(self.total - self.counted, 0)


class _TimeLeft(TimeRemainingColumn):
    """A run's bar: rich's estimate from the rate of its steps. The suite bar: its SuiteClock's,
    which rich's recent-steps rate would miss the scoring pauses of."""

    def render(self, task):
        clock = task.fields.get("clock")
        if clock is None:
            return super().render(task)
        left = clock.left()
        if left is None:
            return Text("-:--:--", style="progress.remaining")
        return Text(str(timedelta(seconds=round(left))), style="progress.remaining")  # H:MM:SS, as rich writes it


class Reporter:
    """Silent base: the engine calls these hooks; subclasses decide what to show."""

    def run_started(self, label: str, total: int, done: int, runs: int = 1) -> None: ...
    def runs_dispatched(self, label: str, runs: int) -> None:
        """Runs handed to workers that report nothing while they train (Ray tasks): from here
        :meth:`advance` counts runs ended, not steps."""

    def advance(self) -> None: ...
    def suite_advance(self, steps: int, trained: bool = True) -> None:
        """Steps of runs shown elsewhere (other workers): trained now, or found done (a resumed
        run's first steps, a complete run), which count toward the total, not the rate."""

    def suite_time_left(self) -> None: ...  # a run shown elsewhere ended: a log says the time left
    def run_skipped(self, label: str, steps: int) -> None: ...
    def losses(self, values: dict) -> None: ...
    def scoring(self, label: str) -> None: ...  # the run is being scored, after training or on its own
    def run_finished(self, label: str, summary: str) -> None: ...
    def message(self, text: str) -> None: ...


class RichReporter(Reporter):
    """One bar per run; with ``suite_steps``, a suite bar over every run's steps on top."""

    def __init__(
        self, console: Console | None = None, suite_steps: int | None = None, now: Callable[[], float] = time.monotonic
    ):
        self.console = console or Console(stderr=True, markup=False)
        # In a terminal the line spans its width and the losses or summary text, last, is what gets
        # cut short ("…"): the run's name, bar, count and times always show. A log gets whole lines.
        self.progress = Progress(
            TextColumn("{task.description}", style="bold", markup=False, table_column=Column(no_wrap=True)),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("eta"),
            _TimeLeft(),
            TextColumn(
                "{task.fields[losses]}",
                markup=False,
                table_column=Column(no_wrap=True, overflow="ellipsis", ratio=1),
            ),
            console=self.console,
            transient=False,
            expand=self.console.is_terminal,
        )
        self.clock = SuiteClock(suite_steps, now) if suite_steps else None
        self.suite_task = (
            self.progress.add_task("suite (steps)", total=suite_steps, losses="", clock=self.clock)
            if suite_steps
            else None
        )
        self.task, self.label = None, None
        self.scored_alone = None  # the bar of a run being scored with no training bar of its own
        self.weight = 1

    def __enter__(self):  # the bars appear with the first run, not before a refusal
        return self

    def __exit__(self, *exc):
        if self.progress.live.is_started:
            self.progress.stop()

    def _suite(self, steps: int, trained: bool) -> None:
        if self.suite_task is not None and steps:
            (self.clock.trained if trained else self.clock.found_done)(steps)
            self.progress.advance(self.suite_task, steps)

    def run_started(self, label, total, done, runs=1):
        self.progress.start()
        self.task, self.label = self.progress.add_task(label, total=total, completed=done, losses=""), label
        self.weight = runs
        self._suite(done * runs, trained=False)

    def runs_dispatched(self, label, runs):
        self.progress.start()
        self.task, self.label = self.progress.add_task(label, total=runs, losses=""), label
        self.weight = 0  # advance() counts runs; their steps reach the suite bar as suite_advance

    def advance(self):
        self.progress.advance(self.task)
        self._suite(self.weight, trained=True)

    def run_skipped(self, label, steps):
        self.progress.start()  # a no-op once started; kept off advance(), which runs every step
        self._suite(steps, trained=False)

    def suite_advance(self, steps, trained=True):
        self.progress.start()
        self._suite(steps, trained=trained)

    def losses(self, values):
        self.progress.update(self.task, losses=_losses(values))

    def scoring(self, label):
        self.progress.start()
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

    def __init__(
        self, console: Console | None = None, suite_steps: int | None = None, now: Callable[[], float] = time.monotonic
    ):
        self.console = console or Console(stderr=True, markup=False)
        self.clock = SuiteClock(suite_steps or 0, now)
        self.weight = 1

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def run_started(self, label, total, done, runs=1):
        resumed = f" (resuming at step {done})" if done else ""
        self.console.print(f"{label}: {total} steps{resumed}")
        self.weight = runs
        self.clock.found_done(done * runs)

    def runs_dispatched(self, label, runs):
        self.console.print(label)
        self.weight = 0  # advance() counts runs; their steps reach the clock as suite_advance

    def advance(self):
        self.clock.trained(self.weight)

    def run_skipped(self, label, steps):
        self.clock.found_done(steps)

    def suite_advance(self, steps, trained=True):
        (self.clock.trained if trained else self.clock.found_done)(steps)

    def scoring(self, label):
        self.console.print(f"{label}: scoring")

    def run_finished(self, label, summary):
        self.console.print(f"{label}: done. {summary}")
        self.suite_time_left()

    def suite_time_left(self):
        left = self.clock.left() if self.clock.total else None
        if left is not None:
            self.console.print(
                f"suite: {self.clock.counted:,} of {self.clock.total:,} steps done, about {_duration(left)} left",
                highlight=False,
            )

    def message(self, text):
        self.console.print(text)


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"
