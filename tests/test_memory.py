"""Training memory does not grow with the step count: the resident set of a run after 4N steps
stays within a small margin of the same run after N steps (each in a fresh process)."""

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

PROBE = """
import json, resource, sys
from pathlib import Path
from gan_bench.suite.run_spec import RunSpec
from gan_bench.executors.local import run_all
from gan_bench.training.progress import Reporter

recipe, steps, batch_seeds, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
seeds = range(batch_seeds)
specs = [RunSpec(recipe=recipe, seed=s, dataset="mnist", profile="quick", device="cpu", steps=steps) for s in seeds]
run_all(specs, out, resume=False, reporter=Reporter(), batch_seeds=batch_seeds)
rss = int(next(l for l in open("/proc/self/status") if l.startswith("VmRSS")).split()[1])
print(json.dumps({"rss_kb": rss, "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

MARGIN_KB = 24 * 1024  # allocator noise; a leak of one step's activations per step would be far larger


def memory(tmp_path, recipe, steps, batch_seeds=1):
    out = tmp_path / f"{recipe}-{steps}-{batch_seeds}"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, recipe, str(steps), str(batch_seeds), str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_memory_does_not_grow_with_steps(tmp_path):
    """tf-mlp, 2 seeds batched: the engine's RunLoops and the seed batch in one check."""
    n = 250  # past the one-time allocations of the first ~100 steps (measured: flat from step 150 to 1,600)
    short, long = memory(tmp_path, "tf-mlp", n, 2), memory(tmp_path, "tf-mlp", 4 * n, 2)
    assert long["rss_kb"] - short["rss_kb"] < MARGIN_KB, (short, long)
    assert long["peak_kb"] - short["peak_kb"] < MARGIN_KB, (short, long)


def test_peak_rss_suite_is_the_quick_mnist_suite_capped():
    """benchmarks/mnist-quick-capped.toml (the peak-RSS measurement in docs/speed.md) runs every recipe and
    seed of the mnist suite on the quick profile, each capped in steps only."""
    from pathlib import Path

    from gan_bench.suite.suite_file import load_suite

    root = Path(__file__).resolve().parents[1]
    mnist, capped = load_suite("mnist"), load_suite(str(root / "benchmarks" / "mnist-quick-capped.toml"))
    assert (capped.dataset, capped.seeds, capped.recipes) == (mnist.dataset, mnist.seeds, mnist.recipes)
    assert capped.profile == "quick" and capped.only == mnist.only
    assert set(capped.steps) == set(mnist.recipes) and all(0 < n <= 50 for n in capped.steps.values())
