"""Progress display: a rich bar with ETA and live losses, or a quiet one-line-per-run log.

Given a suite's steps (by recipe, or in all), both also track the whole suite: the rich display
adds a suite bar, the quiet log prints the time left after each run. Both take that time from one
``SuiteClock``, which reckons it recipe by recipe, the time runs spend being scored included."""

from __future__ import annotations

import time
from collections import Counter
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
    """The time a suite has left, reckoned recipe by recipe, since one recipe's step may cost a
    hundred of another's. The seconds from one report of steps trained to the next (training, and
    scoring after a run's last steps) go to the recipes of the first report's steps, shared equally
    between the runs that reported them together; those from a run's start (:meth:`begin_run`:
    its loading) to its first steps, to its own. The time left sums, over the recipes with steps
    still to train, those steps times the recipe's seconds per step so far. A recipe with none of
    its steps timed has no estimate: :meth:`untimed` names it. Steps found done (a complete run
    skipped, a resumed run's first steps) count toward a recipe's total, not its rate; steps a
    failed run will not train (:meth:`runs_given_up`) leave it. Given a total alone, not steps by
    recipe, the suite is timed as one recipe.

    Reports by the same runs' recipes in a row (a run's every step) only count steps: their seconds
    are shared out, all at once, when other runs report or a run begins, so a training step reads
    no clock here."""

    def __init__(self, total: int | dict[str, int], now: Callable[[], float] = time.monotonic):
        self.by_recipe = isinstance(total, dict)
        self.planned: dict[str | None, int] = dict(total) if self.by_recipe else {None: total}
        self.now = now
        self.counted_by: Counter = Counter()
        self.timed_by: Counter = Counter()
        self.seconds: Counter = Counter()
        # the recipes of the runs that reported last (one entry per run), and since when the
        # seconds not yet shared out are theirs
        self.last_runs: list[str | None] = []
        self.last = now()
        self.run_began = False
        self.unit_start = 0  # the steps counted toward the unit under way's recipe when it began

    def _key(self, recipe: str | None) -> str | None:
        return recipe if self.by_recipe else None

    def found_done(self, steps: int, recipe: str | None = None) -> None:
        self.counted_by[self._key(recipe)] += steps

    def runs_given_up(self, runs: list[tuple[str | None, int]]) -> None:
        """Steps the suite will not train (failed runs' rest), (recipe, steps) for each run: they
        leave its recipe's total and the suite's, never below the steps counted."""
        for recipe, steps in runs:
            key = self._key(recipe)
            if steps > 0 and key in self.planned:
                self.planned[key] = max(self.planned[key] - steps, self.counted_by[key])

    def unit_began(self, recipe: str | None) -> None:
        """A run, or a seed group, of ``recipe`` begins in this lane (see :meth:`unit_failed`)."""
        self.unit_start = self.counted_by[self._key(recipe)]

    def unit_failed(self, steps: int, recipe: str | None) -> None:
        """The unit begun last (:meth:`unit_began`) failed: of its ``steps``, every run's, those not
        counted since it began are given up."""
        self.runs_given_up([(recipe, steps - (self.counted_by[self._key(recipe)] - self.unit_start))])

    def trained(self, steps: int, recipe: str | None = None) -> None:
        self.runs_trained([(recipe, steps)])

    def runs_trained(self, runs: list[tuple[str | None, int]]) -> None:
        """Steps reported together by several runs: (recipe, steps) for each."""
        runs = [(self._key(recipe), steps) for recipe, steps in runs if steps]
        recipes = [recipe for recipe, _ in runs]
        if recipes and (self.run_began or recipes != self.last_runs):
            self._share_out(recipes if self.run_began or not self.last_runs else self.last_runs)
            self.last_runs, self.run_began = recipes, False
        for recipe, steps in runs:
            self.counted_by[recipe] += steps
            self.timed_by[recipe] += steps

    def begin_run(self) -> None:
        """A run begins in this lane: the seconds since the last steps reported (their run's scoring)
        go to those steps' recipes, and the new run's first steps get the seconds from here."""
        if self.last_runs:
            self._share_out(self.last_runs)
            self.run_began = True

    def _share_out(self, runs: list[str | None]) -> None:
        now = self.now()  # read once: no time falls between two readings
        self.seconds.update(_shares(runs, now - self.last))
        self.last = now

    @property
    def total(self) -> int:
        """The suite's steps: every recipe's planned, less those given up."""
        return sum(self.planned.values())

    @property
    def counted(self) -> int:
        """The steps done, trained or found done."""
        return sum(self.counted_by.values())

    @property
    def timed(self) -> int:
        """The steps trained here, which the time left is reckoned from."""
        return sum(self.timed_by.values())

    def untimed(self) -> list[str]:
        """The recipes with steps left and none of theirs timed, which the time left leaves out."""
        return [
            r
            for r, steps in self.planned.items()
            if r is not None and self.timed_by[r] <= 0 < steps - self.counted_by[r]
        ]

    def left(self) -> float | None:
        """Seconds left for the timed recipes, the seconds since the last report counting toward
        its recipes; None until a step has been timed."""
        if not self.last_runs:
            return None
        seconds = self.seconds + _shares(self.last_runs, self.now() - self.last)
        return sum(
            (seconds[r] / self.timed_by[r]) * max(steps - self.counted_by[r], 0)
            for r, steps in self.planned.items()
            if self.timed_by[r] > 0
        )


def _shares(runs: list[str | None], seconds: float) -> Counter:
    """``seconds`` shared equally between ``runs``, by their recipes."""
    share, shares = seconds / len(runs), Counter()
    for recipe in runs:
        shares[recipe] += share
    return shares


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
        shown = str(timedelta(seconds=round(left)))  # H:MM:SS, as rich writes it
        more = "+" if clock.untimed() else ""  # recipes not timed yet add their time to this
        return Text(shown + more, style="progress.remaining")


class Reporter:
    """Silent base: the engine calls these hooks; subclasses decide what to show."""

    def working_on(self, recipe: str) -> None:
        """The recipe of the runs the hooks that follow are about, until the next call: a suite's
        time left is reckoned recipe by recipe. In the lane a unit (a run, or a seed group) trains
        in, called as it begins."""

    def unit_failed(self, steps: int) -> None:
        """In its lane: the unit begun at the last :meth:`working_on` failed. Of its ``steps``
        (every run's), those not reported since will not be trained: they leave the suite's total."""

    def runs_given_up(self, runs: list[tuple[str, int]]) -> None:
        """Steps that failed runs shown elsewhere (other workers) will not train, (recipe, steps)
        for each: they leave the suite's total."""

    def run_started(self, label: str, total: int, done: int, runs: int = 1) -> None: ...
    def runs_dispatched(self, label: str, runs: int) -> None:
        """Runs handed to workers that report nothing while they train (Ray tasks): from here
        :meth:`advance` counts runs ended, not steps."""

    def advance(self) -> None: ...
    def suite_advance(self, steps: int, trained: bool = True) -> None:
        """Steps of runs shown elsewhere (other workers): trained now, or found done (a resumed
        run's first steps, a complete run), which count toward the total, not the rate."""

    def runs_advanced(self, runs: list[tuple[str, int]]) -> None:
        """Steps trained by several runs shown elsewhere, read together (Ray's tasks, from their run
        directories): (recipe, steps) for each run."""
        self.suite_advance(sum(steps for _, steps in runs))

    def suite_time_left(self) -> None: ...  # a run shown elsewhere ended: a log says the time left
    def run_skipped(self, label: str, steps: int) -> None: ...
    def losses(self, values: dict) -> None: ...
    def scoring(self, label: str) -> None: ...  # the run is being scored, after training or on its own
    def run_finished(self, label: str, summary: str) -> None: ...
    def message(self, text: str) -> None: ...


class RichReporter(Reporter):
    """One bar per run; with ``suite_steps`` (the suite's steps, or its steps by recipe, which
    times each recipe's steps apart: SuiteClock), a suite bar over every run's steps on top."""

    def __init__(
        self,
        console: Console | None = None,
        suite_steps: int | dict[str, int] | None = None,
        now: Callable[[], float] = time.monotonic,
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
            self.progress.add_task("suite (steps)", total=self.clock.total, losses="", clock=self.clock)
            if self.clock
            else None
        )
        self.task, self.label = None, None
        self.scored_alone = None  # the bar of a run being scored with no training bar of its own
        self.weight, self.recipe = 1, None

    def __enter__(self):  # the bars appear with the first run, not before a refusal
        return self

    def __exit__(self, *exc):
        if self.progress.live.is_started:
            self.progress.stop()

    def _suite(self, steps: int, trained: bool) -> None:
        if self.suite_task is not None and steps:
            (self.clock.trained if trained else self.clock.found_done)(steps, self.recipe)
            self.progress.advance(self.suite_task, steps)

    def working_on(self, recipe):
        self.recipe = recipe
        if self.clock:
            self.clock.unit_began(recipe)

    def unit_failed(self, steps):
        if self.clock:
            self.clock.unit_failed(steps, self.recipe)
            self.progress.update(self.suite_task, total=self.clock.total)

    def runs_given_up(self, runs):
        if self.clock:
            self.clock.runs_given_up(runs)
            self.progress.update(self.suite_task, total=self.clock.total)

    def run_started(self, label, total, done, runs=1):
        self.progress.start()
        if self.clock:
            self.clock.begin_run()
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

    def runs_advanced(self, runs):
        self.progress.start()
        if self.suite_task is not None:
            self.clock.runs_trained(runs)
            self.progress.advance(self.suite_task, sum(steps for _, steps in runs))

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
        self,
        console: Console | None = None,
        suite_steps: int | dict[str, int] | None = None,
        now: Callable[[], float] = time.monotonic,
    ):
        self.console = console or Console(stderr=True, markup=False)
        self.clock = SuiteClock(suite_steps or 0, now)
        self.weight, self.recipe = 1, None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def run_started(self, label, total, done, runs=1):
        resumed = f" (resuming at step {done})" if done else ""
        self.console.print(f"{label}: {total} steps{resumed}")
        self.weight = runs
        self.clock.begin_run()
        self.clock.found_done(done * runs, self.recipe)

    def runs_dispatched(self, label, runs):
        self.console.print(label)
        self.weight = 0  # advance() counts runs; their steps reach the clock as suite_advance

    def working_on(self, recipe):
        self.recipe = recipe
        self.clock.unit_began(recipe)

    def unit_failed(self, steps):
        self.clock.unit_failed(steps, self.recipe)

    def runs_given_up(self, runs):
        self.clock.runs_given_up(runs)

    def advance(self):
        self.clock.trained(self.weight, self.recipe)

    def run_skipped(self, label, steps):
        self.clock.found_done(steps, self.recipe)

    def suite_advance(self, steps, trained=True):
        (self.clock.trained if trained else self.clock.found_done)(steps, self.recipe)

    def runs_advanced(self, runs):
        self.clock.runs_trained(runs)

    def scoring(self, label):
        self.console.print(f"{label}: scoring")

    def run_finished(self, label, summary):
        self.console.print(f"{label}: done. {summary}")
        self.suite_time_left()

    def suite_time_left(self):
        left = self.clock.left() if self.clock.total else None
        if left is not None:
            self.console.print(
                f"suite: {self.clock.counted:,} of {self.clock.total:,} steps done, about {_duration(left)} left"
                + _not_timed(self.clock.untimed()),
                highlight=False,
            )

    def message(self, text):
        self.console.print(text)


def _not_timed(recipes: list[str], named: int = 3) -> str:
    if not recipes:
        return ""
    more = f" and {len(recipes) - named} more" if len(recipes) > named else ""
    return f", more for {len(recipes)} recipe{'s' * (len(recipes) != 1)} not timed yet ({', '.join(recipes[:named])}{more})"


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"
