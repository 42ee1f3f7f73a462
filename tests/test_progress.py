"""The suite-level progress: the plan `run` prints, `--dry-run`, and the suite bar and time-left line
that count every run's steps (skipped and resumed ones included)."""

import io
import re
import shutil

import pytest
from rich.console import Console
from typer.testing import CliRunner

from gan_bench.cli import app
from gan_bench.training.progress import QuietReporter, Reporter, RichReporter, SuiteClock, _TimeLeft


def test_dry_run_prints_the_plan_and_writes_nothing(tmp_path):
    result = CliRunner().invoke(app, ["run", "--suite", "smoke", "--out", str(tmp_path / "o"), "--dry-run",
                                      "--device", "cpu"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "profile: smoke (the suite's default)" in result.output
    assert re.search(r"suite smoke: 4 runs \(4 recipes x seeds 0\) on mnist, 110 training\s+steps", result.output)
    lines = [line.rsplit(" spec ", 1)[0] for line in result.output.splitlines() if " spec " in line]
    assert lines == [  # in columns
        "tf-mlp seed 0      mnist  30 steps ",
        "slides-mlp seed 0  mnist  30 steps ",
        "keras-mlp seed 0   mnist  30 steps ",
        "torch-mlp seed 0   mnist  20 steps ",
    ]
    assert not (tmp_path / "o").exists()


def test_a_bad_option_fails_the_dry_run_too(tmp_path):
    result = CliRunner().invoke(app, ["run", "--suite", "smoke", "--out", str(tmp_path / "o"), "--dry-run",
                                      "--executor", "spark"])  # fmt: skip
    assert result.exit_code == 2 and "valid: local, ray" in result.output
    assert not (tmp_path / "o").exists()


def _console():
    buffer = io.StringIO()
    return Console(file=buffer, width=200), buffer


def test_quiet_reporter_counts_resumed_trained_and_skipped_steps():
    console, out = _console()
    reporter = QuietReporter(console, suite_steps=100)
    reporter.run_skipped("a seed 0", 30)  # complete already
    reporter.run_started("b seed 0", 40, 10)  # resumed at step 10
    for _ in range(30):
        reporter.advance()
    reporter.run_finished("b seed 0", "done")
    reporter.run_started("c seeds 0,1", 15, 0, runs=2)  # two seeds batched: each step is two runs' step
    for _ in range(15):
        reporter.advance()
    reporter.run_finished("c seeds 0,1", "done")
    lines = [line for line in out.getvalue().splitlines() if line.startswith("suite:")]
    assert [line.split(" left")[0].rsplit(",", 1)[0] for line in lines] == [
        "suite: 70 of 100 steps done",
        "suite: 100 of 100 steps done",
    ]
    assert lines[-1].endswith("about 0m00s left")


class Ticks:
    """A clock the test moves by hand."""

    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


def test_time_left_counts_the_seconds_runs_spend_being_scored():
    ticks, (console, out) = Ticks(), _console()
    quiet = QuietReporter(console, suite_steps=60, now=ticks)
    with RichReporter(_console()[0], suite_steps=60, now=ticks) as rich:
        suite = rich.progress.tasks[rich.suite_task]
        assert _TimeLeft().render(suite).plain == "-:--:--"  # nothing timed yet
        for reporter in (quiet, rich):
            reporter.run_skipped("a seed 0", 20)  # found complete: toward the total, not the rate
            reporter.run_started("b seed 0", 10, 0)
        for _ in range(10):
            ticks.t += 1  # a step a second
            quiet.advance()
            rich.advance()
        ticks.t += 30  # then half a minute of scoring
        for reporter in (quiet, rich):
            reporter.scoring("b seed 0")
            reporter.run_finished("b seed 0", "done")
        # 40 s for 10 steps: the 30 steps left take 2 minutes, not the 30 s the steps alone suggest
        assert _TimeLeft().render(suite).plain == "0:02:00"
        assert _TimeLeft().render(rich.progress.tasks[1]).plain != "0:02:00"  # a run's bar: rich's own
    assert out.getvalue().splitlines()[-1] == "suite: 30 of 60 steps done, about 2m00s left"


def test_rich_reporter_suite_bar_reaches_its_total():
    console, _ = _console()
    with RichReporter(console, suite_steps=100) as reporter:
        reporter.run_skipped("a seed 0", 30)
        reporter.run_started("b seed 0", 40, 10)
        for _ in range(30):
            reporter.advance()
        reporter.run_started("c seeds 0,1", 15, 0, runs=2)
        for _ in range(15):
            reporter.advance()
        suite = reporter.progress.tasks[reporter.suite_task]
        assert (suite.completed, suite.total) == (100, 100)


def test_a_refusal_before_the_first_run_leaves_no_empty_bar():
    console, out = _console()
    with pytest.raises(RuntimeError), RichReporter(console, suite_steps=100):
        raise RuntimeError("refused before any run started")
    assert out.getvalue() == ""
    with RichReporter(console, suite_steps=100) as reporter:
        reporter.run_skipped("a seed 0", 100)
    assert "suite (steps)" in out.getvalue() and "100/100" in out.getvalue()


def test_without_a_suite_total_there_is_no_suite_bar():
    console, _ = _console()
    with RichReporter(console) as reporter:
        reporter.run_started("a seed 0", 5, 0)
        assert reporter.suite_task is None and len(reporter.progress.tasks) == 1


def test_runs_handed_to_ray_are_counted_as_runs_not_steps():
    """The runs' bar counts runs ended; the suite's steps come only from suite_advance."""
    console, out = _console()
    quiet = QuietReporter(console, suite_steps=60)
    quiet.runs_dispatched("3 runs on Ray", 3)
    quiet.suite_advance(20)
    quiet.advance()
    quiet.suite_time_left()
    assert out.getvalue().splitlines()[0] == "3 runs on Ray"
    assert out.getvalue().splitlines()[1].startswith("suite: 20 of 60 steps done")
    with RichReporter(_console()[0], suite_steps=60) as rich:
        rich.runs_dispatched("3 runs on Ray", 3)
        rich.suite_advance(20)
        rich.advance()
        bar, suite = rich.progress.tasks[rich.task], rich.progress.tasks[rich.suite_task]
        assert (bar.description, bar.completed, bar.total) == ("3 runs on Ray", 1, 3)
        assert (suite.completed, suite.total) == (20, 60)


def test_quiet_reporter_prints_messages():
    console, out = _console()
    QuietReporter(console).message("metrics.json: invalid metrics file; scoring again")
    assert "scoring again" in out.getvalue()


def test_scoring_after_training_marks_the_runs_own_bar_and_scoring_alone_adds_one():
    console, out = _console()
    with RichReporter(console, suite_steps=5) as reporter:
        reporter.run_started("a seed 0", 5, 0)
        for _ in range(5):
            reporter.advance()
        reporter.scoring("a seed 0")
        assert len(reporter.progress.tasks) == 2 and reporter.progress.tasks[1].fields["losses"] == "scoring"
        reporter.run_finished("a seed 0", "5 steps; verdict converged")
        reporter.scoring("runs/b/seed-0")  # `ganbench score`: no training bar to mark
        bar = reporter.progress.tasks[2]
        assert (bar.description, bar.completed, bar.total, bar.fields["losses"]) == ("runs/b/seed-0", 0, 1, "scoring")
        reporter.run_finished("runs/b/seed-0", "verdict mode-collapse")
        assert (bar.completed, bar.fields["losses"]) == (1, "verdict mode-collapse")
    quiet_console, quiet = _console()
    QuietReporter(quiet_console).scoring("runs/b/seed-0")
    assert quiet.getvalue() == "runs/b/seed-0: scoring\n"


class Heard(Reporter):
    def __init__(self):
        self.heard = []

    def scoring(self, label):
        self.heard.append(("scoring", label))

    def run_finished(self, label, summary):
        self.heard.append(("finished", label, summary))


@pytest.mark.slow
def test_each_run_is_announced_before_scoring_and_summed_up_after(suite_run, tmp_path):
    import gan_bench as gb

    _, runs, _ = suite_run
    copies = [tmp_path / "a", tmp_path / "b"]
    for copy, seed in zip(copies, (0, 1)):
        shutil.copytree(runs / "tf-mlp" / f"seed-{seed}", copy)
        (copy / "metrics.json").unlink()
    reporter = Heard()
    scored = gb.score(copies, progress=reporter)
    fid = [scored[c]["metrics"]["fid_lenet_1k_test"]["value"] for c in copies]
    assert reporter.heard == [
        ("scoring", str(copies[0])),
        ("finished", str(copies[0]), f"verdict {scored[copies[0]]['verdict']}, fid_lenet {fid[0]:.2f}"),
        ("scoring", str(copies[1])),
        ("finished", str(copies[1]), f"verdict {scored[copies[1]]['verdict']}, fid_lenet {fid[1]:.2f}"),
    ]
    (copies[0] / "metrics.json").unlink()
    result = CliRunner().invoke(app, ["score", str(copies[0]), "--quiet"])
    assert result.exit_code == 0, result.output
    assert f"{copies[0]}: scoring\n{copies[0]}: done. verdict" in result.stderr


@pytest.mark.slow
def test_a_suite_run_says_when_each_run_is_scored(tmp_path):
    import gan_bench as gb

    reporter = Heard()
    gb.run_suite("smoke", recipes=["torch-mlp"], out=tmp_path / "o", device="cpu", progress=reporter)
    assert [h[:2] for h in reporter.heard] == [("scoring", "torch-mlp seed 0"), ("finished", "torch-mlp seed 0")]
    assert reporter.heard[1][2].startswith("20 steps in ") and "; verdict " in reporter.heard[1][2]


def test_a_training_bar_stopped_short_keeps_its_steps_when_the_run_finishes():
    console, _ = _console()
    with RichReporter(console) as reporter:
        reporter.run_started("a seed 0", 10, 0)
        for _ in range(4):
            reporter.advance()
        reporter.run_finished("a seed 0", "4 steps in 1.0s")  # Ctrl-C at step 4, nothing to score
        bar = reporter.progress.tasks[0]
        assert (bar.completed, bar.total, bar.fields["losses"]) == (4, 10, "4 steps in 1.0s")


def test_in_a_narrow_terminal_the_summary_gives_way_and_the_bar_and_count_stay():
    buffer = io.StringIO()
    terminal = Console(file=buffer, width=80, force_terminal=True, color_system=None)
    reporter = RichReporter(terminal, suite_steps=60)
    reporter.progress.add_task("slides-mlp seed 0", total=30, completed=30, losses="30 steps in 0.2s, " * 6)
    shown = Console(record=True, width=80, force_terminal=True, color_system=None)
    shown.print(reporter.progress.make_tasks_table(reporter.progress.tasks))
    lines = shown.export_text().splitlines()
    run = next(line for line in lines if line.startswith("slides-mlp seed 0 "))
    assert "30/30" in run and "eta" in run and run.rstrip().endswith("…") and len(run) <= 80
    log = RichReporter(Console(file=io.StringIO(), width=1000), suite_steps=60)  # not a terminal: whole lines
    assert log.progress.expand is False


def _suite_lines(out: io.StringIO) -> list[str]:
    return [line for line in out.getvalue().splitlines() if line.startswith("suite:")]


def test_each_recipe_is_timed_apart_and_a_recipe_not_timed_yet_is_named():
    """One recipe's step can cost a hundred of another's. Timed at the suite's average, 4 MLP
    recipes said "about 0m11s left" with over 2 minutes to go: the fast recipes' rate stood for
    the slow ones not begun."""
    ticks, (console, out) = Ticks(), _console()
    steps = {"fast": 200, "slow": 100}
    quiet = QuietReporter(console, suite_steps=steps, now=ticks)
    with RichReporter(_console()[0], suite_steps=steps, now=ticks) as rich:
        suite = rich.progress.tasks[rich.suite_task]
        assert suite.total == 300

        def one_run(recipe, seed, seconds_a_step, steps, scoring=5):
            for reporter in (quiet, rich):
                reporter.working_on(recipe)
                reporter.run_started(f"{recipe} seed {seed}", steps, 0)
            for _ in range(steps):
                ticks.t += seconds_a_step
                quiet.advance()
                rich.advance()
            ticks.t += scoring
            for reporter in (quiet, rich):
                reporter.scoring(f"{recipe} seed {seed}")
                reporter.run_finished(f"{recipe} seed {seed}", "done")

        one_run("fast", 0, 0.1, 100)  # 15 s for 100 steps, scoring included
        # the other fast run takes 15 s; the slow recipe's time is not known yet
        assert _TimeLeft().render(suite).plain == "0:00:15+"
        one_run("fast", 1, 0.1, 100)
        one_run("slow", 0, 2.0, 100)
        assert _TimeLeft().render(suite).plain == "0:00:00"
    assert _suite_lines(out) == [
        "suite: 100 of 300 steps done, about 0m15s left, more for 1 recipe not timed yet (slow)",
        "suite: 200 of 300 steps done, about 0m00s left, more for 1 recipe not timed yet (slow)",
        "suite: 300 of 300 steps done, about 0m00s left",
    ]


def test_a_failed_runs_steps_not_trained_leave_the_suite_total():
    """A run that fails trains no more in this suite run. Before, its steps stayed in the suite's
    total and time left ("60 of 300 steps done, about 0m07s left" here, where 0m05s are), and the
    suite bar never reached its end."""
    ticks, (console, out) = Ticks(), _console()
    steps = {"a": 200, "b": 100}
    quiet = QuietReporter(console, suite_steps=steps, now=ticks)
    with RichReporter(_console()[0], suite_steps=steps, now=ticks) as rich:
        both = (quiet, rich)
        for reporter in both:
            reporter.working_on("a")
            reporter.run_started("a seeds 0,1", 50, 10, runs=2)  # a seed group, resumed at step 10
        for _ in range(20):
            ticks.t += 0.1
            quiet.advance()
            rich.advance()
        for reporter in both:
            reporter.unit_failed(100)  # of its 100 steps, 60 were counted: 40 are given up
            reporter.suite_time_left()
        suite = rich.progress.tasks[rich.suite_task]
        assert (suite.completed, suite.total) == (60, 260)
        for reporter in both:
            reporter.working_on("a")
            reporter.run_started("a seed 2", 100, 0)
        for _ in range(10):
            quiet.advance()
            rich.advance()
        for reporter in both:
            reporter.unit_failed(100)  # a unit of one run: 90 given up
        assert (suite.completed, suite.total) == (70, 170)
        for reporter in both:
            reporter.working_on("b")
            reporter.run_skipped("b seed 0", 100)
        assert suite.finished
    # a: 2 s for 40 steps trained (seeds 0 and 1 batched); the 100 of a seed 2 are left
    assert _suite_lines(out) == ["suite: 60 of 260 steps done, about 0m05s left, more for 1 recipe not timed yet (b)"]
    assert quiet.clock.planned == {"a": 70, "b": 100}


def test_steps_given_up_never_take_a_total_below_the_steps_counted():
    """Steps given up come from counts read apart (a relay's, a run directory's): a count behind
    must not leave "90 of 50 steps done"."""
    clock = SuiteClock({"a": 100, "b": 10})
    clock.found_done(90, "a")
    clock.runs_given_up([("a", 50), ("b", 4), ("c", 7)])  # c: no recipe of this suite
    assert (clock.planned, clock.total) == ({"a": 90, "b": 6}, 96)


def test_a_plan_gives_each_recipes_steps_over_its_seeds(tmp_path):
    import gan_bench as gb

    plan = gb.plan("mnist", recipes=["torch-mlp", "tf-mlp"], seeds=[0, 1, 2], out=tmp_path / "o", device="cpu")
    assert plan.steps_by_recipe == {"torch-mlp": 3 * 472, "tf-mlp": 3 * 7700}
    assert sum(plan.steps_by_recipe.values()) == plan.total_steps


def test_a_slow_recipe_half_done_is_reckoned_at_its_own_rate():
    ticks, (console, out) = Ticks(), _console()
    quiet = QuietReporter(
        console, suite_steps={"fast": 100, "slow": 100, "a": 10, "b": 10, "c": 10, "d": 10}, now=ticks
    )
    quiet.working_on("fast")
    quiet.run_started("fast seed 0", 100, 0)
    for _ in range(100):
        ticks.t += 0.1
        quiet.advance()
    quiet.working_on("slow")
    quiet.run_started("slow seed 0", 100, 50)  # resumed: its first 50 steps count toward the total only
    for _ in range(10):
        ticks.t += 3
        quiet.advance()
    quiet.suite_time_left()
    # slow: 30 s for 10 steps, 40 to go; the fast recipe's 0.1 s a step does not enter it
    assert _suite_lines(out) == [
        "suite: 160 of 240 steps done, about 2m00s left, more for 4 recipes not timed yet (a, b, c and 1 more)"
    ]


def test_runs_reported_together_share_the_seconds_between_reports():
    """Ray's tasks train side by side, and their steps are read together: each run that reported
    steps had the seconds since the last reading, whatever its count of steps."""
    ticks, (console, out) = Ticks(), _console()
    steps = {"fast": 300, "slow": 60}
    quiet = QuietReporter(console, suite_steps=steps, now=ticks)
    quiet.runs_dispatched("2 runs on Ray", 2)
    for _ in range(2):
        ticks.t += 10
        quiet.runs_advanced([("fast", 100), ("slow", 10)])  # in 10 s, side by side
    quiet.suite_time_left()
    # fast: 10 of the 20 s for 200 steps, 100 to go (5 s); slow: 10 s for 20 steps, 40 to go (20 s).
    # At the pooled rate, 20 s for 220 steps, the 140 steps left would take 13 s.
    assert _suite_lines(out) == ["suite: 220 of 360 steps done, about 0m25s left"]
    with RichReporter(_console()[0], suite_steps=steps, now=ticks) as rich:
        rich.runs_dispatched("2 runs on Ray", 2)
        rich.runs_advanced([("fast", 100), ("slow", 10)])
        assert rich.progress.tasks[rich.suite_task].completed == 110


@pytest.mark.slow
def test_a_suite_log_times_each_recipe_and_names_those_not_timed_yet(tmp_path):
    out = tmp_path / "o"
    result = CliRunner().invoke(
        app, ["run", "--suite", "smoke", "--recipes", "tf-mlp,torch-mlp", "--quiet", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert _suite_lines(io.StringIO(result.stderr)) == [
        "suite: 30 of 50 steps done, about 0m00s left, more for 1 recipe not timed yet (torch-mlp)",
        "suite: 50 of 50 steps done, about 0m00s left",
    ]
