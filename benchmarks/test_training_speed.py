"""Training speed, side by side in one process: the ganbench engine against the textbook loop
(benchmarks/textbook_loop.py) on the same recipe and step count, and K = 3 seeds batched
(--batch-seeds) against the same 3 seeds one after another, once as two benchmarks and once with
their rounds interleaved (drift on a shared machine then hits both alike). Both sides include
their setup (data loading and model building), as a user's run does. Images per second and the
ratios are printed at the end. On CUDA the engine and the batched seeds run a second time with
--cuda-graph (each step replayed as one captured graph), for the MLP recipes.

Run: pytest benchmarks/test_training_speed.py --benchmark-only
"""

from __future__ import annotations

import itertools
import os
import statistics
import time

import pytest
import torch
from speed_table import keep, record
from textbook_loop import textbook_loop

from gan_bench.data import catalogue
from gan_bench.executors.local import run_all
from gan_bench.rundir.layout import RunDir
from gan_bench.suite.run_spec import RunSpec
from gan_bench.training.cuda_graph import supports as graph_supports
from gan_bench.training.engine import train
from gan_bench.training.progress import Reporter
from gan_bench.variants import get_recipe
from gan_bench.variants.seed_batch import supports

DEVICE = torch.device("cuda" if torch.cuda.is_available() else "cpu")
# Steps per round: a few seconds of training each on a 2-core CPU; three times more on CUDA, where a
# step is faster and a round of the CPU's length would time mostly setup.
# GANBENCH_BENCH_SCALE shrinks every length (benchmarks/gpu_check.py --cpu-dry-run sets 0.05).
SCALE = (3 if DEVICE.type == "cuda" else 1) * float(os.environ.get("GANBENCH_BENCH_SCALE", "1"))
STEPS = {
    name: max(2, round(SCALE * steps)) for name, steps in {"tf-mlp": 600, "torch-mlp": 118, "dcgan-mnist": 12}.items()
}
ROUNDS = int(os.environ.get("GANBENCH_BENCH_ROUNDS", "3"))
GRAPH = [False, True] if DEVICE.type == "cuda" else [False]  # --cuda-graph needs CUDA
_fresh = itertools.count()


def engine_loop(recipe_name: str, steps: int, out, graph: bool = False) -> int:
    recipe = get_recipe(recipe_name)
    spec = RunSpec(
        recipe=recipe_name, seed=0, dataset="mnist", profile="quick", device=DEVICE.type, steps=steps, cuda_graph=graph
    )
    dataset = catalogue.load("mnist")
    train(
        recipe,
        spec.schedule,
        0,
        dataset,
        RunDir(out / f"run-{next(_fresh)}"),
        spec.hash,
        DEVICE,
        Reporter(),
        spec.label,
        cuda_graph=graph,
    )
    return steps * recipe.batch_size


def graph_name(name: str, graph: bool) -> str:
    return f"{name} --cuda-graph" if graph else name


# Each recipe's comparison is whole before the next begins (textbook loop, engine, engine graphed), so
# a check stopped at its budget (benchmarks/gpu_check.py) keeps whole comparisons.
@pytest.mark.parametrize(
    "recipe, loop, graph",
    [
        pytest.param(r, loop, g, id="-".join([r, loop] + ["graph"] * g))
        for r in STEPS
        for loop, g in [("textbook", False), ("engine", False)] + [("engine", True)] * (len(GRAPH) - 1)
        if not g or graph_supports(get_recipe(r))
    ],
)
def test_engine_vs_textbook(benchmark, recipe, loop, graph, tmp_path, torchvision_root):
    benchmark.group = f"{recipe}: engine vs textbook"
    if loop == "textbook":
        run, args, name = textbook_loop, (recipe, STEPS[recipe], DEVICE, torchvision_root), "textbook loop"
    else:
        run, args, name = engine_loop, (recipe, STEPS[recipe], tmp_path, graph), graph_name("ganbench engine", graph)
    images = benchmark.pedantic(run, args=args, rounds=ROUNDS, iterations=1)
    record(benchmark, f"{recipe} ({DEVICE.type})", name, images)


SEED_STEPS = {name: max(2, round(SCALE * steps)) for name, steps in {"tf-mlp": 400, "torch-mlp": 60}.items()}
SEQUENTIAL, BATCHED = "3 seeds one after another", "3 seeds batched (--batch-seeds 3)"


def seeds_loop(recipe_name: str, steps: int, batch_seeds: int, out, graph: bool = False) -> int:
    specs = [
        RunSpec(
            recipe=recipe_name,
            seed=s,
            dataset="mnist",
            profile="quick",
            device=DEVICE.type,
            steps=steps,
            cuda_graph=graph,
        )
        for s in (0, 1, 2)
    ]
    run_all(specs, out / f"suite-{next(_fresh)}", resume=False, reporter=Reporter(), batch_seeds=batch_seeds)
    return 3 * steps * get_recipe(recipe_name).batch_size


@pytest.mark.parametrize(
    "recipe, batch_seeds, graph",
    [
        pytest.param(r, k, g, id=f"{r}-{name}")
        for r in SEED_STEPS
        for (k, g), name in zip(
            [(1, False), (3, False), (3, True)][: len(GRAPH) + 1], ["sequential", "batched", "batched-graph"]
        )
    ],
)  # each recipe's pair whole before the next, as above
def test_three_seeds(benchmark, recipe, batch_seeds, graph, tmp_path):
    benchmark.group = f"{recipe}: 3 seeds batched vs sequential"
    images = benchmark.pedantic(
        seeds_loop, args=(recipe, SEED_STEPS[recipe], batch_seeds, tmp_path, graph), rounds=ROUNDS, iterations=1
    )
    batched = batch_seeds > 1 and supports(get_recipe(recipe))
    name = graph_name(BATCHED if batched else SEQUENTIAL, graph)
    record(benchmark, f"{recipe} 3 seeds ({DEVICE.type})", name, images)


@pytest.mark.parametrize("recipe", list(SEED_STEPS))
def test_three_seeds_interleaved(benchmark, recipe, tmp_path):
    """The same pair with their rounds alternated (sequential then batched, then batched then
    sequential, ...), so a shared machine's drift hits both loops alike; each loop's median round."""
    benchmark.group = f"{recipe}: 3 seeds batched vs sequential, interleaved"
    seconds: dict[int, list[float]] = {1: [], 3: []}
    order = itertools.cycle([(1, 3), (3, 1)])

    def pair() -> int:
        for batch_seeds in next(order):
            began = time.perf_counter()
            images = seeds_loop(recipe, SEED_STEPS[recipe], batch_seeds, tmp_path)
            seconds[batch_seeds].append(time.perf_counter() - began)
        return images

    images = benchmark.pedantic(pair, rounds=2 * ROUNDS, iterations=1)
    comparison = f"{recipe} 3 seeds interleaved ({DEVICE.type})"
    for batch_seeds, name in ((1, SEQUENTIAL), (3, BATCHED)):
        rate = keep(comparison, name, images / statistics.median(seconds[batch_seeds]))
        benchmark.extra_info[f"images_per_s_batch_seeds_{batch_seeds}"] = round(rate, 1)
