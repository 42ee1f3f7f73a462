"""Atomic checkpoint files: the full training state, or G's weights alone."""

from __future__ import annotations

import io
from pathlib import Path

import torch

from gan_bench.errors import RunDirError
from gan_bench.rundir import atomic
from gan_bench.rundir.layout import RunDir
from gan_bench.torch_files import UnreadableTorchFile, load_tensors


def save(path: Path, state: dict) -> None:
    buffer = io.BytesIO()
    torch.save(state, buffer)
    atomic.write_bytes(path, buffer.getvalue())


def load(path: Path) -> dict:
    try:
        return load_tensors(path)
    except UnreadableTorchFile as e:  # a truncated or foreign file: say which, and what to do
        raise RunDirError(
            f"{path}: cannot read checkpoint ({e}); "
            f"delete it to restart the run from its previous checkpoint or from scratch"
        ) from None


def start_of(run: RunDir) -> int | str | None:
    """Where ``run`` would start: "complete", the step of its last checkpoint, 0 with none, or None
    where that checkpoint cannot be read (the run then trains alone, which sets it aside and says so)."""
    if run.last_checkpoint.is_file():
        try:
            return load(run.last_checkpoint)["step"]
        except (RunDirError, KeyError, TypeError):
            return None
    return "complete" if run.final_checkpoint.is_file() else 0


def g_snapshots(run: RunDir, G: torch.nn.Module):
    """Load each of the run's G snapshots into ``G`` in step order; yield its step. A snapshot that
    names another run's spec (copied from another seed's folder, say) is refused; one written
    before snapshots named their run names none."""
    own = None  # the run's spec_hash, read once a snapshot names one
    for _, path in run.g_snapshots():
        state = load(path)
        if "spec_hash" in state:
            own = own or run.read_spec().get("spec_hash")
        if state.get("spec_hash", own) != own:
            raise RunDirError(
                f"{path}: a G snapshot of another run (its spec_hash is not {run.spec}'s); "
                "delete it, or put back this run's own"
            )
        G.load_state_dict(state["G"])
        yield state["step"]
