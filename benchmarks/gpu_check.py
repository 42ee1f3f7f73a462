"""One prepared device check: everything a short GPU loan should measure, in one go, into a folder.

    python benchmarks/gpu_check.py OUT [--cpu-dry-run] [--budget-s 480]

Sections, each timed and recorded even when it fails:
1. ``cuda_tests``: the CUDA tests (CUDA graphs, batched seeds): what passed, failed and was skipped,
   kept if pytest is stopped at its 150 s.
2. ``mnist_suite``: ``ganbench run --suite mnist --profile full --jobs J --batch-seeds K --cuda-graph``, scoring
   included, stopped (SIGTERM: checkpoints, exit 130) when half the budget runs out; the total is
   then projected from the measured step rates, each unit of work left in the lane free first
   (``projection``), and said to be a projection.
3. ``toy_suite``: the 12 full-protocol toy runs at once (``--jobs 12 --batch-seeds K`` on CUDA: with
   K = 3, four batched models of three seeds), for an eighth of the budget, projected like the
   mnist suite.
4. ``step_rates``: the training loop's own steps per second (set-up left out), eager and with
   --cuda-graph, for toy-gan on the ring (and what that makes of a 400,000-step run), tf-mlp on
   MNIST (the graphed speed-up target) and keras-mlp (its full run, the mnist suite's longest, alone).
5. ``training``: benchmarks/test_training_speed.py in the budget left (at least a minute): the engine
   against the textbook loop, eager and graphed, on tf-mlp, torch-mlp and dcgan-mnist, then batched
   seeds (images per second), one recipe's comparison after another, one round a loop when under
   5 minutes are left. Each rate is kept as its benchmark ends, so a timeout loses only the rest.

``--sections a,b`` runs only the sections named (a rerun of what failed). Two sections run only
when named: ``graph_drift`` (toy-gan-pac2 and cgan: how far eager runs, and eager runs with
capturable Adam, lie from a graphed run) and ``jobs_scaling`` (N training processes sharing the
device, with torch's default threads and with cores // N). ``--ring-gap`` (the
section ``ring_gap``) runs, instead of these, the ring-gap suite (toy-ring-pacgan-code: six full-protocol
toy runs at once) in the whole budget, and its report beside PacGAN's Table 1.

It writes OUT/gpu_check.json and OUT/gpu_check.md. ``--cpu-dry-run`` runs the same code on CPU
with small sizes (the smoke profile, a short budget) so the script is known to work before a
device is started.
"""

from __future__ import annotations

import argparse
import csv
import heapq
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from device_env import ROOT, WHEELS, missing_tools, prepare

RING_GAP_SUITE = "toy-ring-pacgan-code"
TOOLS_OF = {"cuda_tests": ("pytest",), "training": ("pytest", "pytest-benchmark")}  # what each runs under
TARGETS = {  # issue targets on one H100/H200
    "mnist_suite_s": 600,
    "graphed_tf_mlp_speedup": 10.0,
    "toy_run_400k_s": 900,
    "toy_full_protocol_12_runs_s": 1800,
}


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "gan_bench", *args]


def _run_logged(command: list[str], log: Path, timeout: float, env: dict | None = None) -> int | str:
    """Runs a command, its output into ``log`` as it comes, so a command stopped at ``timeout`` keeps
    what it printed; its exit status, or "timed out"."""
    with log.open("w") as f:
        try:
            return subprocess.run(
                command, cwd=ROOT, stdout=f, stderr=subprocess.STDOUT, env=env, timeout=timeout
            ).returncode
        except subprocess.TimeoutExpired:
            f.write(f"\nstopped after {timeout:.0f} s\n")
            return "timed out"


# pytest -v: one line per test as it ends; parametrised ids may hold spaces
OUTCOME = re.compile(r"^(tests/\S.*?) (PASSED|FAILED|SKIPPED|ERROR)\b", re.M)


# the tests that need a GPU: graphed steps against eager ones, and a seed batch's dropout draws
CUDA_TEST_FILES = ("tests/test_cuda_graph.py", "tests/test_dropout.py")


def cuda_tests(out: Path, dry: bool, timeout: float = 150) -> dict:
    """The CUDA tests' outcomes, counted from pytest's verbose lines, so a run stopped at ``timeout``
    still reports the tests it finished."""
    log = out / "cuda_tests.log"
    command = [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", *CUDA_TEST_FILES]
    returncode = _run_logged(command + ["-m", "not slow" if dry else "slow or not slow"], log, timeout)
    found = OUTCOME.findall(log.read_text())
    counts = {k.lower(): sum(outcome == k for _, outcome in found) for k in ("PASSED", "FAILED", "SKIPPED", "ERROR")}
    not_passed = [test for test, outcome in found if outcome in ("FAILED", "ERROR")]
    return {**counts, "returncode": returncode, "not_passed": not_passed}


TRAINING_FLOOR_S = 60  # the training section's least time, even past the budget: whole engine-vs-textbook rows


def training(out: Path, dry: bool, budget_s: float) -> dict:
    kept = out / "training_rates.jsonl"  # speed_table.keep appends each rate as its benchmark ends
    kept.unlink(missing_ok=True)  # an earlier check's rates are not this one's
    # Under 5 minutes, one round a loop (the device is the check's alone), so more whole comparisons fit.
    rounds = 1 if dry or budget_s < 300 else 3
    env = {**os.environ, "GANBENCH_BENCH_RATES": str(kept), "GANBENCH_BENCH_ROUNDS": str(rounds)}
    env.update({"GANBENCH_BENCH_SCALE": "0.05"} if dry else {})
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "benchmarks/test_training_speed.py"]
    command += ["--benchmark-only", "-k", "not interleaved"]  # interleaving answers a CPU's drift; no time for it
    returncode = _run_logged(command, out / "training_benchmarks.txt", max(budget_s, 10), env)
    rates: dict[str, dict[str, float]] = {}
    for line in kept.read_text().splitlines() if kept.is_file() else []:
        row = json.loads(line)
        rates.setdefault(row["comparison"], {})[row["loop"]] = row["images_per_s"]
    return {"returncode": returncode, "rounds": rounds, "images_per_s": rates}


def _fresh(folder: Path) -> Path:
    """``folder`` emptied of an earlier check's measurement runs (a rerun on the same machine), which
    ``train`` would refuse to write over, or whose old timings would be read back as new."""
    shutil.rmtree(folder, ignore_errors=True)
    return folder


def _trained_rate(recipe: str, dataset: str, steps: int, device: str, graph: bool, folder: Path) -> float:
    """Steps per second of the training loop itself (set-up left out), from the run's summary."""
    import gan_bench as gb

    result = gb.train(recipe, dataset, steps=steps, out=_fresh(folder), device=device, cuda_graph=graph, profile="full")
    match = re.search(r"(\d+) steps? in ([\d.]+)s", result.summary)
    return int(match.group(1)) / float(match.group(2))


def _eager_and_graphed(recipe: str, dataset: str, steps: int, device: str, out: Path, graphed: bool) -> dict:
    rates = {"eager": _trained_rate(recipe, dataset, steps, device, False, out / f"{recipe}-eager")}
    if graphed:
        rates["graphed"] = _trained_rate(recipe, dataset, steps, device, True, out / f"{recipe}-graphed")
    speedup = rates["graphed"] / rates["eager"] if graphed else None
    return {"steps": steps, "steps_per_s": rates, "graphed_speedup": speedup}


def step_rates(out: Path, dry: bool, device: str, graphed: bool | None = None) -> dict:
    """toy-gan's, tf-mlp's and keras-mlp's step rates, eager and (on CUDA, unless ``graphed`` says)
    graphed. 2,000 steps each: an eager toy step took ~15 ms on an H100 (docs/speed.md), so about
    30 s. keras-mlp's full run is the mnist suite's longest (187,200 steps): its time alone bounds
    the suite's from below, however many runs share the device."""
    from gan_bench.variants import get_recipe

    graphed = device == "cuda" if graphed is None else graphed
    toy = _eager_and_graphed("toy-gan", "ring", 300 if dry else 2_000, device, out, graphed)
    toy["projected_400k_run_s"] = 400_000 / max(toy["steps_per_s"].values())
    tf_mlp = _eager_and_graphed("tf-mlp", "mnist", 100 if dry else 2_000, device, out, graphed)
    keras = _eager_and_graphed("keras-mlp", "mnist", 100 if dry else 2_000, device, out, graphed)
    keras["full_run_steps"] = get_recipe("keras-mlp").profiles["full"].steps
    keras["projected_full_run_s"] = keras["full_run_steps"] / max(keras["steps_per_s"].values())
    return {"toy-gan": toy, "tf-mlp": tf_mlp, "keras-mlp": keras}


def _progress(run: Path) -> dict:
    """Steps done, training seconds, scoring seconds and state of one run directory."""
    steps, seconds = 0, 0.0
    if (run / "timing.csv").is_file():
        rows = list(csv.reader((run / "timing.csv").read_text().splitlines()))[1:]
        if rows and len(rows[-1]) == 2:
            steps, seconds = int(rows[-1][0]), float(rows[-1][1])
    spec = json.loads((run / "spec.json").read_text()) if (run / "spec.json").is_file() else {}
    final, metrics = run / "checkpoints" / "final.pt", run / "metrics.json"
    return {
        "recipe": spec.get("recipe", {}).get("name"),
        "spec": spec.get("spec_hash", "")[:12],
        "steps": steps,
        "total": spec.get("schedule", {}).get("steps"),
        "train_s": seconds,
        "finished": final.is_file(),
        "scored": metrics.is_file(),
        "score_s": metrics.stat().st_mtime - final.stat().st_mtime if metrics.is_file() and final.is_file() else None,
    }


def _step_rates(runs: dict) -> dict[str, float]:
    """{recipe: its mean step rate} over the runs begun that trained a step."""
    by_recipe: dict[str, list[float]] = {}
    for r in runs.values():
        if r["train_s"] > 0 and r["steps"]:
            by_recipe.setdefault(r["recipe"], []).append(r["steps"] / r["train_s"])
    return {recipe: sum(v) / len(v) for recipe, v in by_recipe.items()}


def unmeasured(planned: dict[str, dict], runs: dict) -> list[str]:
    """The recipes a projection times at the mean rate of the others, none of their runs having trained."""
    rates = _step_rates(runs)
    return sorted({plan["recipe"] for plan in planned.values()} - rates.keys())


def projection(planned: dict[str, dict], runs: dict, jobs: int, elapsed: float) -> float | None:
    """The suite's total wall time: ``elapsed``, then what is left as ``run --jobs`` hands it out.
    A unit of work (a run, or a --batch-seeds group, whose runs train together) lasts its remaining
    steps at its recipe's measured step rate (the mean rate of all recipes for one not yet begun),
    plus the mean scoring time for each of its runs not yet scored. Units under way keep their
    lanes; the rest go, in plan order, to whichever of the ``jobs`` lanes is free first. The rates
    were measured with the lanes sharing the device, so a tail with lanes idle is projected slower
    than it runs. ``planned``: {spec hash: {"recipe", "steps", "group" (the size of its --batch-seeds
    group, default 1), "unit" (the group's place in the plan; default: the run alone)}} from
    planned_runs; ``runs``: _progress of each run directory begun."""
    rates = _step_rates(runs)
    if not rates:
        return None
    mean_rate = sum(rates.values()) / len(rates)
    scoring = [r["score_s"] for r in runs.values() if r["score_s"] is not None]
    score_s = sum(scoring) / len(scoring) if scoring else 0.0
    begun = {r["spec"]: r for r in runs.values()}
    units: dict = {}
    for spec, plan in planned.items():
        units.setdefault(plan.get("unit", spec), []).append(spec)
    under_way, waiting = [], []
    for members in units.values():
        seconds = 0.0
        for spec in members:
            plan, r = planned[spec], begun.get(spec)
            if r is not None and r["scored"]:
                continue
            rate = rates.get(plan["recipe"], mean_rate)
            seconds += (plan["steps"] - (r["steps"] if r else 0)) / rate / plan.get("group", 1) + score_s
        if seconds:
            (under_way if any(spec in begun for spec in members) else waiting).append(seconds)
    lanes = under_way + [0.0] * max(jobs - len(under_way), 0)
    heapq.heapify(lanes)
    for seconds in waiting:
        heapq.heappush(lanes, heapq.heappop(lanes) + seconds)
    return elapsed + max(lanes, default=0.0)


def _concurrent_trains(out: Path, recipe: str, n: int, steps: int, threads: int | None, device: str) -> dict:
    """``n`` runs of ``recipe`` trained at once, each its own process (as ``--jobs n`` workers are),
    with ``threads`` torch threads each (None: torch's default, all cores): wall time and step rates."""
    folder = _fresh(out / "jobs" / f"{recipe}-n{n}-t{threads or 'all'}")
    env = {**os.environ, **({"OMP_NUM_THREADS": str(threads)} if threads else {})}
    graph = ["--cuda-graph"] if device == "cuda" else []
    train = ["train", recipe, "--steps", str(steps), "--device", device, "--quiet", *graph]
    began = time.monotonic()
    with (out / "jobs.log").open("a") as log:
        procs = [
            subprocess.Popen(
                _cli(*train, "--seed", str(i), "--out", str(folder / f"seed-{i}")),
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
            )
            for i in range(n)
        ]
        codes = sorted({p.wait() for p in procs})
    wall = time.monotonic() - began
    runs = [_progress(folder / f"seed-{i}") for i in range(n)]
    rates = [r["steps"] / r["train_s"] for r in runs if r["train_s"] > 0]
    return {
        "recipe": recipe,
        "jobs": n,
        "threads": threads or "all",
        "returncodes": codes,
        "wall_s": wall,
        "steps_per_s_each": sum(rates) / len(rates) if rates else None,
        "steps_per_s_all": sum(rates),
    }


def jobs_scaling(out: Path, dry: bool, device: str) -> list[dict]:
    """How N runs share one device: tf-mlp (graphed on CUDA) at N = 1, 8, 16 and toy-gan at 12,
    each with torch's default threads and with cores/N threads (the CPU side of N processes)."""
    cores = os.cpu_count() or 1
    plan = [("tf-mlp", 1)] if dry else [("tf-mlp", 1), ("tf-mlp", 8), ("tf-mlp", 16), ("toy-gan", 12)]
    steps = {"tf-mlp": 40 if dry else 2_000, "toy-gan": 1_000}
    rows = []
    for recipe, n in plan:
        for threads in [None] + ([max(1, cores // n)] if n > 1 or dry else []):
            rows.append(_concurrent_trains(out, recipe, n, steps[recipe], threads, device))
    return rows


def _history(run: Path) -> list[list[float]]:
    rows = (run / "history.csv").read_text().splitlines()[1:]
    return [[float(v) for v in r.split(",")[2:]] for r in rows]


def _largest_difference(a: list[list[float]], b: list[list[float]]) -> float:
    return max((abs(x - y) for ra, rb in zip(a, b) for x, y in zip(ra, rb)), default=0.0)


def graph_drift(out: Path, dry: bool, device: str) -> dict:
    """Where a graphed run parts from the eager one: toy-gan-pac2 and cgan (smoke) trained eagerly,
    eagerly with capturable Adam (its bias correction on the device, as under a graph), and graphed;
    the largest difference of each history from the graphed one's."""
    import gan_bench as gb

    variants = {"eager": {}, "graphed": {"cuda_graph": True}} if device == "cuda" else {"eager": {}}
    _fresh(out / "drift")
    result = {}
    for recipe in ("toy-gan-pac2", "cgan"):
        runs = {}
        for name, options in variants.items():
            gb.train(recipe, profile="smoke", device=device, out=out / "drift" / f"{recipe}-{name}", **options)
            runs[name] = _history(out / "drift" / f"{recipe}-{name}")
        if device == "cuda":
            with _capturable_adam():
                gb.train(recipe, profile="smoke", device=device, out=out / "drift" / f"{recipe}-capturable")
            runs["eager, capturable Adam"] = _history(out / "drift" / f"{recipe}-capturable")
        reference = runs.get("graphed", runs["eager"])
        result[recipe] = {name: _largest_difference(h, reference) for name, h in runs.items()}
    return result


@contextmanager
def _capturable_adam():
    """Every Adam made inside built capturable=True (its step count and bias correction on the device)."""
    import torch

    init = torch.optim.Adam.__init__

    def capturable(self, params, *args, **kwargs):
        init(self, params, *args, **{**kwargs, "capturable": True})

    torch.optim.Adam.__init__ = capturable
    try:
        yield
    finally:
        torch.optim.Adam.__init__ = init


def planned_runs(suite: str, profile: str, device: str, recipes: tuple[str, ...], batch_seeds: int) -> dict[str, dict]:
    """{spec hash[:12]: {"recipe", "steps", "group", "unit"}} for every run ``ganbench run`` would plan,
    where "group" is how many runs its --batch-seeds group trains together and "unit" that group's
    place in the order `run --jobs` hands them out."""
    from gan_bench.suite.plan import plan_suite
    from gan_bench.suite.seed_groups import seed_groups

    plan = plan_suite(
        suite, recipes=list(recipes) or None, profile=profile, device=device, cuda_graph=device == "cuda", jobs=1
    )
    return {
        spec.hash[:12]: {"recipe": spec.recipe, "steps": spec.schedule.steps, "group": len(group), "unit": unit}
        for unit, group in enumerate(seed_groups(plan.specs, batch_seeds))
        for spec in group
    }


def suite_run(
    out: Path,
    suite: str,
    dry: bool,
    device: str,
    jobs: int,
    budget_s: float,
    recipes: tuple[str, ...] = (),
    batch_seeds: int = 1,
) -> dict:
    """``ganbench run --suite SUITE --profile full`` (only ``recipes``, if named) into OUT/SUITE,
    stopped at the budget. An OUT/SUITE that holds a suite run already (one an earlier check
    stopped) is continued with ``run --resume`` instead."""
    folder, profile = out / suite, "smoke" if dry else "full"
    resumed = (folder / "suite.json").is_file()
    steps_before = sum(_progress(p.parent)["steps"] for p in folder.rglob("spec.json")) if resumed else 0
    if resumed:  # the suite, recipes, profile, device and --cuda-graph come from its suite.json
        args = ["run", "--resume", str(folder)]
    else:
        args = ["run", "--suite", suite, "--profile", profile, "--device", device, "--out", str(folder)]
        args += ["--recipes", ",".join(recipes)] if recipes else []
        args += ["--cuda-graph"] if device == "cuda" else []
    args += ["--jobs", str(jobs), "--quiet"] + (["--batch-seeds", str(batch_seeds)] if batch_seeds > 1 else [])
    planned = planned_runs(suite, profile, device, recipes, batch_seeds)
    began = time.monotonic()
    log = (out / f"{suite}_suite.log").open("w")
    proc = subprocess.Popen(_cli(*args), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        proc.wait(timeout=max(budget_s, 1))
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGTERM)  # every run in training checkpoints and stops
        proc.wait(timeout=120)
    elapsed = time.monotonic() - began
    runs = {str(p.parent.relative_to(folder)): _progress(p.parent) for p in sorted(folder.rglob("spec.json"))}
    result = {
        "command": "ganbench " + " ".join(args),
        "returncode": proc.returncode,
        "elapsed_s": elapsed,
        "runs_total": len(planned),
        "runs_finished": sum(r["finished"] for r in runs.values()),
        "runs_scored": sum(r["scored"] for r in runs.values()),
        "steps_total": sum(p["steps"] for p in planned.values()),
        "steps_done": sum(r["steps"] for r in runs.values()),
        "steps_before": steps_before,  # done by an earlier check, when resumed
        "runs": runs,
    }
    if proc.returncode == 0:
        result["total_s"], result["total_is"] = elapsed, "measured"
    else:
        total = projection(planned, runs, jobs, elapsed)
        if total is not None:
            result["total_s"] = total
            result["total_is"] = "projected from the measured per-recipe step rates and scoring times"
            if borrowed := unmeasured(planned, runs):
                result["total_is"] += f"; {', '.join(borrowed)} at the others' mean rate, not having begun"
    if steps_before and "total_is" in result:
        result["total_is"] += ", from this check's start"
    return result


def toy_suite(out: Path, dry: bool, device: str, budget_s: float, batch_seeds: int = 1) -> dict:
    """The 12 full-protocol toy runs (toy-gan and toy-gan-pac2, seeds 0-2, on the ring and the grid),
    all at once on CUDA (with ``batch_seeds`` 3: four batched models of three seeds), stopped at the
    budget and projected from their step rates."""
    jobs = 12 if device == "cuda" else 2  # the plan trains no more at once than there are groups
    return suite_run(out, "toy", dry, device, jobs, budget_s, ("toy-gan", "toy-gan-pac2"), batch_seeds)


def ring_gap(out: Path, dry: bool, device: str, budget_s: float, batch_seeds: int = 1) -> dict:
    """The ring gap (--ring-gap): toy-gan-pacgan-code and its pac2, 3 seeds each on the ring, all six
    at once (with ``batch_seeds`` 3: two batched models of three seeds), continuing an OUT that an
    earlier check stopped, then ``ganbench report`` beside PacGAN's Table 1 into OUT/ring_gap_report.md."""
    result = suite_run(out, RING_GAP_SUITE, dry, device, 6, budget_s, batch_seeds=batch_seeds)
    report = subprocess.run(
        _cli("report", str(out / RING_GAP_SUITE), "--format", "md"), cwd=ROOT, capture_output=True, text=True
    )
    (out / "ring_gap_report.md").write_text(report.stdout + report.stderr)
    result["report"] = "ring_gap_report.md"
    return result


def _earlier_sections(path: Path, summary: dict) -> dict:
    """The sections an earlier check wrote into this OUT on the same device and torch, in the same
    mode: a rerun of some sections (--sections) keeps the others in its summary."""
    try:
        earlier = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    same = earlier.get("dry_run") == summary["dry_run"] and all(
        earlier.get("environment", {}).get(k) == summary["environment"][k] for k in ("device_name", "torch", "cuda")
    )
    return earlier.get("sections", {}) if same else {}


def markdown(summary: dict) -> str:
    env, s = summary["environment"], summary["sections"]
    lines = [
        "# ganbench device check",
        "",
        f"Device: {env['device_name']} · torch {env['torch']} · CUDA {env['cuda']} · "
        f"{'CPU dry run' if summary['dry_run'] else 'full check'} · {summary['seconds']:.0f} s in all",
        "",
        *(
            [f"Kept from an earlier check into this folder: {', '.join(summary['kept_from_earlier'])}.", ""]
            if summary.get("kept_from_earlier")
            else []
        ),
        "| section | result | seconds |",
        "|---|---|---|",
    ]
    for name, entry in s.items():
        if entry["status"] != "ok":
            shown = f"FAILED: {entry['error']}"
        elif name == "cuda_tests":
            v = entry["value"]
            shown = f"{v['passed']} passed, {v['skipped']} skipped, {v['failed'] + v['error']} failed"
            shown += f" ({', '.join(v['not_passed'])})" if v["not_passed"] else ""
            shown += " (pytest timed out)" if v["returncode"] == "timed out" else ""
        elif name == "training":
            shown = "; ".join(
                f"{comparison}: " + ", ".join(f"{loop} {rate:,.0f}" for loop, rate in loops.items())
                for comparison, loops in entry["value"]["images_per_s"].items()
            )
            v = entry["value"]
            shown = f"{shown or 'no rates'} (img/s, median of {v.get('rounds', 3)} round(s); pytest: {v['returncode']})"
        elif name == "step_rates":
            shown = "; ".join(
                f"{recipe}: " + ", ".join(f"{k} {r:,.0f}" for k, r in v["steps_per_s"].items()) + " steps/s"
                + (f" ({v['graphed_speedup']:.1f}× graphed)" if v["graphed_speedup"] else "")
                for recipe, v in entry["value"].items()
            )  # fmt: skip
            toy = entry["value"]["toy-gan"]
            shown += (
                f"; 400k-step toy run ≈ {toy['projected_400k_run_s']:,.0f} s (target ≤ {TARGETS['toy_run_400k_s']})"
            )
            shown += f"; tf-mlp graphed target ≥ {TARGETS['graphed_tf_mlp_speedup']:.0f}×"
            keras = entry["value"].get("keras-mlp")
            if keras:
                shown += (
                    f"; a full keras-mlp run ({keras['full_run_steps']:,} steps) alone ≈ "
                    f"{keras['projected_full_run_s']:,.0f} s, the mnist suite's floor"
                )
        elif name == "jobs_scaling":
            shown = "; ".join(
                f"{r['recipe']} ×{r['jobs']} ({r['threads']} threads): {r['steps_per_s_all']:,.0f} steps/s in all, "
                f"{r['wall_s']:.0f} s" for r in entry["value"]
            )  # fmt: skip
        elif name == "graph_drift":
            shown = (
                "; ".join(
                    f"{recipe}: " + ", ".join(f"{k} {d:.2g}" for k, d in v.items())
                    for recipe, v in entry["value"].items()
                )
                + " (largest history difference from the graphed run)"
            )
        else:  # a suite run: mnist_suite or ring_gap
            v = entry["value"]
            total = f"{v['total_s']:,.0f} s ({v['total_is']})" if "total_s" in v else "no rate measured"
            shown = (
                f"{v['runs_finished']}/{v['runs_total']} runs finished, {v['runs_scored']} scored, "
                f"{v['steps_done']:,}/{v['steps_total']:,} steps"
                + (f" ({v['steps_before']:,} of them before this check)" if v.get("steps_before") else "")
                + f"; total {total}"
            )
            target = {"mnist_suite": TARGETS["mnist_suite_s"], "toy_suite": TARGETS["toy_full_protocol_12_runs_s"]}
            shown += f" (target ≤ {target[name]} s)" if name in target else f"; report: {v['report']}"
        lines.append(f"| {name} | {shown} | {entry['seconds']:.0f} |")
    return "\n".join(lines) + "\n"


SECTIONS = [
    "cuda_tests",
    "mnist_suite",
    "toy_suite",
    "step_rates",
    "training",
    "graph_drift",
    "jobs_scaling",
    "ring_gap",
]


def section_list(text: str) -> list[str]:
    """--sections: names from SECTIONS, comma-separated (argparse exits 2 with this message otherwise)."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in SECTIONS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown section {', '.join(unknown) or '(none)'}; valid: {', '.join(SECTIONS)}"
        )
    return names


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "out", type=Path, help="a new or empty folder, or one an earlier check wrote (its sections kept)"
    )
    parser.add_argument("--cpu-dry-run", action="store_true", help="small sizes on CPU, to test the script")
    parser.add_argument("--budget-s", type=float, default=480.0, help="the whole check's wall-clock budget")
    parser.add_argument(
        "--ring-gap",
        action="store_true",
        help=f"instead of the check: the {RING_GAP_SUITE} suite (6 runs at once) in the whole budget, and its report",
    )
    parser.add_argument(
        "--jobs", type=int, default=None, help="--jobs for the mnist suite (default: 8 on CUDA, 2 on CPU)"
    )
    parser.add_argument(
        "--batch-seeds",
        type=int,
        default=3,
        help="--batch-seeds for the mnist suite, the toy runs and the ring gap: each --jobs worker trains up to K "
        "seeds of an MLP or toy recipe at once (default 3)",
    )
    parser.add_argument(
        "--sections",
        type=section_list,
        default=None,
        help=f"only these sections, comma-separated, in their usual order (a rerun of what failed): {', '.join(SECTIONS)}",
    )
    parser.add_argument(
        "--wheels", type=Path, default=WHEELS, help="wheels for what this machine lacks (benchmarks/fetch_wheels.sh)"
    )
    a = parser.parse_args()
    if a.out.is_dir() and any(a.out.iterdir()) and not (a.out / "gpu_check.json").is_file():
        # the check empties its measurement folders in OUT before a rerun: never in someone else's folder
        print(f"{a.out}: holds files, and no gpu_check.json of an earlier check; give a new folder", file=sys.stderr)
        return 2
    problems = prepare(a.wheels)
    tools = missing_tools()  # a missing tool fails only the sections run under it: the rest still measure
    fatal = [p for p in problems if p not in tools.values()]
    if fatal:
        print("this Python cannot run ganbench from this checkout:", *fatal, sep="\n  ", file=sys.stderr)
        print(
            f"Download what it lacks where pip works (bash benchmarks/fetch_wheels.sh {a.wheels} "
            f"{sys.version_info.major}.{sys.version_info.minor}) and bring that folder along.",
            file=sys.stderr,
        )
        return 2
    import torch

    import gan_bench
    from gan_bench.rundir.repro import cpu_name

    dry = a.cpu_dry_run
    device = "cpu" if dry or not torch.cuda.is_available() else "cuda"
    if device == "cpu" and not dry:
        print("no CUDA device: run with --cpu-dry-run to test the script on CPU", file=sys.stderr)
        return 2
    a.out.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    summary = {
        "dry_run": dry,
        "environment": {
            "device_name": torch.cuda.get_device_name() if device == "cuda" else cpu_name(),
            "torch": torch.__version__,
            "cuda": torch.version.cuda,
            "ganbench": gan_bench.__version__,
            "python": platform.python_version(),
            "cpu_threads": torch.get_num_threads(),
        },
        "targets": TARGETS,
    }
    summary["sections"] = _earlier_sections(a.out / "gpu_check.json", summary)

    def save() -> None:  # after each section too: whatever happens next, this much is kept
        (a.out / "gpu_check.json").write_text(json.dumps(summary, indent=1))

    jobs = a.jobs or (8 if device == "cuda" else 2)

    def left() -> float:
        return a.budget_s - (time.monotonic() - began) - 20  # 20 s to write the summary

    # The mnist suite is the headline target: it runs second, with half the budget, and the 12 toy
    # runs an eighth; the step rates take about a minute and the benchmarks get the rest (a minute at least).
    sections = [
        ("cuda_tests", lambda: cuda_tests(a.out, dry)),
        (
            "mnist_suite",
            lambda: suite_run(
                a.out, "mnist", dry, device, jobs, 60 if dry else 0.5 * a.budget_s, batch_seeds=a.batch_seeds
            ),
        ),
        ("toy_suite", lambda: toy_suite(a.out, dry, device, 30 if dry else 0.125 * a.budget_s, a.batch_seeds)),
        ("step_rates", lambda: step_rates(a.out, dry, device)),
        ("training", lambda: training(a.out, dry, max(left(), 10 if dry else TRAINING_FLOOR_S))),
        ("graph_drift", lambda: graph_drift(a.out, dry, device)),
        ("jobs_scaling", lambda: jobs_scaling(a.out, dry, device)),
        ("ring_gap", lambda: ring_gap(a.out, dry, device, 60 if dry else left(), a.batch_seeds)),
    ]
    chosen = a.sections or (["ring_gap"] if a.ring_gap else SECTIONS[:5])  # the 8-minute check
    summary["kept_from_earlier"] = [name for name in summary["sections"] if name not in chosen]
    save()  # marks OUT as a check's from the start
    lacking = {name: [tools[t] for t in needs if t in tools] for name, needs in TOOLS_OF.items()}
    for name in (n for n in chosen if lacking.get(n)):
        print(f"warning: section {name} will fail: {'; '.join(lacking[name])}", file=sys.stderr)
    for name, step in sections:
        if name not in chosen:
            continue
        t0 = time.monotonic()
        try:
            if lacking.get(name):
                raise ModuleNotFoundError("; ".join(lacking[name]))
            summary["sections"][name] = {"status": "ok", "value": step()}
        except Exception as e:  # noqa: BLE001 - a failed section is recorded; the others still run
            summary["sections"][name] = {"status": "failed", "error": f"{type(e).__name__}: {e}"}
        summary["sections"][name]["seconds"] = time.monotonic() - t0
        save()
    summary["seconds"] = time.monotonic() - began
    save()
    (a.out / "gpu_check.md").write_text(markdown(summary))
    print(markdown(summary))
    return 0 if all(e["status"] == "ok" for e in summary["sections"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
