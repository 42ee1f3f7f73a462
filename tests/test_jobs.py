"""run --jobs N: N runs at once, each in its own worker process, with the bits each run has alone
at the same thread count; Ctrl-C stops all workers, keeps finished runs, and --resume completes
the rest with the same bits."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
import torch
from test_engine import exit_code_after_a_hangup

from gan_bench.devices import default_jobs, threads_per_job
from gan_bench.errors import InvalidOption
from gan_bench.rundir.layout import run_dir_for, write_suite_info
from gan_bench.suite.plan import plan_suite
from gan_bench.training import checkpoint
from gan_bench.training.progress import Reporter


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "gan_bench", *args]


def test_threads_per_job_splits_the_cores():
    assert threads_per_job(1, cores=2) == 2
    assert threads_per_job(2, cores=2) == 1
    assert threads_per_job(3, cores=2) == 1  # never below one thread
    assert threads_per_job(4, cores=16) == 4
    assert threads_per_job(8, cores=16) == 2  # on CUDA too: each run's host side gets its share


def test_default_jobs_is_one_on_cpu_and_half_the_cores_up_to_eight_on_cuda_within_memory():
    assert [default_jobs("cpu", cores=c) for c in (1, 2, 64)] == [1, 1, 1]
    roomy = {"host_gib": 512, "device_gib": 141}
    assert [default_jobs("cuda", cores=c, **roomy) for c in (1, 2, 3, 6, 16, 64)] == [1, 1, 1, 3, 8, 8]
    # 4 GiB of host and 3 GiB of device memory a run: a 12 GB card or 16 GB of RAM hold 3 or 4
    assert default_jobs("cuda", cores=16, host_gib=512, device_gib=11.2) == 3
    assert default_jobs("cuda", cores=16, host_gib=15.5, device_gib=141) == 3
    assert default_jobs("cuda:1", cores=16, host_gib=2, device_gib=2) == 1  # never below one


def test_a_cuda_plan_trains_the_default_jobs_at_once(tmp_path, monkeypatch):
    """With no --jobs, a suite run on CUDA trains default_jobs runs (or --batch-seeds groups) at
    once, each with its share of the cores; Ray and an explicit --jobs 1 keep one at a time."""
    from gan_bench import devices

    monkeypatch.setattr(
        devices, "resolve", lambda name="auto", here=True: torch.device("cpu" if name == "cpu" else "cuda")
    )
    monkeypatch.setattr(os, "cpu_count", lambda: 16)
    monkeypatch.setattr(os, "sysconf", {"SC_PAGE_SIZE": 4096, "SC_PHYS_PAGES": 2**25}.get)  # 128 GiB
    monkeypatch.setattr(torch.cuda, "get_device_properties", lambda d: type("P", (), {"total_memory": 80 * 2**30}))
    plan = plan_suite("toy", out=tmp_path / "o", device="cuda")  # 24 runs
    assert plan.jobs == 8
    assert "--jobs 8 (the default on cuda): 24 runs, 8 at a time, 2 torch threads each" in plan.notes
    assert plan_suite("toy", out=tmp_path / "o", device="cuda", jobs=1).jobs == 1
    batched = plan_suite("mnist", out=tmp_path / "o", device="cuda", batch_seeds=3)
    assert batched.jobs == 8
    assert (
        "--jobs 8 (the default on cuda): 27 runs in 19 seed groups, 8 at a time, 2 torch threads each" in batched.notes
    )
    assert plan_suite("toy", out=tmp_path / "o", device="cuda", executor="ray").jobs == 1
    assert plan_suite("toy", out=tmp_path / "o", device="cpu").jobs == 1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (dict(jobs=0), "--jobs: expected a positive integer, got 0"),
        (dict(jobs=2, executor="ray"), "--jobs: applies to --executor local"),
    ],
)
def test_bad_jobs_are_refused_before_anything_is_written(tmp_path, options, message):
    with pytest.raises(InvalidOption, match=message):
        plan_suite("smoke", out=tmp_path / "out", **options)
    assert not (tmp_path / "out").exists()


def test_the_plan_says_how_many_runs_go_at_once_and_with_how_many_threads(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from gan_bench.cli import app

    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert "--jobs" not in " ".join(plan_suite("smoke", out=tmp_path / "o", device="cpu").notes)
    notes = plan_suite("smoke", out=tmp_path / "o", device="cpu", jobs=3).notes
    assert "--jobs 3: 4 runs, 3 at a time, 2 torch threads each" in notes
    more = plan_suite("smoke", out=tmp_path / "o", device="cpu", jobs=6)  # 4 runs: 4 workers share the 8 cores
    assert "--jobs 6: 4 runs, 4 at a time, 2 torch threads each" in more.notes and more.jobs == 4
    one = plan_suite("smoke", recipes=["tf-mlp"], seeds=[0], out=tmp_path / "o", device="cpu", jobs=4)
    assert "--jobs 4: 1 run, 1 at a time" in one.notes and one.jobs == 1  # trained in this process
    # a seed group of --batch-seeds is one unit of work: the four MLP recipes' 3 seeds go as one each
    grouped = plan_suite("mnist", out=tmp_path / "o", device="cpu", jobs=4, batch_seeds=3)
    assert "--jobs 4: 27 runs in 19 seed groups, 4 at a time, 2 torch threads each" in grouped.notes
    one_group = plan_suite("mnist", recipes=["tf-mlp"], out=tmp_path / "o", device="cpu", jobs=2, batch_seeds=3)
    assert "--jobs 2: 3 runs in 1 seed group, 1 at a time" in one_group.notes and one_group.jobs == 1
    # resuming, runs that stopped at different steps are grouped as the executors will group them
    write_suite_info(tmp_path / "r", one_group.record())
    checkpoint.save(run_dir_for(tmp_path / "r", one_group.specs[0]).last_checkpoint, {"step": 12})
    resumed = plan_suite("mnist", recipes=["tf-mlp"], resume=tmp_path / "r", device="cpu", jobs=2, batch_seeds=3)
    assert "--jobs 2: 3 runs in 2 seed groups, 2 at a time, 4 torch threads each" in resumed.notes
    assert resumed.jobs == 2
    dry = CliRunner().invoke(app, ["run", "--suite", "smoke", "--jobs", "2", "--dry-run", "--out", str(tmp_path / "o")])
    assert dry.exit_code == 0 and "--jobs 2: 4 runs, 2 at a time, 4 torch threads each" in dry.output
    # more runs at once than cores on CPU: said, since they only take turns on the cores
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    crowded = plan_suite("smoke", out=tmp_path / "o", device="cpu", jobs=3).notes
    assert "--jobs 3: 4 runs, 3 at a time, 1 torch thread each; more runs at once than the 2 cores, " in " ".join(
        crowded
    )
    assert "cores" not in " ".join(plan_suite("smoke", out=tmp_path / "o", device="cpu", jobs=2).notes)


def test_cli_refuses_jobs_zero(tmp_path):
    from typer.testing import CliRunner

    from gan_bench.cli import app

    done = CliRunner().invoke(app, ["run", "--suite", "smoke", "--jobs", "0", "--out", str(tmp_path / "o")])
    assert done.exit_code == 2 and "--jobs: expected a positive integer, got 0" in done.output
    assert not (tmp_path / "o").exists()


SUITE = 'name = "j"\ndataset = "mnist"\nseeds = [0, 1, 2]\nrecipes = ["keras-mlp"]\nprofile = "smoke"\n[steps]\n"keras-mlp" = {steps}\n'


def _final(run):
    state = torch.load(run / "checkpoints" / "final.pt", weights_only=True)["system"]
    return {f"{n}.{k}": v for n in ("G", "D") for k, v in state[n].items()}


def _same_runs(a, b, seeds=(0, 1, 2)):
    for seed in seeds:
        ra, rb = a / "keras-mlp" / f"seed-{seed}", b / "keras-mlp" / f"seed-{seed}"
        assert (ra / "history.csv").read_bytes() == (rb / "history.csv").read_bytes(), seed
        wa, wb = _final(ra), _final(rb)
        assert wa.keys() == wb.keys() and all(torch.equal(wa[k], wb[k]) for k in wa), seed


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The suite one run at a time, each with the thread count a --jobs 2 worker gets here."""
    root = tmp_path_factory.mktemp("jobs")
    (root / "j.toml").write_text(SUITE.format(steps=60))
    threads = threads_per_job(2)
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    base = ["run", "--suite", str(root / "j.toml"), "--device", "cpu", "--quiet", "--samples", "100"]
    subprocess.run(_cli(*base, "--out", str(root / "one")), check=True, capture_output=True, env=env)
    return root, base, threads


@pytest.mark.slow
def test_jobs_2_gives_each_run_its_own_bits(reference):
    root, base, threads = reference
    done = subprocess.run(_cli(*base, "--jobs", "2", "--out", str(root / "two")), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "--jobs 2: 3 runs, 2 at a time" in done.stderr
    _same_runs(root / "two", root / "one")
    for seed in (0, 1, 2):
        env = json.loads((root / "two" / "keras-mlp" / f"seed-{seed}" / "env.json").read_text())
        assert env["torch_threads"] == threads
        assert (root / "two" / "keras-mlp" / f"seed-{seed}" / "metrics.json").is_file()
    again = subprocess.run(
        _cli("run", "--resume", "two", "--jobs", "2", "--quiet"), capture_output=True, text=True, cwd=root
    )
    assert again.returncode == 0, again.stderr
    for seed in (0, 1, 2):  # each complete run said once, by its own line, as without --jobs: as given
        said = [line for line in again.stderr.splitlines() if line.startswith(f"keras-mlp seed {seed}:")]
        assert said == [f"keras-mlp seed {seed}: complete in {Path('two', 'keras-mlp', f'seed-{seed}')}, skipped"]


@pytest.mark.slow
def test_ctrl_c_stops_every_worker_and_resume_completes_with_the_same_bits(reference):
    """With --batch-seeds 2 too: seeds 0 and 1 train as one batched model in a worker, seed 2 alone
    in the parent's lane, and each run still ends with the bits it has trained alone."""
    root, base, _ = reference
    out = root / "stopped"
    lanes = ["--jobs", "2", "--batch-seeds", "2"]
    proc = subprocess.Popen(_cli(*base, *lanes, "--out", str(out)), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 180
    while not list(out.glob("keras-mlp/seed-*/checkpoints/last.pt")):
        assert proc.poll() is None, proc.communicate()
        assert time.time() < deadline, "no checkpoint appeared"
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=180)
    err = err.decode()
    assert proc.returncode == 130, err
    assert "--jobs 2: 3 runs in 2 seed groups, 2 at a time" in err
    assert "keras-mlp seeds 0,1: 60 steps" in err  # one batched model in a worker
    assert f"continue the suite run with `ganbench run --resume {out}`" in " ".join(err.split())
    finals = list(out.glob("keras-mlp/seed-*/checkpoints/final.pt"))
    assert len(finals) < 3, "Ctrl-C came too late to test resume"
    resumed = subprocess.run(_cli(*base, *lanes, "--resume", str(out)), capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    _same_runs(out, root / "one")
    assert _suite_steps_shown(resumed.stderr) == 180  # steps found done count once, toward the total


@pytest.mark.slow
def test_a_terminal_that_hangs_up_stops_every_worker_and_resume_completes(reference):
    root, base, _ = reference
    out = root / "hung-up"

    def began() -> bool:
        return bool(list(out.glob("keras-mlp/seed-*/checkpoints/last.pt")))

    assert exit_code_after_a_hangup([*base, "--jobs", "2", "--out", str(out)], began) == 130
    assert len(list(out.glob("keras-mlp/seed-*/checkpoints/final.pt"))) < 3, "the hangup came too late"
    resumed = subprocess.run(_cli(*base, "--jobs", "2", "--resume", str(out)), capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    _same_runs(out, root / "one")


def _tagged(tag: str) -> list[int]:
    """The processes whose environment holds ``tag`` (the suite process, its forkserver and workers)."""
    pids = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if tag.encode() in environ.read_bytes():
                pids.append(int(environ.parent.name))
        except OSError:  # exited meanwhile, or not ours
            continue
    return pids


def _jobs_2_until_the_worker_trains(base: list[str], out: Path):
    """The suite under --jobs 2 into ``out``, once its worker has begun seed 0: the environment
    tag its processes carry, the suite process, its stderr lines so far, and their reader (which
    goes on adding them until the process ends)."""
    env = {**os.environ, "GANBENCH_TEST_ORPHANS": str(out)}
    proc = subprocess.Popen(_cli(*base, "--jobs", "2", "--out", str(out)), stderr=subprocess.PIPE, text=True, env=env)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True)
    reader.start()
    deadline = time.time() + 180
    while not any("keras-mlp seed 0: 60 steps" in line for line in lines):
        assert proc.poll() is None, "".join(lines)
        assert time.time() < deadline, "the worker's run did not begin"
        time.sleep(0.02)
    return f"GANBENCH_TEST_ORPHANS={out}", proc, lines, reader


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/environ").is_file(), reason="finds the workers through /proc (Linux)")
def test_workers_stop_and_exit_when_the_suite_process_is_killed(reference):
    """A kill that reaches only the suite process (SIGKILL, or a hangup: workers are in their own
    process group) must not leave workers training outside the output lock and then waiting
    forever: the worker's run checkpoints at its next step, every worker exits, and --resume
    completes the suite with the same bits."""
    root, base, _ = reference
    out = root / "killed"
    tag, proc, lines, _ = _jobs_2_until_the_worker_trains(base, out)
    try:
        proc.kill()
        proc.wait()
        deadline = time.time() + 60
        while left := _tagged(tag):
            assert time.time() < deadline, f"processes {left} still there 60 s after the suite process was killed"
            time.sleep(0.2)
    finally:
        for pid in _tagged(tag):
            os.kill(pid, signal.SIGKILL)
    worker_run = out / "keras-mlp" / "seed-0"
    assert (worker_run / "checkpoints" / "last.pt").is_file()
    assert not (worker_run / "checkpoints" / "final.pt").exists(), "the worker trained on after the kill"
    assert not (worker_run / "metrics.json").exists()
    resumed = subprocess.run(_cli(*base, "--jobs", "2", "--resume", str(out)), capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    _same_runs(out, root / "one")


def _worker_of(suite_pid: int, tag: str) -> int | None:
    """The run --jobs worker among the tagged processes: a child of the forkserver, itself the suite process's child."""
    parents = {}
    for pid in _tagged(tag):
        try:
            parents[pid] = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return next((pid for pid, ppid in parents.items() if ppid != suite_pid and parents.get(ppid) == suite_pid), None)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/environ").is_file(), reason="finds the workers through /proc (Linux)")
def test_a_worker_killed_mid_run_is_replaced_and_its_run_resumed_with_the_same_bits(reference):
    """A worker killed without a word (the out-of-memory killer's SIGKILL) broke the one process
    pool all lanes shared: the suite crashed with a traceback, its other runs lost. Now a fresh
    worker takes the lane over and resumes the run, and every run has the bits it has alone."""
    root, base, _ = reference
    out = root / "worker-killed"
    tag, proc, lines, reader = _jobs_2_until_the_worker_trains(base, out)
    worker = _worker_of(proc.pid, tag)
    assert worker is not None
    os.kill(worker, signal.SIGKILL)
    assert proc.wait(timeout=300) == 0, "".join(lines)
    reader.join(10)
    err = " ".join("".join(lines).split())
    assert (
        "keras-mlp seed 0: its worker process died (killed, out of memory, or crashed); a fresh worker resumes it "
        "from its last checkpoint (retry 1 of 3)"
    ) in err
    _same_runs(out, root / "one")
    assert _suite_steps_shown(err) == 180, err  # the dead worker's steps are not counted twice


def _suite_steps_shown(log: str) -> int:
    """The most steps a quiet suite log said were done, out of the suite's 180."""
    shown = re.findall(r"suite: ([\d,]+) of 180 steps done", log)
    assert shown, log
    return max(int(n.replace(",", "")) for n in shown)


DIES_IN_A_WORKER = """

def _die_in_a_worker():
    import multiprocessing, os, signal
    if multiprocessing.parent_process() is not None:  # a run --jobs worker, not the ganbench process
        os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.slow
def test_a_run_whose_worker_dies_every_time_fails_alone(tmp_path):
    """A plug-in whose training step kills its worker (as a crash in native code would): fresh
    workers retry the run 3 times, then it is reported failed, while the suite's other run trains
    and scores, and the command ends with the one error naming it."""
    from test_plugins import PLUGIN, plugin_module, suite

    step = "    def train_step(self, batch, generator):\n"
    body = PLUGIN.format(name="dies", extra="pass").replace(step, step + "        _die_in_a_worker()\n")
    module, _ = plugin_module(tmp_path, body=body + DIES_IN_A_WORKER)
    path = suite(tmp_path, [f"{module}:RECIPE", "tf-mlp"])
    options = ["--jobs", "2", "--device", "cpu", "--samples", "100", "--quiet", "--out", "o"]
    done = subprocess.run(_cli("run", "--suite", str(path), *options), capture_output=True, text=True, cwd=tmp_path)
    err = " ".join(done.stderr.split())
    assert done.returncode == 2, err
    assert [f"retry {k} of 3" in err for k in (1, 2, 3, 4)] == [True, True, True, False]
    assert (
        "1 of 2 runs failed: dies seed 0: its worker process died 4 times (killed, out of memory, or crashed); "
        "--resume continues it from its last checkpoint"
    ) in err
    assert "Traceback" not in err
    assert (tmp_path / "o" / "tf-mlp" / "seed-0" / "metrics.json").is_file()
    assert not (tmp_path / "o" / "dies" / "seed-0" / "checkpoints" / "final.pt").exists()
    # the failed run's steps left the suite's total (6 of 12 before), whichever run ended last
    assert [line for line in done.stderr.splitlines() if line.startswith("suite:")][-1] == (
        "suite: 6 of 6 steps done, about 0m00s left"
    )


HANGS_IN_A_WORKER = """

def _hang_in_a_worker():
    import multiprocessing, os, pathlib, time
    if multiprocessing.parent_process() is not None:  # a run --jobs worker, not the ganbench process
        pathlib.Path("hung.pid").write_text(str(os.getpid()))
        time.sleep(600)  # a step that never returns: a SIGTERM's handler returns, and the sleep goes on
"""


def _alive(pid: int) -> bool:
    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()  # a zombie has ended
    except FileNotFoundError:
        return False


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="watches the worker through /proc (Linux)")
def test_a_second_ctrl_c_ends_a_worker_whose_run_does_not_stop(tmp_path):
    """A run that never reaches its next step held `run --jobs` after any number of Ctrl-Cs; a
    second one now kills the workers, as it stops a lone run at once, and the command exits 130."""
    from test_plugins import PLUGIN, plugin_module, suite

    step = "    def train_step(self, batch, generator):\n"
    body = PLUGIN.format(name="hangs", extra="pass").replace(step, step + "        _hang_in_a_worker()\n")
    module, _ = plugin_module(tmp_path, body=body + HANGS_IN_A_WORKER)
    path = suite(tmp_path, [f"{module}:RECIPE", "tf-mlp"])
    options = ["--jobs", "2", "--device", "cpu", "--samples", "100", "--quiet", "--out", "o"]
    proc = subprocess.Popen(
        _cli("run", "--suite", str(path), *options), stderr=subprocess.PIPE, text=True, cwd=tmp_path
    )
    hung = tmp_path / "hung.pid"
    try:
        deadline = time.time() + 180
        while not (hung.is_file() and hung.read_text()):
            assert proc.poll() is None and time.time() < deadline, proc.stderr.read()
            time.sleep(0.05)
        worker = int(hung.read_text())
        proc.send_signal(signal.SIGINT)
        time.sleep(3)
        assert proc.poll() is None, "the first Ctrl-C waits for the runs to stop"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 130
        err = " ".join(proc.stderr.read().split())
        assert "Traceback" not in err
        assert "suite run: o (continue it with `ganbench run --resume o`)" in err
        deadline = time.time() + 30
        while _alive(worker):
            assert time.time() < deadline, "the worker still runs"
            time.sleep(0.1)
        # what the killed worker left does not stand in the way: in one process, the plug-in trains
        resumed = subprocess.run(_cli("run", "--quiet", "--resume", "o"), capture_output=True, text=True, cwd=tmp_path)
        assert resumed.returncode == 0, resumed.stderr
        assert len(list((tmp_path / "o").glob("*/seed-0/metrics.json"))) == 2
    finally:
        proc.kill()
        if hung.is_file() and hung.read_text():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(hung.read_text()), signal.SIGKILL)


def test_a_lane_whose_worker_died_between_two_units_gets_a_fresh_one():
    """A worker killed while idle (after one run, before the next) breaks its pool, which then
    refuses the next unit at submit: the BrokenProcessPool escaped `run --jobs` as a traceback."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from gan_bench.executors.worker_lanes import WorkerLanes

    ctx = multiprocessing.get_context("spawn")
    workers = WorkerLanes(1, lambda lane: ProcessPoolExecutor(1, mp_context=ctx))
    try:
        workers.submit(0, 0, os.getpid)
        [(future, _, _)] = workers.finished(60)
        first = future.result()
        os.kill(first, signal.SIGKILL)
        deadline = time.time() + 30
        while not workers.pools[0]._broken:  # the pool has seen its worker die (its manager thread)
            assert time.time() < deadline, "the pool never saw its worker die"
            time.sleep(0.02)
        workers.submit(0, 1, os.getpid)
        [(future, unit, lane)] = workers.finished(60)
        assert (unit, lane) == (1, 0) and future.result() not in (first, os.getpid())
    finally:
        workers.shutdown()


@pytest.mark.slow
def test_the_suite_process_trains_its_lane_while_the_first_worker_starts(tmp_path, monkeypatch):
    """Starting the first worker waits for the forkserver to import torch and ganbench (1.6 s on
    2 cores); the suite process's own lane used to wait with it. The first worker is now started
    only once this process's lane has begun its run, and still gets the suite's first run."""
    import gan_bench as gb
    from gan_bench.executors import processes, worker_lanes

    began, waited, own = threading.Event(), [], []
    train_and_score = processes._train_and_score

    def own_lane(spec_jsons, *args):
        own.append(spec_jsons[0]["seed"])
        began.set()
        return train_and_score(spec_jsons, *args)

    submit = worker_lanes.WorkerLanes.submit

    def submit_once_the_own_lane_trains(self, lane, unit, *args):
        waited.append(began.wait(timeout=20))
        return submit(self, lane, unit, *args)

    monkeypatch.setattr(processes, "_train_and_score", own_lane)
    monkeypatch.setattr(worker_lanes.WorkerLanes, "submit", submit_once_the_own_lane_trains)
    (tmp_path / "j.toml").write_text(SUITE.format(steps=20))
    shown = _ShownBy()
    options = dict(seeds=[0, 1], out=tmp_path / "o", device="cpu", jobs=2, samples=100, progress=shown)
    done = gb.run_suite(tmp_path / "j.toml", **options)
    assert [r.status for r in done.results] == ["trained", "trained"]
    assert waited == [True] and own == [1]  # seed 0, the first, went to the worker
    # one thread shows the lanes' progress, and each run's outcome before the time left it leaves
    assert {thread for thread, _ in shown.calls} == {"ganbench-suite-relay"}
    said = [text for _, text in shown.calls]
    for seed in (0, 1):
        line = next(i for i, text in enumerate(said) if text.startswith(f"keras-mlp seed {seed}: trained."))
        assert said[line + 1] == "time left", said


class _ShownBy(Reporter):
    """Records each line the suite display is given, and the thread that gave it."""

    def __init__(self):
        self.calls = []

    def message(self, text):
        self.calls.append((threading.current_thread().name, text))

    def suite_time_left(self):
        self.calls.append((threading.current_thread().name, "time left"))

    def suite_advance(self, steps, trained=True):
        self.calls.append((threading.current_thread().name, f"{steps} steps"))


def test_a_worker_that_reports_its_pid_after_the_stop_is_told_then():
    """stop() SIGTERMs the workers whose pid it knows; a worker started while the stop came (its
    pid on its way through its queue) used to be told nothing, and trained its whole run."""
    from gan_bench.executors.worker_lanes import WorkerLanes

    workers = WorkerLanes(2, lambda lane: None)
    before, after = (subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) for _ in range(2))
    try:
        workers.worker_started(0, before.pid)
        assert before.poll() is None  # not told before the stop
        workers.stop()
        assert before.wait(30) == -signal.SIGTERM
        workers.worker_started(1, after.pid)
        assert after.wait(30) == -signal.SIGTERM
        assert workers.pids == {0: before.pid, 1: after.pid}
    finally:
        for child in (before, after):
            child.kill()
            child.wait()


def test_kill_ends_the_workers_at_once_and_one_that_reports_its_pid_later_too():
    """A second Ctrl-C: the workers' runs may not stop (a step that never returns), so each worker
    is killed, one whose pid comes after the kill included."""
    from gan_bench.executors.worker_lanes import WorkerLanes

    workers = WorkerLanes(2, lambda lane: None)
    # SIGTERM ignored: a run in training takes it as a request to stop at its next step
    ignores = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print(flush=True); time.sleep(60)"
    before, after = (subprocess.Popen([sys.executable, "-c", ignores], stdout=subprocess.PIPE) for _ in range(2))
    try:
        for child in (before, after):
            child.stdout.readline()  # its handler is set
        workers.worker_started(0, before.pid)
        workers.stop()
        with pytest.raises(subprocess.TimeoutExpired):
            before.wait(1)
        workers.kill()
        assert before.wait(30) == -signal.SIGKILL
        workers.worker_started(1, after.pid)
        assert after.wait(30) == -signal.SIGKILL
    finally:
        for child in (before, after):
            child.kill()
            child.wait()


def test_a_workers_sigterm_before_its_run_trains_stops_that_run_at_its_first_step(monkeypatch):
    """A SIGTERM while a worker loads its unit's data (after its check that it was not stopped,
    before training installs its own handler) only marked the worker stopped, so the run trained
    to the end; it now also asks the run to stop at its next step, as training's handler does."""
    from gan_bench.executors import processes
    from gan_bench.training import signals

    monkeypatch.setattr(processes, "_STOPPED", threading.Event())
    monkeypatch.setattr(signals, "STOP_REQUESTED", threading.Event())
    processes._stop_worker(signal.SIGTERM, None)
    assert processes._STOPPED.is_set() and signals.STOP_REQUESTED.is_set()
    assert signals.StopFlag()  # what the training loop checks between steps


@pytest.mark.slow
def test_ctrl_c_while_the_first_worker_starts_stops_its_run_too(tmp_path, monkeypatch):
    """Ctrl-C while the first worker starts: that worker used to train its whole run (2,000 steps
    here) while the command waited, and the second worker was still given its first run."""
    import gan_bench as gb
    from gan_bench.executors import worker_lanes
    from gan_bench.training.signals import Interrupted

    submitted = []
    submit = worker_lanes.WorkerLanes.submit

    def submit_as_ctrl_c_comes(self, lane, unit, *args):
        submitted.append(unit)
        if len(submitted) == 1:
            os.kill(os.getpid(), signal.SIGINT)  # handled at once, on this (the main) thread
        return submit(self, lane, unit, *args)

    monkeypatch.setattr(worker_lanes.WorkerLanes, "submit", submit_as_ctrl_c_comes)
    (tmp_path / "j.toml").write_text(SUITE.format(steps=2000))
    with pytest.raises(Interrupted, match="0 of 3 runs finished"):
        gb.run_suite(tmp_path / "j.toml", out=tmp_path / "o", device="cpu", jobs=3, samples=100)
    assert submitted == [0]  # seed 1, claimed for the second worker, was never handed out
    assert not list((tmp_path / "o").glob("keras-mlp/seed-*/checkpoints/final.pt"))


@pytest.mark.slow
def test_ctrl_c_while_both_lanes_score_stops_their_scoring_and_resume_scores_them(tmp_path):
    """Both lanes' scoring went on to the end after a Ctrl-C: the suite process's lane scores in a
    thread, which the signal does not interrupt, and the worker's SIGTERM handler only marked it
    stopped. Each now stops at its scoring's next batch, and --resume scores both runs."""
    (tmp_path / "j.toml").write_text(SUITE.format(steps=20))
    # 3,000 samples: the first lane is still scoring when the second, started later, begins to
    options = ["--seeds", "0,1", "--device", "cpu", "--quiet", "--jobs", "2", "--samples", "3000"]
    out = tmp_path / "o"
    proc = subprocess.Popen(
        _cli("run", "--suite", str(tmp_path / "j.toml"), *options, "--out", str(out)), stderr=subprocess.PIPE, text=True
    )
    lines = []
    for line in proc.stderr:
        lines.append(line)
        if sum(": scoring" in seen for seen in lines) == 2:
            proc.send_signal(signal.SIGINT)
            break
    lines += proc.stderr.readlines()
    assert proc.wait(timeout=120) == 130, "".join(lines)
    assert not list(out.glob("keras-mlp/seed-*/metrics.json")), "".join(lines)
    err = " ".join("".join(lines).split())
    assert "0 of 2 runs finished" in err and "one stopped while being scored is scored on --resume" in err
    resumed = subprocess.run(_cli("run", "--quiet", "--resume", str(out)), capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stderr.count("trained earlier, scored now") == 2
    assert len(list(out.glob("keras-mlp/seed-*/metrics.json"))) == 2


def test_workers_start_by_spawn_where_the_temp_dir_leaves_no_room_for_the_forkserver_socket(monkeypatch):
    from gan_bench.executors import worker_server

    monkeypatch.setattr(tempfile, "tempdir", "/tmp")
    assert worker_server.start_method() == "forkserver"
    monkeypatch.setattr(tempfile, "tempdir", "/scratch/slurm/job-123456789/" + "x" * 60)
    assert worker_server.start_method() == "spawn"


_EARLY_START = """
import os, sys
from gan_bench.api.runs import start_workers_early
start_workers_early({executor!r}, {jobs!r})

def servers():
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat, cmd = open(f"/proc/{{pid}}/stat").read(), open(f"/proc/{{pid}}/cmdline", "rb").read()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == os.getpid() and b"multiprocessing.forkserver" in cmd:
            found.append(pid)
    return found

print(len(servers()), "torch" in sys.modules, flush=True)
if servers():
    from gan_bench.executors import worker_server
    probe = "import sys; print(sorted(m for m in ('torch._dynamo', 'gan_bench.scoring.score_run') if m in sys.modules))"
    worker = worker_server.context().Process(target=exec, args=(probe,))
    worker.start()
    worker.join()
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the process table in /proc")
@pytest.mark.parametrize(
    ("executor", "jobs", "said"),
    [
        ("local", 2, ["1 False", "['gan_bench.scoring.score_run', 'torch._dynamo']"]),
        ("local", 1, ["0 False"]),
        ("local", None, ["0 False"]),
        ("ray", 2, ["0 False"]),
    ],
)
def test_the_workers_server_starts_before_torch_is_imported_here_and_preloads_their_imports(executor, jobs, said):
    """With --jobs N > 1 the server the workers fork from starts first, while this process has not
    imported torch yet; a worker forked from it finds torch, its optimizers' torch._dynamo and
    ganbench's scoring imported."""
    script = _EARLY_START.format(executor=executor, jobs=jobs)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == said


@pytest.mark.slow
def test_jobs_2_trains_the_suite_under_a_long_temp_dir(tmp_path):
    """A $TMPDIR too long for a Unix socket below it (as on many clusters) crashed --jobs 2 with
    "OSError: AF_UNIX path too long" on CPython before 3.13.4; the workers now start by spawn."""
    long = tmp_path / ("t" * 100)
    long.mkdir()
    env = {**os.environ, "TMPDIR": str(long)}
    done = subprocess.run(
        _cli("run", "--suite", "smoke", "--jobs", "2", "--quiet", "--samples", "100", "--out", str(tmp_path / "o")),
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert len(list((tmp_path / "o").glob("*/seed-0/metrics.json"))) == 4


DIES_ONCE_AT_STEP_25 = """

def _die_in_a_worker():  # once, at step 25, after some steps have reached the suite display
    import multiprocessing, os, pathlib, signal, time
    global _CALLS
    _CALLS = globals().get("_CALLS", 0) + 1
    time.sleep(0.05)
    marker = pathlib.Path({marker!r})
    if multiprocessing.parent_process() is not None and _CALLS == 25 and not marker.exists():
        marker.touch()
        {before_dying}
        os.kill(os.getpid(), signal.SIGKILL)
"""
# as a kill landing while the worker's queue feeder writes: its write lock, shared across processes, stays held
HOLDING_ITS_EVENT_QUEUES_LOCK = "from gan_bench.executors import processes; processes._EVENTS._wlock.acquire()"


@pytest.mark.slow
@pytest.mark.parametrize("before_dying", ["pass", HOLDING_ITS_EVENT_QUEUES_LOCK])
def test_the_steps_a_dead_worker_showed_leave_the_suite_count(tmp_path, before_dying):
    """The fresh worker resumes the run from its last checkpoint (step 20) and shows steps 20 to 40
    again; the steps the dead worker had shown must leave the count, or the suite's steps done
    pass its total and its time left reads too short. A worker killed while holding its event
    queue's write lock left one queue shared by all lanes stuck: the other lanes' steps never
    arrived, and the suite hung at its exit."""
    from test_plugins import PLUGIN, plugin_module, suite

    step = "    def train_step(self, batch, generator):\n"
    body = PLUGIN.format(name="dies-once", extra="pass").replace(step, step + "        _die_in_a_worker()\n")
    body = body.replace(
        "Schedule(steps=6, log_every=2, sample_first=0, sample_every=3, checkpoint_every=3)",
        "Schedule(steps=40, log_every=5, sample_first=0, sample_every=20, checkpoint_every=10)",
    )
    dies = DIES_ONCE_AT_STEP_25.format(marker=str(tmp_path / "died"), before_dying=before_dying)
    module, _ = plugin_module(tmp_path, body=body + dies)
    path = suite(tmp_path, [f"{module}:RECIPE", "tf-mlp"])
    options = ["--jobs", "2", "--device", "cpu", "--samples", "100", "--quiet", "--out", "o"]
    command = _cli("run", "--suite", str(path), *options)
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=300)
    err = " ".join(done.stderr.split())
    assert done.returncode == 0, err
    assert (tmp_path / "died").exists() and "retry 1 of 3" in err
    assert "dies-once seed 0: 40 steps (resuming at step 20)" in err
    shown = [int(n.replace(",", "")) for n in re.findall(r"suite: ([\d,]+) of 46 steps done", err)]
    assert max(shown) == 46, err


UNGUARDED_SCRIPT = """
import gan_bench as gb

print("the script's body runs")
suite_run = gb.run_suite("smoke", out="o", jobs=2, samples=100)
print([result.status for result in suite_run.results], __spec__)
"""


@pytest.mark.slow
def test_a_script_without_a_main_guard_runs_once_under_jobs_2(tmp_path):
    """Workers started by multiprocessing run the main script again unless it is guarded by
    `if __name__ == "__main__":`; the README's Python quick start is not (nor are most notebooks
    turned scripts), and on CUDA it trains several runs at once by default. Each worker then
    started the suite again and died, and the suite failed."""
    (tmp_path / "quick.py").write_text(UNGUARDED_SCRIPT)
    done = subprocess.run([sys.executable, "quick.py"], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "the script's body runs",
        "['trained', 'trained', 'trained', 'trained'] None",  # and the script's __spec__ is as it was
    ]
