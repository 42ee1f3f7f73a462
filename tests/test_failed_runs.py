"""A run that crashes (a plug-in's bug, say) fails alone: the suite trains the others, names the
error and the line of the recipe's code that raised it, exits 2, and --resume trains what is left."""

import json
import queue

import pytest
import torch
from typer.testing import CliRunner

from gan_bench.cli import app
from gan_bench.data import datasets
from gan_bench.errors import DataError, RunDirError
from gan_bench.executors import processes
from gan_bench.executors.failures import failure_summary, outcome_line
from gan_bench.suite.plan import plan_suite
from gan_bench.variants import RECIPES, registry

CRASH = "tf-mlp-crash"
SUITE = f'name = "f"\ndataset = "mnist"\nseeds = [0]\nrecipes = ["{CRASH}", "tf-mlp"]\nprofile = "smoke"\n'


@pytest.fixture
def crashing(monkeypatch):
    """tf-mlp under another name, whose step raises while ``crashing.on`` (a plug-in's bug)."""
    system = registry.system_class(RECIPES["tf-mlp"])
    step = system.train_step

    def train_step(self, batch, generator):
        if self.recipe.name == CRASH and state["on"]:
            torch.nn.Linear(3, 4)(batch[0])  # raised inside torch; the cause is here
        return step(self, batch, generator)

    state = {"on": True}
    monkeypatch.setattr(system, "train_step", train_step)
    registry.register(
        RECIPES["tf-mlp"].model_copy(update={"name": CRASH}), {"ref": "tests:crash", "entry_point": CRASH}
    )
    yield state
    registry.unregister_recipe(CRASH)


@pytest.mark.slow  # two suite runs
def test_a_crashing_run_fails_alone_and_resume_trains_it_once_mended(tmp_path, monkeypatch, crashing):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "f.toml").write_text(SUITE)
    result = CliRunner().invoke(app, ["run", "--suite", "f.toml", "--out", "out", "--quiet", "--samples", "100"])
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    assert f"1 of 2 runs failed: {CRASH} seed 0: RuntimeError: mat1 and mat2 shapes cannot be multiplied" in message
    assert "(at " in message and "test_failed_runs.py:" in message and ", in train_step)" in message
    assert "Traceback" not in result.output
    assert json.loads((tmp_path / "out/tf-mlp/seed-0/metrics.json").read_text())["verdict"]  # the other run
    assert not (tmp_path / f"out/{CRASH}/seed-0/metrics.json").exists()
    # the failed run's 30 steps left the suite's total: before, "30 of 60 steps done, about 0m00s
    # left, more for 1 recipe not timed yet (tf-mlp-crash)"
    assert [line for line in result.stderr.splitlines() if line.startswith("suite:")] == [
        "suite: 30 of 30 steps done, about 0m00s left"
    ]
    crashing["on"] = False  # the bug mended
    again = CliRunner().invoke(app, ["run", "--suite", "f.toml", "--resume", "out", "--quiet", "--samples", "100"])
    assert again.exit_code == 0, again.output
    assert json.loads((tmp_path / f"out/{CRASH}/seed-0/metrics.json").read_text())["verdict"]


def test_a_seed_groups_failed_run_gives_up_its_own_steps_not_the_groups(tmp_path, crashing):
    """Two complete seeds batched as one unit; one's final checkpoint is damaged, so it is redone
    alone, and crashes. It alone failed: before, the error named both seeds. Its 30 steps leave the
    suite's total, not the unit's 60: before, the redone run began a unit of its own, and the total
    fell to 0 with 30 steps done."""
    from gan_bench.executors.local import run_all
    from gan_bench.training.progress import QuietReporter

    out = tmp_path / "o"
    specs = plan_suite("smoke", recipes=["tf-mlp"], seeds=[0, 1], out=out, device="cpu").specs
    specs = [spec.model_copy(update={"recipe": CRASH}) for spec in specs]
    crashing["on"] = False
    run_all(specs, out, resume=False, reporter=QuietReporter(), batch_seeds=2)
    (out / CRASH / "seed-1" / "checkpoints" / "final.pt").write_bytes(b"damaged")
    crashing["on"] = True
    reporter = QuietReporter(suite_steps={CRASH: 60})
    with pytest.raises(RunDirError, match=f"^1 of 2 runs failed: {CRASH} seed 1: RuntimeError: mat1 and mat2"):
        run_all(specs, out, resume=True, reporter=reporter, batch_seeds=2)
    assert (reporter.clock.counted, reporter.clock.total) == (30, 30)
    # in a --jobs worker, the same unit: the complete run's outcome is its own
    outcomes = processes._train_and_score(
        [spec.model_dump(mode="json") for spec in specs],
        [str(out / CRASH / f"seed-{seed}") for seed in (0, 1)],
        None,
        None,
        0,
        queue.Queue(),
        datasets.load,
    )
    assert [outcome["status"] for outcome in outcomes] == ["skipped (complete)", "failed"]


def test_what_raises_after_a_run_finished_fails_it_all_the_same(tmp_path):
    """A run complete on disk when its unit raised is kept only where it was complete before the
    unit began; one that finished in it takes the failure, or the error would go unsaid."""
    from gan_bench.executors.local import run_all
    from gan_bench.training.progress import Reporter

    class Raising(Reporter):
        def run_finished(self, label, summary):
            raise RuntimeError("the caller's reporter failed")

    specs = plan_suite("smoke", recipes=["tf-mlp"], out=tmp_path / "o", device="cpu").specs
    with pytest.raises(RunDirError, match="^1 of 1 runs failed: tf-mlp seed 0: RuntimeError: the caller's reporter"):
        run_all(specs, tmp_path / "o", resume=False, reporter=Raising())
    assert (tmp_path / "o" / "tf-mlp" / "seed-0" / "checkpoints" / "final.pt").is_file()


def test_a_worker_sums_up_its_crash_where_the_traceback_is(tmp_path, crashing):
    spec = plan_suite("smoke", recipes=["tf-mlp"], out=tmp_path / "o", device="cpu").specs[0]
    spec = spec.model_copy(update={"recipe": CRASH})
    [outcome] = processes._train_and_score(
        [spec.model_dump(mode="json")], [str(tmp_path / "run")], None, None, 0, queue.Queue(), datasets.load
    )
    assert outcome["status"] == "failed"
    assert outcome["summary"].startswith("RuntimeError: mat1 and mat2 shapes cannot be multiplied")
    assert "test_failed_runs.py:" in outcome["summary"] and outcome["summary"].endswith(", in train_step)")


def test_a_users_mistake_is_summed_up_as_its_message_alone():
    assert failure_summary(DataError("x.gz: damaged; fetch it again")) == "x.gz: damaged; fetch it again"


@pytest.mark.parametrize(
    "status, summary, line",
    [
        ("trained", "30 steps in 1.2s", "a seed 0: trained. 30 steps in 1.2s"),
        ("failed", "RuntimeError: boom", "a seed 0: failed. RuntimeError: boom"),
        ("skipped (complete)", "fid_lenet 9.1", "a seed 0: scored. fid_lenet 9.1"),  # scored now
        ("skipped (complete)", "", None),  # its own "complete in <run>, skipped" line said it
        ("interrupted", "stopped at step 12", None),  # the suite's end says the stopped runs
        ("not started", "stopped before it began", None),
    ],
)
def test_a_workers_outcome_is_one_line_where_it_adds_something(status, summary, line):
    assert outcome_line("a seed 0", {"status": status, "summary": summary}) == line
