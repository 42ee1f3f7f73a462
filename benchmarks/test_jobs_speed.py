"""The smoke suite with --jobs 2 against --jobs 1, side by side with their rounds interleaved
(a shared machine's drift hits both alike). Each round is a whole `run_suite`: workers' start-up,
data loading, training and scoring, as a user's run does. Its images per second (training images
over the median round's wall time) and the ratio are printed at the end.

Run: pytest benchmarks/test_jobs_speed.py --benchmark-only
"""

from __future__ import annotations

import itertools
import statistics
import time

import torch
from speed_table import keep

import gan_bench as gb
from gan_bench.suite.suite_file import load_suite

ROUNDS = 3
BASE, PARALLEL = "--jobs 1", "--jobs 2"


def test_smoke_suite_jobs_2_against_jobs_1(benchmark, tmp_path):
    benchmark.group = "smoke suite: --jobs 2 vs --jobs 1, interleaved"
    specs = load_suite("smoke").expand("smoke", "cpu")
    images = sum(spec.schedule.steps * spec.recipe_obj.batch_size for spec in specs)
    seconds: dict[int, list[float]] = {1: [], 2: []}
    order = itertools.cycle([(1, 2), (2, 1)])
    fresh = itertools.count()

    def pair() -> None:
        for jobs in next(order):
            began = time.perf_counter()
            gb.run_suite("smoke", out=tmp_path / f"round-{next(fresh)}", device="cpu", jobs=jobs)
            seconds[jobs].append(time.perf_counter() - began)

    benchmark.pedantic(pair, rounds=ROUNDS, iterations=1)
    comparison = f"smoke suite ({torch.get_num_threads()} cores)"
    for jobs, name in ((1, BASE), (2, PARALLEL)):
        keep(comparison, name, images / statistics.median(seconds[jobs]))
    benchmark.extra_info["median_s"] = {name: statistics.median(seconds[j]) for j, name in ((1, BASE), (2, PARALLEL))}
