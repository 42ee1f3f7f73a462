"""history.csv and timing.csv: per-step scalars accumulated on the device, flushed in blocks.

The inner loop only adds each step's scalar vector to a device accumulator. At a log step the
mean over the interval is stacked on a device list; ``flush`` moves all pending rows to the
host at once (one sync) and appends them to the CSV files.

The accumulator also keeps the sum of squares (one fused kernel a step), and for the scalars the
verdict reads (MOMENTS) each row carries ``<name>_sd``: the per-step standard deviation within the interval. With the
row's mean it gives the per-step variance over any window of rows, so the diagnostics see the
same swing whatever the logging interval (metrics/diagnostics.py).
"""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import torch

from gan_bench.errors import PluginError
from gan_bench.rundir import atomic
from gan_bench.rundir.layout import MOMENTS, SD
from gan_bench.variants.system import step_problem


def _fmt(value: float) -> str:
    return repr(float(value))


class History:
    def __init__(
        self, path: Path, timing_path: Path, columns: tuple[str, ...], steps_per_epoch: float, device: torch.device
    ):
        self.path, self.timing_path = Path(path), Path(timing_path)
        self.columns, self.steps_per_epoch = columns, steps_per_epoch
        self.moments = [c for c in MOMENTS if c in columns]
        self.moment_index = torch.tensor([columns.index(c) for c in self.moments], dtype=torch.long, device=device)
        self.sum = torch.zeros(len(columns), device=device)
        self.sumsq = torch.zeros(len(columns), device=device)
        self.count = 0
        self.pending: list[tuple[int, torch.Tensor, float]] = []
        self.elapsed_before = 0.0  # wall time this run spent before it was last resumed
        self.started = time.perf_counter()
        self.last: dict[str, float] = {}
        self.checked = False

    def header(self) -> list[str]:
        return ["step", "epoch", *self.columns, *(c + SD for c in self.moments)]

    def start(self) -> None:
        atomic.write_text(self.path, ",".join(self.header()) + "\n")
        atomic.write_text(self.timing_path, "step,wall_time_s\n")

    def row(self, outputs: dict[str, torch.Tensor]) -> torch.Tensor:
        """A step's named scalars as one tensor in column order (per seed: [columns, seeds])."""
        if not self.checked:  # the first step is checked in full
            problem = step_problem(outputs, tuple(self.columns))
            if problem:
                raise PluginError(problem)
        self.checked = True
        return torch.stack([outputs[c] for c in self.columns])

    def add(self, outputs: dict[str, torch.Tensor] | torch.Tensor) -> None:
        """Accumulate one step: its named scalars, or a row already in column order."""
        row = self.row(outputs) if isinstance(outputs, dict) else outputs
        self.sum += row
        self.sumsq.addcmul_(row, row)
        self.count += 1

    def log(self, step: int) -> None:
        mean = self.sum / self.count
        row = mean
        if self.moments:
            square = self.sumsq.index_select(0, self.moment_index) / self.count
            picked = mean.index_select(0, self.moment_index)
            sd = (square - picked * picked).clamp_min(0).sqrt()  # E[x²] − E[x]², never < 0
            row = torch.cat([mean, sd])
        self.pending.append((step, row, self.wall_time()))
        self.sum = torch.zeros_like(self.sum)
        self.sumsq = torch.zeros_like(self.sumsq)
        self.count = 0

    def wall_time(self) -> float:
        return self.elapsed_before + time.perf_counter() - self.started

    def flush(self) -> None:
        if not self.pending:
            return
        values = torch.stack([row for _, row, _ in self.pending]).cpu().tolist()
        rows, times = io.StringIO(), io.StringIO()
        for (step, _, wall), vals in zip(self.pending, values):
            epoch = round(step / self.steps_per_epoch, 4)
            rows.write(",".join([str(step), _fmt(epoch), *map(_fmt, vals)]) + "\n")
            times.write(f"{step},{wall:.3f}\n")
        atomic.append_together([(self.path, rows.getvalue()), (self.timing_path, times.getvalue())])
        self.last = {"step": self.pending[-1][0], **dict(zip(self.columns, values[-1]))}
        self.pending = []

    # -- resume ---------------------------------------------------------------------------
    def state_dict(self) -> dict:
        return {"sum": self.sum.cpu(), "sumsq": self.sumsq.cpu(), "count": self.count, "wall_time": self.wall_time()}

    def resume(self, state: dict, step: int) -> None:
        """Keep the rows up to ``step`` (later ones came after the checkpoint) and the accumulator. A
        last line without its newline was cut short by a kill mid-append and is dropped."""
        self.sum = state["sum"].to(self.sum.device)
        self.count = state["count"]
        if "sumsq" in state:
            self.sumsq = state["sumsq"].to(self.sumsq.device)
        else:  # a run begun before rows carried per-step spreads: it goes on without them
            self.moments = []
        self.elapsed_before = state["wall_time"]
        self.started = time.perf_counter()
        for path in (self.path, self.timing_path):
            text = path.read_text(encoding="utf-8")
            rows = list(csv.reader(io.StringIO(text[: text.rfind("\n") + 1])))
            kept = [rows[0]] + [r for r in rows[1:] if r and int(r[0]) <= step]
            atomic.write_text(path, "".join(",".join(r) + "\n" for r in kept))
