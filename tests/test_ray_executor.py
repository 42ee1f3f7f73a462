"""--executor ray: the same suite through a local Ray head (127.0.0.1, 2 CPUs), and a worker
killed mid-run whose task Ray retries, leaving every run present exactly once."""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

SUITE = """name = "r"
dataset = "mnist"
seeds = [0, 1]
recipes = ["tf-mlp"]
profile = "smoke"
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def ray_head(tmp_path_factory):
    ray_bin = os.path.join(os.path.dirname(sys.executable), "ray")
    port = free_port()
    temp = tmp_path_factory.mktemp("ray")
    subprocess.run([ray_bin, "start", "--head", "--node-ip-address=127.0.0.1", f"--port={port}", "--num-cpus=2",
                    "--include-dashboard=false", "--disable-usage-stats", f"--temp-dir={temp}"],
                   check=True, capture_output=True)
    yield f"127.0.0.1:{port}"
    subprocess.run([ray_bin, "stop", "--force"], capture_output=True)


def ganbench(*args):
    return [sys.executable, "-m", "gan_bench", *map(str, args)]


def run_dirs(out):
    return sorted(p.parent.relative_to(out).as_posix() for p in out.rglob("spec.json"))


def test_suite_runs_on_ray(tmp_path, ray_head):
    (tmp_path / "r.toml").write_text(SUITE)
    out = tmp_path / "out"
    done = subprocess.run(ganbench("run", "--suite", tmp_path / "r.toml", "--out", out, "--executor", "ray",
                                   "--address", ray_head, "--device", "cpu", "--quiet", "--samples", "500"),
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert run_dirs(out) == ["tf-mlp/seed-0", "tf-mlp/seed-1"]
    for seed in (0, 1):
        metrics = json.loads((out / "tf-mlp" / f"seed-{seed}" / "metrics.json").read_text())
        assert metrics["seed"] == seed and metrics["verdict"]
    assert "2 runs on Ray" in done.stderr


def test_killed_worker_is_retried_and_every_run_is_there_once(tmp_path, ray_head):
    (tmp_path / "r.toml").write_text(SUITE.replace('["tf-mlp"]', '["keras-mlp"]') + '[steps]\n"keras-mlp" = 300\n')
    out = tmp_path / "out"
    proc = subprocess.Popen(ganbench("run", "--suite", tmp_path / "r.toml", "--out", out, "--executor", "ray",
                                     "--address", ray_head, "--device", "cpu", "--quiet", "--samples", "500"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    victim = out / "keras-mlp" / "seed-0" / "checkpoints" / "last.pt"
    deadline = time.time() + 240
    while not victim.is_file() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.5)
    assert victim.is_file(), "the run never reached its first checkpoint"
    pids = subprocess.run(["pgrep", "-f", "ray::ganbench keras-mlp seed 0"], capture_output=True, text=True)
    assert pids.stdout.split(), "no Ray worker is running seed 0"
    for pid in pids.stdout.split():
        os.kill(int(pid), signal.SIGKILL)
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr
    assert run_dirs(out) == ["keras-mlp/seed-0", "keras-mlp/seed-1"]
    for seed in (0, 1):
        run = out / "keras-mlp" / f"seed-{seed}"
        steps = [int(r.split(",")[0]) for r in (run / "history.csv").read_text().splitlines()[1:]]
        assert steps == sorted(set(steps)) and steps[-1] == 300  # each step logged once, to the end
        assert (run / "checkpoints" / "final.pt").is_file() and (run / "metrics.json").is_file()
