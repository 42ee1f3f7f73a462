"""Verdicts on a labelled set of synthetic histories: written through the real History (so the
per-step spreads are the ones training writes), read back, judged."""

from __future__ import annotations

import math

import pytest
import torch

from gan_bench.metrics import diagnostics
from gan_bench.training.history import History
from gan_bench.variants.system import REQUIRED_SCALARS

STEPS = 5000


def written(tmp_path, log_every: int, scalars) -> dict:
    """Log ``scalars(step)`` (a dict of floats) every step through History at ``log_every``; the
    diagnostics' numbers of the history.csv it writes."""
    folder = tmp_path / f"every-{log_every}"
    folder.mkdir()
    h = History(folder / "history.csv", folder / "timing.csv", REQUIRED_SCALARS, 100.0, torch.device("cpu"))
    h.start()
    for s in range(1, STEPS + 1):
        h.add({k: torch.tensor(float(v)) for k, v in scalars(s).items()})
        if s % log_every == 0 or s == STEPS:
            h.log(s)
    h.flush()
    return diagnostics.history_numbers(diagnostics.read_history(folder / "history.csv"))


def steady(s: int, **over) -> dict:
    """A balanced run with a little step-to-step noise."""
    wobble = 0.02 * math.sin(s * 1.7)
    return {
        "d_loss": 1.38 + wobble,
        "g_loss": 0.70 + wobble,
        "d_real": 0.5 + wobble,
        "d_fake": 0.48 - wobble,
        "g_grad_norm": 1.0,
        "d_grad_norm": 1.0,
        **over,
    }


def square_wave(s: int) -> dict:
    """D(G(z)) swings 0.05 <-> 0.55 every 100 steps, losses steady."""
    return steady(s, d_fake=0.05 if (s // 100) % 2 else 0.55)


@pytest.mark.parametrize("log_every", [10, 100, 500])
def test_a_planted_swing_oscillates_at_every_logging_interval(tmp_path, log_every):
    numbers = written(tmp_path, log_every, square_wave)
    assert numbers["cadence"] == "per step"
    assert numbers["d_fake_sd"] == pytest.approx(0.25, abs=0.01)  # the square wave's own std
    assert diagnostics.verdict(numbers, None)[0] == "oscillating"


@pytest.mark.parametrize("log_every", [10, 100, 500])
def test_a_steady_run_converges_at_every_logging_interval(tmp_path, log_every):
    numbers = written(tmp_path, log_every, steady)
    assert numbers["d_fake_sd"] < 0.02
    assert diagnostics.verdict(numbers, None) == ("converged", "no failure rule matched")


def test_a_dominant_d_under_the_non_saturating_loss_is_not_a_vanishing_gradient(tmp_path):
    numbers = written(tmp_path, 50, lambda s: steady(s, d_real=0.99, d_fake=0.01, g_grad_norm=2.0))
    v, reason = diagnostics.verdict(numbers, None)
    assert v == "d-dominant" and "alive" in reason


def test_a_gradient_that_dies_under_a_dominant_d_is_vanishing(tmp_path):
    # G's gradient norm falls from 5 to 0.001 over the run: the last fifth sits below 1 % of the peak
    numbers = written(
        tmp_path, 50, lambda s: steady(s, d_real=0.99, d_fake=0.01, g_grad_norm=5.0 if s < 1000 else 1e-3)
    )
    assert numbers["g_grad_ratio"] < diagnostics.GRAD_COLLAPSE
    assert diagnostics.verdict(numbers, None)[0] == "vanishing-gradient"


def test_label_smoothing_moves_the_real_target(tmp_path):
    """keras-mlp trains D(x) toward 0.9: 0.89 is as dominant as it gets there, and nowhere near 1."""
    numbers = written(tmp_path, 50, lambda s: steady(s, d_real=0.89, d_fake=0.01))
    assert diagnostics.targets({"real_label": 0.9}) == (0.0, 0.9)
    assert diagnostics.verdict(numbers, None, (0.0, 0.9))[0] == "d-dominant"
    assert diagnostics.verdict(numbers, None, (0.0, 1.0))[0] == "converged"


def test_least_squares_scores_read_against_their_targets(tmp_path):
    """cyclegan's D gives least-squares scores, which overshoot 1 and undershoot 0."""
    numbers = written(tmp_path, 50, lambda s: steady(s, d_real=1.03, d_fake=-0.02))
    assert diagnostics.targets({"name": "cyclegan"}) == (0.0, 1.0)
    assert diagnostics.verdict(numbers, None)[0] == "d-dominant"


def test_coverage_still_rising_is_not_called_collapse(tmp_path):
    numbers = written(tmp_path, 100, steady)
    cover = {"modes_covered": 6, "modes_total": 10}
    rising = {**numbers, "quality_over_time": [{"step": 500, "modes_covered": 3}, {"step": 1000, "modes_covered": 6}]}
    v, reason = diagnostics.verdict(rising, cover)
    assert v == "still-improving" and "3 then 6" in reason
    flat = {**numbers, "quality_over_time": [{"step": 500, "modes_covered": 6}, {"step": 1000, "modes_covered": 6}]}
    assert diagnostics.verdict(flat, cover)[0] == "mode-collapse"
    assert diagnostics.verdict(numbers, cover)[0] == "mode-collapse"  # no snapshots: nothing says it is rising
    points = {**numbers, "quality_over_time": [{"step": 1, "modes_2d_2500": 2}, {"step": 2, "modes_2d_2500": 5}]}
    assert diagnostics.verdict(points, {"modes_covered": 5, "modes_total": 8})[0] == "still-improving"


def test_history_without_per_step_spreads_reads_the_row_means(tmp_path):
    path = tmp_path / "history.csv"
    rows = ["step,epoch,d_loss,g_loss,d_real,d_fake,g_grad_norm,d_grad_norm"]
    rows += [f"{s},0,1.38,0.7,0.5,{0.05 if (s // 100) % 2 else 0.55},1,1" for s in range(10, STEPS + 1, 10)]
    path.write_text("\n".join(rows) + "\n")
    numbers = diagnostics.history_numbers(diagnostics.read_history(path))
    assert numbers["cadence"].startswith("logged rows")
    assert numbers["d_fake_sd"] == pytest.approx(0.25, abs=0.01)
    assert diagnostics.verdict(numbers, None)[0] == "oscillating"
