"""The steps of runs that train where no reporter reaches (Ray tasks), read from their run
directories: each run's last logged step, the last whole row of its timing.csv. The Ray driver
turns the changes into the suite bar's steps and the time the suite has left."""

from __future__ import annotations

from pathlib import Path

TAIL_BYTES = 256  # timing.csv rows are "<step>,<seconds>": a few whole rows fit


def logged_step(timing: Path) -> int:
    """The step of ``timing``'s last whole row; 0 where the file is missing or has no row yet. A
    row being appended (no newline yet) is not read."""
    try:
        with open(timing, "rb") as f:
            size = f.seek(0, 2)
            start = max(0, size - TAIL_BYTES)
            f.seek(start)
            lines = f.read().split(b"\n")[:-1]  # what follows the last newline is not whole
    except OSError:
        return 0
    if start:  # the first line may begin mid-row
        lines = lines[1:]
    for line in reversed(lines):
        step = line.split(b",", 1)[0]
        if step.isdigit():
            return int(step)
    return 0


class FollowedSteps:
    """Each run's steps as last seen in its run directory; the changes since are what the suite's
    display counts. A resumed run drops the rows logged after its checkpoint: those found before
    any task began are taken back from the steps found done, those trained since from the steps
    trained (a task retried after its worker was lost)."""

    def __init__(self, timings: list[Path], totals: list[int]):
        self.timings, self.totals = timings, totals
        self.seen = [logged_step(t) for t in timings]
        self.found_left = list(self.seen)  # of each run's rows found at the start, those not dropped
        self.ended: set[int] = set()  # runs whose task ended: not read again

    def found(self) -> dict[int, int]:
        """The steps logged before any task began, by run (its index), where there are any: runs
        complete, or begun by an earlier suite run."""
        return {i: steps for i, steps in enumerate(self.seen) if steps}

    def look(self) -> tuple[dict[int, int], dict[int, int]]:
        """The changes since the last look, by run (its index), where there are any: (steps
        trained, steps found done taken back, which are negative). A run whose task ended is not
        read again: a suite of hundreds of runs reads only those still to end."""
        trained: dict[int, int] = {}
        taken_back: dict[int, int] = {}
        for i, timing in enumerate(self.timings):
            if i in self.ended:
                continue
            now = logged_step(timing)
            change, self.seen[i] = now - self.seen[i], now
            if change < 0:
                back = min(-change, self.found_left[i])
                self.found_left[i] -= back
                change += back
                if back:
                    taken_back[i] = -back
            if change:
                trained[i] = change
        return trained, taken_back

    def finished(self, i: int) -> int:
        """Run ``i`` finished: the steps it logged since the last look, to its total."""
        self.stopped(i)
        change, self.seen[i] = self.totals[i] - self.seen[i], self.totals[i]
        return change

    def not_shown(self, i: int) -> int:
        """Run ``i``'s steps not counted yet: those it has left, and any logged since the last look."""
        return self.totals[i] - self.seen[i]

    def stopped(self, i: int) -> None:
        """Run ``i``'s task ended (finished, failed or stopped): its file is not read again."""
        self.ended.add(i)
