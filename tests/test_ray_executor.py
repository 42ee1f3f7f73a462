"""--executor ray on a local cluster of a head and worker nodes (ray.cluster_utils): a suite runs
to the same bits as the local executor; the node running a task is removed mid-run, Ray retries
the task on another node, and the retry resumes from the lost node's checkpoint (not from scratch)
to the same bits as an uninterrupted run. A run that fails for good exits 2 and keeps the others."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
import torch

pytestmark = [pytest.mark.ray, pytest.mark.slow]

SUITE = """name = "r"
dataset = "mnist"
seeds = [0, 1]
recipes = ["keras-mlp"]
profile = "smoke"
[steps]
"keras-mlp" = 150
"""


def ganbench(*args):
    return [sys.executable, "-m", "gan_bench", *map(str, args)]


@pytest.fixture(scope="module")
def cluster():
    """A head that runs no tasks; each test adds the worker nodes it needs."""
    from ray.cluster_utils import Cluster

    temp = tempfile.mkdtemp(prefix="ray")  # short: Ray's socket paths must fit in 107 bytes
    os.makedirs(os.path.join(temp, "ray"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RAY_TMPDIR", temp)  # Ray writes its address file to $RAY_TMPDIR/ray, not /tmp/ray
        c = Cluster(
            initialize_head=True,
            connect=False,
            head_node_args={"num_cpus": 0, "include_dashboard": False, "temp_dir": os.path.join(temp, "ray")},
        )
        yield c
        c.shutdown()
    shutil.rmtree(temp, ignore_errors=True)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The same suite, uninterrupted, on the local executor, with one thread as a Ray task of 1 CPU has
    (the bits of a CPU run depend on its thread count)."""
    root = tmp_path_factory.mktemp("reference")
    (root / "r.toml").write_text(SUITE)
    done = subprocess.run(
        ganbench(
            "run", "--suite", root / "r.toml", "--out", root / "out", "--device", "cpu", "--quiet", "--samples", "500"
        ),
        capture_output=True,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    assert done.returncode == 0, done.stderr
    return root / "out"


def g_weights(run):
    return torch.load(run / "checkpoints" / "final.pt", weights_only=True)["system"]["G"]


def on_ray(cluster) -> list[str]:
    return ["--executor", "ray", "--address", cluster.address, "--quiet"]


def start_suite(tmp_path, cluster) -> tuple[subprocess.Popen, Path]:
    """``run`` of SUITE on the cluster into tmp_path/out, started; the process and its --out."""
    (tmp_path / "r.toml").write_text(SUITE)
    out = tmp_path / "out"
    suite = ["run", "--suite", tmp_path / "r.toml", "--out", out, "--device", "cpu", "--samples", "500"]
    proc = subprocess.Popen(
        ganbench(*suite, *on_ray(cluster)), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    return proc, out


def first_checkpoint(out, proc) -> int:
    """The step of seed 0's first checkpoint, once written (while the suite runs)."""
    last = out / "keras-mlp" / "seed-0" / "checkpoints" / "last.pt"
    deadline = time.time() + 300
    while not last.is_file() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.1)
    assert last.is_file(), "the run never reached its first checkpoint"
    return torch.load(last, weights_only=True)["step"]


def assert_same_bits(out, reference) -> None:
    """Each seed's history, G's weights and metrics are the uninterrupted reference's."""
    for seed in (0, 1):
        ours, theirs = out / "keras-mlp" / f"seed-{seed}", reference / "keras-mlp" / f"seed-{seed}"
        assert (ours / "history.csv").read_bytes() == (theirs / "history.csv").read_bytes()
        a, b = g_weights(ours), g_weights(theirs)
        assert all(torch.equal(a[k], b[k]) for k in a)
        assert (
            json.loads((ours / "metrics.json").read_text())["metrics"]
            == json.loads((theirs / "metrics.json").read_text())["metrics"]
        )


def suite_lines(stderr: str) -> list[str]:
    """The driver's "suite: N of M steps done, about T left" lines."""
    return [line for line in stderr.splitlines() if line.startswith("suite: ")]


def test_removed_node_task_resumes_on_the_other_node_with_the_same_bits(tmp_path, cluster, reference):
    doomed = cluster.add_node(num_cpus=2)
    cluster.wait_for_nodes()
    proc, out = start_suite(tmp_path, cluster)
    run = out / "keras-mlp" / "seed-0"
    step = first_checkpoint(out, proc)
    assert not (run / "checkpoints" / "final.pt").exists()
    rows_before = (run / "timing.csv").read_text().splitlines()
    # the node goes first, so no time passes between the checkpoint and the loss; the retried
    # tasks wait for the node that joins next
    cluster.remove_node(doomed, allow_graceful=False)
    cluster.add_node(num_cpus=2)
    _, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr
    assert "2 runs on Ray" in stderr.splitlines()  # runs, not "2 runs on Ray: 2 steps"
    assert suite_lines(stderr)[-1].startswith("suite: 300 of 300 steps done")  # the retry's redone steps once
    assert "keras-mlp seed 0: resumed" in stderr  # the retry continued the lost node's run
    # the wall times logged up to the checkpoint are the lost worker's own: nothing was redone
    kept = [r for r in rows_before[1:] if int(r.split(",")[0]) <= step]
    assert kept and (run / "timing.csv").read_text().splitlines()[1 : len(kept) + 1] == kept
    assert_same_bits(out, reference)


def test_a_run_that_fails_for_good_exits_2_and_keeps_the_others(tmp_path, cluster, reference):
    cluster.add_node(num_cpus=2)
    cluster.wait_for_nodes()
    out = tmp_path / "out"
    # seed 1 holds a checkpoint of another spec: its task fails in the worker, and retrying cannot help
    broken = out / "keras-mlp" / "seed-1"
    shutil.copytree(reference / "keras-mlp" / "seed-1", broken)
    (broken / "metrics.json").unlink()
    state = torch.load(broken / "checkpoints" / "final.pt", weights_only=True)
    state["spec_hash"] = "0" * 64
    torch.save(state, broken / "checkpoints" / "last.pt")
    (broken / "checkpoints" / "final.pt").unlink()
    timing = (broken / "timing.csv").read_text().splitlines(keepends=True)
    (broken / "timing.csv").write_text("".join(timing[: len(timing) // 2]))  # its steps, as far as it got
    shutil.copy(reference.parent / "r.toml", tmp_path / "r.toml")
    shutil.copy(reference / "suite.json", out / "suite.json")  # names ../r.toml, as here
    done = subprocess.run(
        ganbench(
            "run",
            "--suite",
            tmp_path / "r.toml",
            "--out",
            out,
            "--resume",
            out,
            "--executor",
            "ray",
            "--address",
            cluster.address,
            "--device",
            "cpu",
            "--quiet",
            "--samples",
            "500",
        ),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 2, done.stderr
    assert "1 of 2 runs failed on Ray" in done.stderr and "keras-mlp seed 1" in done.stderr
    assert "belongs to another spec" in done.stderr and "Traceback" not in done.stderr
    # the failed run's steps not logged left the suite's total: before, "200 of 300 steps done"
    counted, total = re.match(r"suite: (\d+) of (\d+) steps done", suite_lines(done.stderr)[-1]).groups()
    assert 150 < int(counted) == int(total) < 300
    kept = out / "keras-mlp" / "seed-0"
    assert (kept / "checkpoints" / "final.pt").is_file() and (kept / "metrics.json").is_file()
    assert (kept / "history.csv").read_bytes() == (reference / "keras-mlp" / "seed-0" / "history.csv").read_bytes()


def test_ctrl_c_checkpoints_each_run_at_its_next_step_and_resume_ends_with_the_same_bits(tmp_path, cluster, reference):
    """Ctrl-C cancels the tasks: each run in training writes a checkpoint at its next step (not only
    the periodic one, every 50 steps here), the driver exits 130, and --resume ends both runs with the
    bits of an uninterrupted suite."""
    cluster.add_node(num_cpus=2)
    cluster.wait_for_nodes()
    proc, out = start_suite(tmp_path, cluster)
    at_signal = first_checkpoint(out, proc)
    last = out / "keras-mlp" / "seed-0" / "checkpoints" / "last.pt"
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "interrupted: 0 of 2 runs finished; every run in training wrote a checkpoint" in stderr
    assert f"ganbench run --resume {out}" in stderr and "Traceback" not in stderr
    assert at_signal < torch.load(last, weights_only=True)["step"] < 150  # written at the stop
    assert not (last.parent / "final.pt").exists()
    auto = ["--executor", "ray", "--address", "auto", "--quiet"]  # the cluster Ray finds on this machine
    done = subprocess.run(ganbench("run", "--resume", out, *auto), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "keras-mlp seed 0: resumed" in done.stderr
    assert_same_bits(out, reference)


def test_what_a_task_says_and_warns_reaches_the_driver(tmp_path, reference):
    """A Ray started here (no --address; its workers get this environment): a run whose checkpoint
    cannot be read is redone, and the driver says so; the workers' unusable feature cache is one
    note; a complete run is skipped. The redone run ends with the reference's bits."""
    out = tmp_path / "out"
    shutil.copy(reference.parent / "r.toml", tmp_path / "r.toml")
    for seed in (0, 1):
        shutil.copytree(reference / "keras-mlp" / f"seed-{seed}", out / "keras-mlp" / f"seed-{seed}")
    shutil.copy(reference / "suite.json", out / "suite.json")  # names ../r.toml, as here
    redone = out / "keras-mlp" / "seed-1"
    (redone / "metrics.json").unlink()
    (redone / "checkpoints" / "final.pt").unlink()
    (redone / "checkpoints" / "last.pt").write_bytes(b"not a checkpoint")
    (tmp_path / "a-file").write_text("")
    done = subprocess.run(
        ganbench("run", "--resume", out, "--executor", "ray", "--quiet"),
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "a-file" / "cache")},  # below a file: no cache
    )
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert not [line for line in lines if "Token authentication" in line]  # Ray's notice, of a Ray the run stops
    assert [line for line in lines if "last.pt.corrupt" in line] == [
        f"{redone / 'checkpoints' / 'last.pt'}: cannot read checkpoint (not a file of tensors that torch.save "
        "wrote, or damaged); moved to last.pt.corrupt, the run is redone"
    ]
    notes = [line for line in lines if line.startswith("note:")]
    assert len(notes) == 1 and notes[0].startswith("note: reference features are not cached:"), done.stderr
    assert [line for line in lines if line.startswith("keras-mlp seed 0:")] == [  # said once, by the run
        f"keras-mlp seed 0: complete in {out / 'keras-mlp' / 'seed-0'}, skipped"
    ]
    # seed 1's rows from before, found at the start, then dropped when it was redone: counted once
    assert suite_lines(done.stderr)[-1].startswith("suite: 300 of 300 steps done")
    assert (redone / "history.csv").read_bytes() == (reference / "keras-mlp" / "seed-1" / "history.csv").read_bytes()
    a, b = g_weights(redone), g_weights(reference / "keras-mlp" / "seed-1")
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_runs_wait_for_a_node_that_can_take_them_and_the_driver_says_so(tmp_path, cluster, reference):
    """On a cluster whose nodes have no CPU for a task (only the head, of 0 CPUs), Ray would leave
    the tasks pending without a word: the driver says why they wait, and they run once a node with
    CPUs joins, to the reference's bits."""
    for node in list(cluster.worker_nodes):
        cluster.remove_node(node)
    proc, out = start_suite(tmp_path, cluster)
    lines: list[str] = []

    def read():
        for line in proc.stderr:
            lines.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.time() + 120
    while not any("wait until" in line for line in lines) and time.time() < deadline and proc.poll() is None:
        time.sleep(0.1)
    waiting = [line.strip() for line in lines if "wait until" in line]
    assert len(waiting) == 1, "".join(lines)
    assert waiting[0].startswith(
        f"the Ray cluster at {cluster.address}: each run's task asks for 1 CPU, and the cluster has "
    )
    assert waiting[0].endswith("; the runs will wait until a node that has it joins (Ctrl-C stops them)")
    assert not list(out.rglob("*.pt"))  # nothing trained meanwhile
    cluster.add_node(num_cpus=2)
    proc.wait(timeout=600)
    reader.join(timeout=10)
    assert proc.returncode == 0, "".join(lines)
    assert_same_bits(out, reference)


def run_callers_script(script: str, tmp_path, cluster, reference) -> tuple[subprocess.CompletedProcess, Path]:
    """A Python caller's ``script`` (argv: the suite file, --out, the cluster's address) run on the
    cluster with a 2-CPU node added; it must exit 0. What it printed, and its --out."""
    cluster.add_node(num_cpus=2)
    cluster.wait_for_nodes()
    shutil.copy(reference.parent / "r.toml", tmp_path / "r.toml")
    (tmp_path / "caller.py").write_text(script)
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, tmp_path / "caller.py", tmp_path / "r.toml", out, cluster.address],
        capture_output=True,
        text=True,
        timeout=600,
        env={k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"},
    )
    assert done.returncode == 0, done.stderr
    return done, out


JOINED_FIRST = """import sys
import ray
import gan_bench as gb

suite, out, address = sys.argv[1:]
ray.init(address=address, include_dashboard=False, log_to_driver=False, configure_logging=False)
run = gb.run_suite(suite, out=out, device="cpu", executor="ray", samples=500)
print("statuses:", *sorted({r.status for r in run.results}))
print("still joined:", ray.is_initialized(), ray.get(ray.remote(lambda: 7).remote()))
"""


def test_a_python_caller_that_joined_ray_first_keeps_its_connection(tmp_path, cluster, reference):
    """gb.run_suite(executor="ray") in a process that called ray.init() runs its tasks on that Ray,
    where a second ray.init() would fail, and leaves the connection to its caller."""
    done, out = run_callers_script(JOINED_FIRST, tmp_path, cluster, reference)
    assert done.stdout.splitlines() == ["statuses: trained", "still joined: True 7"]
    assert_same_bits(out, reference)


STOPPED_BY_AN_ERROR = """import sys
import time
import ray
import gan_bench as gb
from gan_bench.training.progress import Reporter


class Failing(Reporter):
    def runs_dispatched(self, label, runs):
        raise RuntimeError("the caller's reporter failed")


suite, out, address = sys.argv[1:]
ray.init(address=address, include_dashboard=False, log_to_driver=False, configure_logging=False)
try:
    gb.run_suite(suite, out=out, device="cpu", executor="ray", samples=500, progress=Failing())
except RuntimeError as e:
    print("raised:", e)
time.sleep(30)  # longer than the suite takes, had its tasks gone on
print("still joined:", ray.is_initialized(), ray.get(ray.remote(lambda: 7).remote()))
"""


def test_an_error_under_a_callers_ray_ends_the_suites_tasks_and_keeps_the_connection(tmp_path, cluster, reference):
    """The suite's tasks are cancelled once it fails (its driver, the caller's process, goes on and
    would not end them), and the caller's Ray still serves it."""
    done, out = run_callers_script(STOPPED_BY_AN_ERROR, tmp_path, cluster, reference)
    assert done.stdout.splitlines() == ["raised: the caller's reporter failed", "still joined: True 7"]
    assert not list(out.rglob("final.pt")) and not list(out.rglob("metrics.json"))


def most_at_once(spans):
    """The most spans running at one instant (the count is highest at some span's start)."""
    return max(sum(b <= start < e for _, b, e in spans) for _, start, _ in spans)


@pytest.mark.parametrize("k", [4])
def test_runs_per_gpu_packs_k_tasks_on_a_gpu_in_kept_workers(cluster, tmp_path, k):
    """On a node with one (logical) GPU, tasks asking for 1/K of it run K at a time (the first K
    wait for each other, so K are there at once, never more), and a second round of tasks reuses
    the first round's worker processes, where Ray's default for GPU tasks starts one per task."""
    import ray

    from gan_bench.executors import ray_cluster

    def probe(marks: str, k: int):  # defined here so that Ray ships it by value
        began = time.time()
        open(os.path.join(marks, f"{os.getpid()}-{began}"), "w").close()
        while len(os.listdir(marks)) < k and time.time() < began + 120:
            time.sleep(0.05)
        time.sleep(0.2)
        return os.getpid(), began, time.time()

    node = cluster.add_node(num_cpus=8, num_gpus=1)
    cluster.wait_for_nodes()
    ray.init(address=cluster.address, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        resources = ray_cluster.task_resources("cuda", k)
        kept, default = ray_cluster.as_task(ray, probe).options(**resources), ray.remote(**resources)(probe)
        (tmp_path / "kept").mkdir(), (tmp_path / "default").mkdir()
        spans = ray.get([kept.remote(str(tmp_path / "kept"), k) for _ in range(2 * k)])
        fresh = ray.get([default.remote(str(tmp_path / "default"), k) for _ in range(2 * k)])
    finally:
        ray.shutdown()
        cluster.remove_node(node)
    assert most_at_once(spans) == k
    assert len({pid for pid, _, _ in spans}) == k  # K workers, each ran two tasks
    assert len({pid for pid, _, _ in fresh}) == 2 * k  # Ray's default: a process per GPU task


def test_a_dry_run_joins_the_cluster_says_what_it_has_and_leaves(cluster, tmp_path):
    """The dry run reads the live nodes as the real run does (Ray's own ray.nodes(), not a stand-in)
    and sends no task: CUDA runs from this driver, which has no GPU, to a node that has one."""
    for node in list(cluster.worker_nodes):
        cluster.remove_node(node)
    node = cluster.add_node(num_cpus=2, num_gpus=1)
    cluster.wait_for_nodes()
    (tmp_path / "r.toml").write_text(SUITE)
    out = tmp_path / "out"
    dry_run = ["run", "--suite", tmp_path / "r.toml", "--out", out]
    try:
        done = subprocess.run(
            ganbench(*dry_run, *on_ray(cluster), "--device", "cuda", "--runs-per-gpu", "4", "--dry-run"),
            capture_output=True,
            text=True,
            timeout=300,
            env={k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"},
        )
    finally:
        cluster.remove_node(node)
    assert done.returncode == 0, done.stderr
    assert f"the Ray cluster at {cluster.address}: 2 nodes, CPU 2, GPU 1; each run's task asks for 0.25 GPU" in (
        done.stdout.splitlines()
    )
    assert "wait until" not in done.stderr
    assert not out.exists()
