"""Step-numbered files (sample grids, G snapshots) are read in step order, also past the seven
digits their names are padded to: step-10000000 comes after step-9999999, not before step-2000000."""

import pandas as pd
import torch

from gan_bench.reporting.plots import sample_grids
from gan_bench.rundir.layout import RunDir
from gan_bench.training import checkpoint

STEPS = [10_000_000, 2_000_000, 9_999_999, 30]


def _run(tmp_path) -> RunDir:
    run = RunDir(tmp_path / "run")
    run.samples.mkdir(parents=True)
    run.checkpoints.mkdir()
    for step in STEPS:
        run.sample_grid(step).write_bytes(f"grid {step}".encode())
        checkpoint.save(run.g_snapshot(step), {"G": {"weight": torch.full((1, 1), float(step))}, "step": step})
    (run.samples / "step-notes.png").write_bytes(b"not a grid")  # not step-numbered: left out
    return run


def test_listings_are_in_step_order(tmp_path):
    run = _run(tmp_path)
    assert [step for step, _ in run.sample_grids()] == sorted(STEPS)
    assert [step for step, _ in run.g_snapshots()] == sorted(STEPS)
    assert run.sample_grids()[-1][1].name == "step-10000000.png"
    assert RunDir(tmp_path / "none").g_snapshots() == []


def test_snapshots_load_in_step_order(tmp_path):
    run = _run(tmp_path)
    G = torch.nn.Linear(1, 1, bias=False)
    seen = [(step, G.weight.item()) for step in checkpoint.g_snapshots(run, G)]
    assert seen == [(step, float(step)) for step in sorted(STEPS)]


def test_report_shows_the_last_grid(tmp_path):
    run = _run(tmp_path)
    grids = sample_grids(pd.DataFrame({"recipe": ["r"], "seed": [0], "run": [str(run.root)]}))
    assert grids == {"r (seed 0, step-10000000)": b"grid 10000000"}
