"""A resumed run trains in the environment it began in where ganbench can set it (torch's thread
count, on which the bits depend), and says and records where it cannot (another CPU, its kernels,
another torch), so env.json never claims the environment a run began in for steps trained in another."""

import json
import signal

import pytest
import torch

import gan_bench as gb
from gan_bench.reporting import environments
from gan_bench.rundir.repro import torch_threads
from gan_bench.training.progress import Reporter
from gan_bench.training.signals import Interrupted

STOP = 15  # of 40 steps (toy-gan-pac2) or the smoke profile's 30 (tf-mlp)


class Recorder(Reporter):
    """Keeps the messages; with ``stop_at``, sends this process Ctrl-C after that many steps."""

    def __init__(self, stop_at=None):
        self.stop_at, self.steps, self.messages = stop_at, 0, []

    def advance(self):
        self.steps += 1
        if self.steps == self.stop_at:
            signal.raise_signal(signal.SIGINT)

    def message(self, text):
        self.messages.append(text)


def _train(out, reporter, resume=False, recipe="toy-gan-pac2"):
    # toy-gan-pac2 on the grid: its history differs from the first row between 1 and 2 threads
    dataset, steps = ("grid", 40) if recipe.startswith("toy") else ("mnist", None)
    return gb.train(
        recipe, dataset, profile="smoke", steps=steps, device="cpu", out=out, resume=resume, progress=reporter
    )


def _weights(run):
    state = torch.load(run / "checkpoints" / "final.pt", weights_only=True)["system"]
    return {f"{net}.{k}": v for net in ("G", "D") for k, v in state[net].items()}


@pytest.fixture(scope="module")
def one_thread(tmp_path_factory):
    """The run trained without interruption with one torch thread."""
    out = tmp_path_factory.mktemp("one-thread") / "run"
    with torch_threads(1):
        _train(out, Recorder())
    return out


def _interrupted(out, recipe="toy-gan-pac2"):
    with torch_threads(1), pytest.raises(Interrupted):
        _train(out, Recorder(stop_at=STOP), recipe=recipe)
    assert (out / "checkpoints" / "last.pt").is_file()


def _edit_env(run, **changes):
    env = json.loads((run / "env.json").read_text())
    (run / "env.json").write_text(json.dumps({**env, **changes}))
    return {**env, **changes}


@pytest.mark.slow  # seconds: three toy runs of 40 steps
def test_a_run_resumed_with_other_threads_trains_with_those_it_began_with(tmp_path, one_thread):
    run = tmp_path / "run"
    _interrupted(run)
    env = (run / "env.json").read_bytes()
    reporter = Recorder()
    with torch_threads(2):
        _train(run, reporter, resume=True)
        assert torch.get_num_threads() == 2  # given back when the run ends
    assert (run / "history.csv").read_bytes() == (one_thread / "history.csv").read_bytes()
    mine, theirs = _weights(run), _weights(one_thread)
    assert mine.keys() == theirs.keys() and all(torch.equal(mine[k], theirs[k]) for k in mine)
    assert (run / "env.json").read_bytes() == env  # it began and ended with one thread, as it says
    assert reporter.messages == [
        "profile: smoke (--profile)",  # train says what it chose first
        "toy-gan-pac2 seed 0: resumed with 1 torch thread, as it began (this process had 2), since the bits "
        "depend on the count",
    ]


def test_what_cannot_be_matched_is_said_and_recorded_with_the_step(tmp_path):
    run = tmp_path / "run"
    _interrupted(run, "tf-mlp")
    began = _edit_env(run, torch="0.0.1", cpu_model="Another CPU")  # as if it began on another machine
    reporter = Recorder(stop_at=5)  # interrupted again 5 steps after the resume
    with torch_threads(1), pytest.raises(Interrupted):
        _train(run, reporter, resume=True, recipe="tf-mlp")
    env = json.loads((run / "env.json").read_text())
    now = {"torch": torch.__version__, "cpu_model": env["resumed"][0]["cpu_model"]}
    assert now["cpu_model"] != "Another CPU"
    assert env == {**began, "resumed": [{"step": STOP, **now}]}
    assert reporter.messages == [
        "profile: smoke (--profile)",  # train says what it chose first
        f"{run}: resumed at step {STOP} with CPU {now['cpu_model']} (it trained with Another CPU until then), "
        f"torch {torch.__version__} (it trained with 0.0.1 until then); its bits will differ from an "
        "uninterrupted run's (recorded in env.json)",
    ]
    # resumed again where it last trained: nothing new; on yet another torch: that step is recorded too
    (run / "env.json").write_text(json.dumps({**env, "resumed": [{"step": STOP, **now, "torch": "0.0.2"}]}))
    again = Recorder()
    with torch_threads(1):
        _train(run, again, resume=True, recipe="tf-mlp")
    env = json.loads((run / "env.json").read_text())
    assert env["resumed"] == [{"step": STOP, **now, "torch": "0.0.2"}, {"step": STOP + 5, "torch": torch.__version__}]
    assert again.messages == [
        "profile: smoke (--profile)",  # train says what it chose first
        f"{run}: resumed at step {STOP + 5} with torch {torch.__version__} (it trained with 0.0.2 until then); its "
        "bits will differ from an uninterrupted run's (recorded in env.json)",
    ]
    notes = environments.mixed(environments.of_runs(gb.report([run])))
    assert f"runs differ in torch: 0.0.1, 0.0.2, {torch.__version__}" in notes
    assert f"runs differ in CPU: {', '.join(sorted(['Another CPU', now['cpu_model']]))}" in notes


def test_a_run_resumed_before_its_first_checkpoint_records_the_environment_it_trains_in(tmp_path):
    run = tmp_path / "run"
    _interrupted(run, "tf-mlp")
    (run / "checkpoints" / "last.pt").unlink()  # killed before any checkpoint: it starts again at step 0
    _edit_env(run, torch="0.0.1", torch_threads=7)
    with torch_threads(1):
        _train(run, Recorder(), resume=True, recipe="tf-mlp")
    env = json.loads((run / "env.json").read_text())
    assert (env["torch"], env["torch_threads"]) == (torch.__version__, 1)
    assert "resumed" not in env
