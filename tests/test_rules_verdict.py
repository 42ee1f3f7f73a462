"""The convergence verdict, one planted case per rule and per boundary, and the numbers behind it
from planted histories. Expected values are worked out by hand from the documented rules:
window = last 20 % of the steps (rounded up); diverged on any non-finite value; mode-collapse below
80 % of the classes; D wins when mean D(G(z)) is within 5 % of the target gap of the fake
target; vanishing-gradient when D wins and G's gradient fell below 1 % of its peak; d-dominant
when D wins and mean D(x) is within 5 % of the gap of the real target; oscillating when a
per-step loss CV > 0.5 or D(G(z))'s per-step std > 15 % of the gap. Histories here have no
per-step spread columns, so the spread is that of the row means."""

import math

import pandas as pd
import pytest

from gan_bench.metrics import diagnostics

CALM = {
    "nonfinite": False,
    "first_nonfinite_step": None,
    "d_real_mean": 0.6,
    "d_fake_mean": 0.4,
    "g_grad_ratio": 0.5,
    "d_loss_cv": 0.1,
    "g_loss_cv": 0.1,
    "d_fake_sd": 0.1,
}
FULL = {"modes_covered": 10, "modes_total": 10}


def verdict(cover=FULL, **changes):
    return diagnostics.verdict({**CALM, **changes}, cover)[0]


def test_calm_numbers_converge():
    assert diagnostics.verdict(CALM, FULL) == ("converged", "no failure rule matched")
    assert verdict(cover=None) == "converged"


def test_non_finite_history_or_samples_is_diverged_before_anything_else():
    assert verdict(nonfinite=True, first_nonfinite_step=30, d_fake_mean=0.0, d_loss_cv=9.0) == "diverged"
    assert "step 30" in diagnostics.verdict({**CALM, "nonfinite": True, "first_nonfinite_step": 30}, FULL)[1]
    assert verdict(cover={**FULL, "nonfinite_samples": True}) == "diverged"
    assert verdict(cover={"modes_covered": 1, "modes_total": 10, "nonfinite_samples": True}) == "diverged"


@pytest.mark.parametrize(
    "covered,total,expected",
    [
        (8, 10, "converged"),  # 8 of 10 is 80 %: not fewer than 80 %
        (7, 10, "mode-collapse"),
        (20, 25, "converged"),
        (19, 25, "mode-collapse"),
        (800, 1000, "converged"),
        (799, 1000, "mode-collapse"),
    ],
)
def test_mode_collapse_below_80_percent_of_the_classes(covered, total, expected):
    assert verdict(cover={"modes_covered": covered, "modes_total": total}) == expected


def test_mode_collapse_comes_before_vanishing_gradient_and_oscillation():
    assert (
        verdict(cover={"modes_covered": 1, "modes_total": 10}, d_fake_mean=0.01, d_real_mean=0.99, d_loss_cv=5.0)
        == "mode-collapse"
    )


def test_d_wins_only_with_d_fake_below_0_05():
    assert verdict(d_fake_mean=0.049, d_real_mean=0.96) == "d-dominant"
    assert verdict(d_fake_mean=0.049, d_real_mean=0.96, g_grad_ratio=0.001) == "vanishing-gradient"
    assert verdict(d_fake_mean=0.05, d_real_mean=0.96) == "converged"
    assert verdict(d_fake_mean=0.05, d_real_mean=0.96, g_grad_ratio=0.001) == "converged"


def test_d_dominant_needs_d_real_above_0_95_and_a_live_gradient():
    assert verdict(d_fake_mean=0.01, d_real_mean=0.951) == "d-dominant"
    assert verdict(d_fake_mean=0.01, d_real_mean=0.95) == "converged"


def test_a_smoothed_real_label_moves_the_d_real_bar():
    # keras-mlp's real target 0.9: the bar is 0.9 - 0.05 * 0.9 = 0.855, and 0.95 is out of reach
    def smoothed(d_real):
        return diagnostics.verdict({**CALM, "d_fake_mean": 0.01, "d_real_mean": d_real}, FULL, (0.0, 0.9))[0]

    assert smoothed(0.856) == "d-dominant"
    assert smoothed(0.854) == "converged"
    assert verdict(d_fake_mean=0.01, d_real_mean=0.856) == "converged"  # against 1, 0.856 is not dominant


def test_vanishing_gradient_by_g_gradient_below_1_percent_of_its_peak():
    assert verdict(d_fake_mean=0.01, d_real_mean=0.5, g_grad_ratio=0.0099) == "vanishing-gradient"
    assert verdict(d_fake_mean=0.01, d_real_mean=0.5, g_grad_ratio=0.01) == "converged"
    assert verdict(d_fake_mean=0.01, d_real_mean=None, g_grad_ratio=0.001) == "vanishing-gradient"
    assert verdict(d_fake_mean=0.01, d_real_mean=None, g_grad_ratio=None) == "converged"
    assert verdict(d_fake_mean=None, d_real_mean=0.99, g_grad_ratio=0.0) == "converged"


def test_vanishing_gradient_and_d_dominant_come_before_oscillation():
    assert verdict(d_fake_mean=0.01, d_real_mean=0.99, d_loss_cv=3.0, g_grad_ratio=0.001) == "vanishing-gradient"
    assert verdict(d_fake_mean=0.01, d_real_mean=0.99, d_loss_cv=3.0) == "d-dominant"


@pytest.mark.parametrize("loss", ["d_loss_cv", "g_loss_cv"])
def test_oscillating_when_either_loss_cv_exceeds_0_5(loss):
    assert verdict(**{loss: 0.51}) == "oscillating"
    assert verdict(**{loss: 0.5}) == "converged"
    assert verdict(**{loss: None}) == "converged"


def test_oscillating_when_d_of_g_z_per_step_std_exceeds_0_15_with_calm_losses():
    assert verdict(d_fake_sd=0.151) == "oscillating"
    assert verdict(d_fake_sd=0.15) == "converged"
    assert verdict(d_fake_sd=None) == "converged"
    reason = diagnostics.verdict({**CALM, "d_fake_sd": 0.6}, FULL)[1]
    assert "D(G(z)) per-step std 0.6" in reason
    # a least-squares or smoothed gap scales the bar: 15 % of 0.9 is 0.135
    assert diagnostics.verdict({**CALM, "d_fake_sd": 0.14}, FULL, (0.0, 0.9))[0] == "oscillating"


def frame(rows: list[dict]) -> pd.DataFrame:
    base = {"d_loss": 1.0, "g_loss": 1.0, "d_real": 0.5, "d_fake": 0.5, "g_grad_norm": 1.0, "d_grad_norm": 1.0}
    return pd.DataFrame([{"step": 10 * (i + 1), "epoch": 0.1 * i, **base, **r} for i, r in enumerate(rows)])


@pytest.mark.parametrize("rows,window", [(10, 2), (11, 3), (5, 1), (1, 1), (4, 1), (100, 20)])
def test_window_is_the_last_fifth_of_the_rows_rounded_up(rows, window):
    numbers = diagnostics.history_numbers(frame([{}] * rows))
    assert numbers["rows"] == rows and numbers["window_rows"] == window
    assert numbers["window_from_step"] == 10 * (rows - window + 1)


def test_window_numbers_from_a_planted_history():
    # 10 rows of 10 steps, window = the last 2. d_loss 1 and 3: mean 2, population std 1, CV 0.5.
    # g_loss -2 and -4: std 1 over |mean| 3 = 1/3. D(x) 0.9, 0.7; D(G(z)) 0.1, 0.4: std 0.15.
    # G grad: peak 8 at row 3; window mean (2 + 4) / 2 = 3; ratio 3/8.
    rows = [{} for _ in range(8)] + [
        {"d_loss": 1.0, "g_loss": -2.0, "d_real": 0.9, "d_fake": 0.1, "g_grad_norm": 2.0},
        {"d_loss": 3.0, "g_loss": -4.0, "d_real": 0.7, "d_fake": 0.4, "g_grad_norm": 4.0},
    ]
    rows[2]["g_grad_norm"] = 8.0
    n = diagnostics.history_numbers(frame(rows))
    assert n["d_loss_cv"] == pytest.approx(0.5)
    assert n["g_loss_cv"] == pytest.approx(1 / 3)
    assert n["d_real_mean"] == pytest.approx(0.8) and n["d_fake_mean"] == pytest.approx(0.25)
    assert n["d_fake_sd"] == pytest.approx(0.15)
    assert n["cadence"].startswith("logged rows")
    assert n["equilibrium_gap"] == pytest.approx(0.3 + 0.25)
    assert n["g_grad_norm_peak"] == 8.0 and n["g_grad_norm_window"] == pytest.approx(3.0)
    assert n["g_grad_ratio"] == pytest.approx(3 / 8)
    assert n["nonfinite"] is False and n["first_nonfinite_step"] is None


def test_zero_loss_mean_gives_cv_zero_not_a_division_error():
    n = diagnostics.history_numbers(frame([{"d_loss": 0.0}] * 5))
    assert n["d_loss_cv"] == 0.0


def test_non_finite_rows_are_flagged_with_the_first_step_and_left_out_of_the_window():
    rows = [{} for _ in range(10)]
    rows[6]["g_loss"] = float("nan")
    rows[8]["d_real"] = float("-inf")
    rows[9]["d_loss"] = 100.0  # the window is steps 81-100, where only step 100's row is finite
    n = diagnostics.history_numbers(frame(rows))
    assert n["nonfinite"] is True and n["first_nonfinite_step"] == 70
    assert n["window_rows"] == 1 and n["window_from_step"] == 100
    assert n["d_loss_cv"] == 0.0  # one row, no spread within it recorded


def test_a_planted_history_reaches_each_verdict_through_both_steps():
    def judge(rows, cover=FULL):
        return diagnostics.verdict(diagnostics.history_numbers(frame(rows)), cover)[0]

    assert judge([{}] * 10) == "converged"
    swinging = [{}] * 8 + [{"d_fake": 0.1}, {"d_fake": 0.7}]
    assert judge(swinging) == "oscillating"
    dominated = [{}] * 8 + [{"d_fake": 0.01, "d_real": 0.99}] * 2
    assert judge(dominated) == "d-dominant"  # G's gradient stays at its peak
    faded = [{"g_grad_norm": 10.0}] * 8 + [{"d_fake": 0.02, "d_real": 0.5, "g_grad_norm": 0.05}] * 2
    assert judge(faded) == "vanishing-gradient"  # window mean 0.05 of peak 10: ratio 0.005
    assert judge([{}] * 9 + [{"d_loss": math.inf}]) == "diverged"
    assert judge([{}] * 10, {"modes_covered": 2, "modes_total": 10}) == "mode-collapse"


def test_rules_are_recorded_with_their_documented_values():
    assert diagnostics.RULES == {
        "window": 0.2,
        "collapse_min_modes": 0.8,
        "dominated_share_of_gap": 0.05,
        "grad_collapse": 0.01,
        "oscillation_cv": 0.5,
        "d_fake_spread_share_of_gap": 0.15,
        "cadence": "per step",
    }


def test_each_rule_says_why_in_its_reason():
    def reason(cover=FULL, **changes):
        return diagnostics.verdict({**CALM, **changes}, cover)[1]

    assert reason(cover={**FULL, "nonfinite_samples": True}) == "the generator produces non-finite samples"
    assert reason(cover={"modes_covered": 3, "modes_total": 10}) == "3 of 10 classes covered"
    assert (
        reason(d_fake_mean=0.01, d_real_mean=0.99, g_grad_ratio=0.5)
        == "mean D(G(z)) 0.01, D(x) 0.99 (targets 0/1); G's gradient alive at 0.5 of its peak"
    )
    assert (
        reason(d_fake_mean=0.01, d_real_mean=None, g_grad_ratio=0.001)
        == "mean D(G(z)) 0.01 (fake target 0), G's gradient at 0.001 of its peak"
    )
    assert reason(d_loss_cv=0.7, g_loss_cv=0.6, d_fake_sd=0.2) == "per-step loss CV 0.7, D(G(z)) per-step std 0.2"
    assert reason(d_loss_cv=None, g_loss_cv=None, d_fake_sd=0.6) == "per-step loss CV 0, D(G(z)) per-step std 0.6"


def test_a_loss_mean_below_one_still_gives_its_cv():
    # d_loss 0.25 and 0.75 in the window: mean 0.5, population std 0.25, CV 0.5
    n = diagnostics.history_numbers(frame([{}] * 8 + [{"d_loss": 0.25}, {"d_loss": 0.75}]))
    assert n["d_loss_cv"] == pytest.approx(0.5)


def test_a_gradient_peak_below_one_still_gives_its_ratio_and_a_zero_peak_none():
    n = diagnostics.history_numbers(frame([{"g_grad_norm": 0.5}] * 8 + [{"g_grad_norm": 0.1}] * 2))
    assert n["g_grad_ratio"] == pytest.approx(0.2)
    assert diagnostics.history_numbers(frame([{"g_grad_norm": 0.0}] * 5))["g_grad_ratio"] is None


def test_a_history_with_no_finite_row_has_no_window_numbers():
    n = diagnostics.history_numbers(frame([{"d_loss": float("nan")}] * 3))
    assert n["nonfinite"] is True and n["first_nonfinite_step"] == 10
    assert n["window_rows"] == 0 and n["window_from_step"] is None
    for key in (
        "d_real_mean",
        "d_fake_mean",
        "equilibrium_gap",
        "d_loss_cv",
        "d_fake_sd",
        "g_grad_norm_peak",
        "g_grad_ratio",
    ):
        assert n[key] is None, key


def test_history_is_read_from_its_csv(tmp_path):
    path = tmp_path / "history.csv"
    path.write_text("step,epoch,d_loss\n10,0.1,1.5\n20,0.2,2.5\n")
    assert diagnostics.read_history(path).to_dict("list") == {
        "step": [10, 20],
        "epoch": [0.1, 0.2],
        "d_loss": [1.5, 2.5],
    }


def test_still_rising_coverage_names_the_last_two_snapshots_counts():
    cover = {"modes_covered": 6, "modes_total": 10}
    counts = [1, 2, 3, 4, 6]  # the last two differ from the first three, so their positions show
    numbers = {**CALM, "quality_over_time": [{"step": 100 * (i + 1), "modes_covered": c} for i, c in enumerate(counts)]}
    assert diagnostics.verdict(numbers, cover) == (
        "still-improving",
        "6 of 10 classes covered, still rising (4 then 6 at the last snapshots)",
    )
    unscored = [{"step": 600, "modes_covered": None}]  # a snapshot that drew non-finite samples
    numbers["quality_over_time"] += unscored
    assert diagnostics.verdict(numbers, cover)[0] == "still-improving"
    points = [{"step": 1, "fid_lenet_2k_test": 3.0, "modes_2d_2500": 2}, {"step": 2, "modes_2d_2500": 5}]
    assert diagnostics.verdict({**CALM, "quality_over_time": points}, cover)[0] == "still-improving"
    two_of_one = [{"step": 1, "modes_covered": 5}, {"step": 2, "modes_covered": 5}]
    assert diagnostics.verdict({**CALM, "quality_over_time": two_of_one}, cover)[0] == "mode-collapse"
    one = [{"step": 1, "modes_covered": 6}]
    assert diagnostics.verdict({**CALM, "quality_over_time": one}, cover)[0] == "mode-collapse"


def test_d_wins_within_five_percent_of_the_gap_between_targets_that_are_not_zero_and_one():
    target = (0.2, 0.8)  # the gap is 0.6: D wins below 0.2 + 0.03
    alive = {"g_grad_ratio": 0.5, "d_real_mean": 0.79, "d_fake_sd": 0.05}
    assert diagnostics.verdict({**CALM, **alive, "d_fake_mean": 0.229}, FULL, target)[0] == "d-dominant"
    assert diagnostics.verdict({**CALM, **alive, "d_fake_mean": 0.231}, FULL, target)[0] == "converged"


def test_an_unknown_gradient_ratio_is_shown_as_unknown():
    numbers = {**CALM, "d_fake_mean": 0.01, "d_real_mean": 0.99, "g_grad_ratio": None}
    assert diagnostics.verdict(numbers, FULL) == (
        "d-dominant",
        "mean D(G(z)) 0.01, D(x) 0.99 (targets 0/1); G's gradient alive at unknown of its peak",
    )


def test_the_numbers_say_whether_spreads_are_per_step_and_skip_a_zero_gradient_peak():
    rows = {"step": [10, 20], "epoch": [0, 0], "d_loss": [1.0, 1.0], "g_loss": [1.0, 1.0], "d_real": [0.5, 0.5]}
    flat = pd.DataFrame({**rows, "d_fake": [0.5, 0.5], "g_grad_norm": [0.0, 0.0], "d_grad_norm": [1.0, 1.0]})
    numbers = diagnostics.history_numbers(flat)
    assert numbers["cadence"] == "logged rows (history without per-step spreads)"
    assert numbers["g_grad_norm_peak"] == 0.0 and numbers["g_grad_ratio"] is None
    spread = {**{k: v for k, v in flat.items()}, "d_fake_sd": [0.1, 0.1], "g_grad_norm": [2.0, 1.0]}
    numbers = diagnostics.history_numbers(pd.DataFrame(spread))
    assert numbers["cadence"] == "per step"
    assert numbers["d_fake_sd"] == pytest.approx(0.1) and numbers["g_grad_ratio"] == pytest.approx(0.5)


def test_a_history_is_read_as_numbers_up_to_its_last_whole_row(tmp_path):
    path = tmp_path / "history.csv"
    path.write_text("step,epoch,d_loss\n10,0,1\n20,0,1.25\n30,0,1.")  # the last row cut short by a kill
    history = diagnostics.read_history(path)
    assert history["step"].tolist() == [10, 20] and history["step"].dtype.kind == "i"
    assert history["d_loss"].tolist() == [1.0, 1.25] and history["epoch"].dtype.kind == "f"


@pytest.mark.parametrize(
    "text,says",
    [
        ("", "no header row starting step,epoch"),
        ("a,b\n1,2\n", "no header row starting step,epoch"),
        ("step,epoch,d_loss\n10,0,1\n20,0\n", "line 3 has 2 fields, not 3"),
        ("step,epoch,d_loss\n10,0,1\n20,0,x\n", "line 3: 'x' is not a number"),
    ],
)
def test_a_damaged_history_is_refused_naming_its_line(tmp_path, text, says):
    from gan_bench.errors import RunDirError

    path = tmp_path / "history.csv"
    path.write_text(text)
    with pytest.raises(RunDirError) as refused:
        diagnostics.read_history(path)
    assert str(refused.value) == f"{path}: {says}; the file is damaged"
    folder = tmp_path / "run" / "history.csv"  # a folder where the file should be
    folder.mkdir(parents=True)
    with pytest.raises(RunDirError, match=r"history.csv: cannot read the run's history \("):
        diagnostics.read_history(folder)


def test_the_targets_are_zero_and_the_recipes_real_label():
    assert diagnostics.targets({"name": "keras-mlp"}) == (0.0, 1.0)
    assert diagnostics.targets({"name": "x", "real_label": 0.9}) == (0.0, 0.9)


def test_a_snapshot_without_a_mode_count_is_passed_over():
    cover = {"modes_covered": 6, "modes_total": 10}
    points = [{"step": 1, "modes_covered": 3}, {"step": 2, "fid_lenet_2k_test": 40.0}, {"step": 3, "modes_covered": 6}]
    assert diagnostics.verdict({**CALM, "quality_over_time": points}, cover)[0] == "still-improving"


def test_each_row_weighs_the_steps_it_covers_the_first_row_from_step_zero():
    def history(steps, d_fake):
        n = len(steps)
        return pd.DataFrame(
            {"step": steps, "epoch": [0] * n, "d_loss": [1.0] * n, "g_loss": [1.0] * n, "d_real": [0.5] * n}
            | {"d_fake": d_fake, "g_grad_norm": [1.0] * n, "d_grad_norm": [1.0] * n}
        )

    assert diagnostics.history_numbers(history([10], [0.3]))["d_fake_mean"] == pytest.approx(0.3)
    # the window is steps 81-101: rows covering 90 steps (1-90), 10 (91-100) and 1 (101)
    numbers = diagnostics.history_numbers(history([90, 100, 101], [0.2, 0.4, 0.8]))
    assert numbers["d_fake_mean"] == pytest.approx((90 * 0.2 + 10 * 0.4 + 1 * 0.8) / 101)
