"""Verdict rules on planted histories, and mode coverage on planted class histograms."""

import math

import pandas as pd
import pytest
import torch

from gan_bench.metrics import coverage, diagnostics


def history(n=100, d_real=0.6, d_fake=0.4, d_loss=1.2, g_loss=1.0, g_grad=1.0):
    """Each column is a constant or a function of (row, rows)."""
    columns = {
        "d_loss": d_loss,
        "g_loss": g_loss,
        "d_real": d_real,
        "d_fake": d_fake,
        "g_grad_norm": g_grad,
        "d_grad_norm": 1.0,
    }
    return pd.DataFrame(
        [
            {"step": (i + 1) * 10, "epoch": i / 10, **{k: v(i, n) if callable(v) else v for k, v in columns.items()}}
            for i in range(n)
        ]
    )


def judge(h, cover=None):
    return diagnostics.verdict(diagnostics.history_numbers(h), cover)[0]


FULL = {"modes_covered": 10, "modes_total": 10}


def test_stable_history_near_equilibrium_converges():
    h = history(d_loss=lambda i, n: 1.2 + 0.05 * math.sin(i), g_loss=lambda i, n: 1.0 + 0.05 * math.cos(i))
    numbers = diagnostics.history_numbers(h)
    assert numbers["window_rows"] == 20
    assert numbers["equilibrium_gap"] == pytest.approx(0.2)
    assert judge(h, FULL) == "converged"


def test_d_fake_to_zero_with_vanishing_g_gradient_is_vanishing_gradient():
    h = history(
        d_real=lambda i, n: 0.5 + 0.49 * i / n,
        d_fake=lambda i, n: 0.5 * (1 - i / n) ** 4,
        g_grad=lambda i, n: 2.0 * (1 - i / n) ** 6 + 1e-6,
    )
    numbers = diagnostics.history_numbers(h)
    assert numbers["d_fake_mean"] < 0.05 and numbers["g_grad_ratio"] < 0.01
    assert judge(h, FULL) == "vanishing-gradient"


def test_nan_is_diverged_with_its_step():
    h = history(g_loss=lambda i, n: float("nan") if i >= 60 else 1.0)
    numbers = diagnostics.history_numbers(h)
    assert numbers["first_nonfinite_step"] == 610
    assert judge(h, FULL) == "diverged"
    assert judge(history(d_loss=lambda i, n: float("inf") if i == 99 else 1.0), FULL) == "diverged"


def test_swinging_losses_oscillate():
    h = history(d_loss=lambda i, n: 1.0 + 0.9 * (-1) ** i, g_loss=lambda i, n: 2.0 + 1.9 * (-1) ** i)
    assert judge(h, FULL) == "oscillating"


def test_few_modes_is_mode_collapse_before_other_rules():
    assert judge(history(), {"modes_covered": 1, "modes_total": 10}) == "mode-collapse"


def test_coverage_of_single_class_and_uniform_sets():
    labels = torch.arange(10).repeat(100)
    one_class = torch.full((1000, 10), -10.0)
    one_class[:, 3] = 10.0
    c = coverage.coverage(one_class, labels)
    assert c["modes_covered"] == 1 and c["class_histogram"][3] == 1000
    assert c["kl_generated_data"] == pytest.approx(math.log(10))
    assert c["mean_confidence"] > 0.99
    perfect = torch.nn.functional.one_hot(labels, 10).float() * 20
    c = coverage.coverage(perfect, labels)
    assert c["modes_covered"] == 10 and c["kl_generated_data"] == pytest.approx(0.0, abs=1e-12)
    assert judge(history(), c) == "converged"


@pytest.mark.parametrize(
    "steps,every,logged", [(10, 3, [3, 6, 9, 10]), (9, 3, [3, 6, 9]), (4, 1, [1, 2, 3, 4]), (2, 5, [2])]
)
def test_a_finished_run_logs_every_log_every_steps_and_its_last(steps, every, logged):
    assert diagnostics.logged_steps({"steps": steps, "log_every": every}) == logged


@pytest.mark.parametrize(
    "found,why",
    [
        ([3, 6, 9, 10], None),
        (
            [3, 6],
            "2 rows (steps 3 to 6), where the run logged 4 (every 3 steps to step 10): the row of step 9 is missing",
        ),
        ([], "0 rows, where the run logged 4 (every 3 steps to step 10): the row of step 3 is missing"),
        (
            [3, 6, 6, 9, 10],
            "5 rows (steps 3 to 10), where the run logged 4 (every 3 steps to step 10): "
            "the row of step 6 is out of order or repeated",
        ),
        (
            [6, 3, 9, 10],
            "4 rows (steps 6 to 10), where the run logged 4 (every 3 steps to step 10): "
            "the row of step 6 is out of order or repeated",
        ),
        (
            [3, 6, 9, 10, 12],
            "5 rows (steps 3 to 12), where the run logged 4 (every 3 steps to step 10): "
            "the row of step 12 is out of order or repeated",
        ),
    ],
)
def test_a_history_whose_rows_are_not_the_logged_steps_names_the_first_difference(found, why):
    rows = pd.DataFrame({"step": found, "epoch": [0.0] * len(found)}, dtype=float).astype({"step": int})
    assert diagnostics.rows_problem(rows, {"steps": 10, "log_every": 3}) == why


def test_a_history_logged_every_step_says_so():
    rows = pd.DataFrame({"step": [1, 2, 4]})
    assert diagnostics.rows_problem(rows, {"steps": 4, "log_every": 1}) == (
        "3 rows (steps 1 to 4), where the run logged 4 (every step to step 4): the row of step 3 is missing"
    )
