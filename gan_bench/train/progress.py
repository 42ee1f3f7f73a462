"""Progress display: a rich bar with ETA and live losses, or a quiet one-line-per-run log."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

SHOWN = ("d_loss", "g_loss", "d_real", "d_fake")


def _losses(values: dict) -> str:
    return "  ".join(f"{k} {values[k]:.3f}" for k in SHOWN if k in values)


class Reporter:
    """Silent base: the engine calls these hooks; subclasses decide what to show."""

    def run_started(self, label: str, total: int, done: int) -> None: ...
    def advance(self) -> None: ...
    def losses(self, values: dict) -> None: ...
    def run_finished(self, label: str, summary: str) -> None: ...
    def message(self, text: str) -> None: ...


class RichReporter(Reporter):
    def __init__(self, console: Console | None = None, runs: int = 1):
        self.console = console or Console(stderr=True)
        self.progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(), TextColumn("{task.fields[losses]}"),
            console=self.console, transient=False,
        )
        self.suite_task = self.progress.add_task("runs", total=runs, losses="") if runs > 1 else None
        self.task = None

    def __enter__(self):
        self.progress.start()
        return self

    def __exit__(self, *exc):
        self.progress.stop()

    def run_started(self, label, total, done):
        self.task = self.progress.add_task(label, total=total, completed=done, losses="")

    def advance(self):
        self.progress.advance(self.task)

    def losses(self, values):
        self.progress.update(self.task, losses=_losses(values))

    def run_finished(self, label, summary):
        self.progress.update(self.task, losses=summary)
        if self.suite_task is not None:
            self.progress.advance(self.suite_task)

    def message(self, text):
        self.progress.console.print(text)


class QuietReporter(Reporter):
    """For CI logs: one line when a run starts and one when it ends."""

    def __init__(self, console: Console | None = None):
        self.console = console or Console(stderr=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def run_started(self, label, total, done):
        resumed = f" (resuming at step {done})" if done else ""
        self.console.print(f"{label}: {total} steps{resumed}")

    def run_finished(self, label, summary):
        self.console.print(f"{label}: done. {summary}")

    def message(self, text):
        self.console.print(text)
