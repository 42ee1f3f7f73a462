"""history.csv and timing.csv: per-step scalars accumulated on the device, flushed in blocks.

The inner loop only adds each step's scalar vector to a device accumulator. At a log step the
mean over the interval is stacked on a device list; ``flush`` moves all pending rows to the
host at once (one sync) and appends them to the CSV files.
"""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import torch

from gan_bench.errors import PluginError
from gan_bench.rundir import atomic


def _fmt(value: float) -> str:
    return repr(float(value))


class History:
    def __init__(
        self, path: Path, timing_path: Path, columns: tuple[str, ...], steps_per_epoch: float, device: torch.device
    ):
        self.path, self.timing_path = Path(path), Path(timing_path)
        self.columns, self.steps_per_epoch = columns, steps_per_epoch
        self.sum = torch.zeros(len(columns), device=device)
        self.count = 0
        self.pending: list[tuple[int, torch.Tensor, float]] = []
        self.elapsed_before = 0.0  # wall time this run spent before it was last resumed
        self.started = time.perf_counter()
        self.last: dict[str, float] = {}
        self.checked = False

    def header(self) -> list[str]:
        return ["step", "epoch", *self.columns]

    def start(self) -> None:
        atomic.write_text(self.path, ",".join(self.header()) + "\n")
        atomic.write_text(self.timing_path, "step,wall_time_s\n")

    def row(self, outputs: dict[str, torch.Tensor]) -> torch.Tensor:
        """A step's named scalars as one tensor in column order (per seed: [columns, seeds])."""
        if not self.checked and set(outputs) != set(self.columns):  # the first step is checked in full
            raise PluginError(
                f"train_step returned {', '.join(sorted(outputs))}; its system's scalars are "
                f"{', '.join(self.columns)}: return exactly those names"
            )
        self.checked = True
        return torch.stack([outputs[c] for c in self.columns])

    def add(self, outputs: dict[str, torch.Tensor] | torch.Tensor) -> None:
        """Accumulate one step: its named scalars, or a row already in column order."""
        self.sum += self.row(outputs) if isinstance(outputs, dict) else outputs
        self.count += 1

    def log(self, step: int) -> None:
        self.pending.append((step, self.sum / self.count, self.wall_time()))
        self.sum = torch.zeros_like(self.sum)
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
        return {"sum": self.sum.cpu(), "count": self.count, "wall_time": self.wall_time()}

    def resume(self, state: dict, step: int) -> None:
        """Keep the rows up to ``step`` (later ones came after the checkpoint) and the accumulator. A
        last line without its newline was cut short by a kill mid-append and is dropped."""
        self.sum = state["sum"].to(self.sum.device)
        self.count = state["count"]
        self.elapsed_before = state["wall_time"]
        self.started = time.perf_counter()
        for path in (self.path, self.timing_path):
            text = path.read_text()
            rows = list(csv.reader(io.StringIO(text[: text.rfind("\n") + 1])))
            kept = [rows[0]] + [r for r in rows[1:] if r and int(r[0]) <= step]
            atomic.write_text(path, "".join(",".join(r) + "\n" for r in kept))
