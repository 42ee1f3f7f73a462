"""One run's lifecycle: check the run directory, write spec.json and env.json, train.

A directory that already holds a run is only touched with ``resume``, and only if its spec hash
matches: a complete run is then skipped, an interrupted one continues from its last checkpoint.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import torch

from gan_bench.data.catalogue import Loaded
from gan_bench.errors import RunDirError, UserError
from gan_bench.rundir import atomic, metrics_file
from gan_bench.rundir.identity import differences
from gan_bench.rundir.layout import BIT_KEYS, RunDir, holds_scored_samples, scored_samples_here
from gan_bench.rundir.lock import has_content
from gan_bench.rundir.repro import bit_environment, environment, seed_everything, torch_threads
from gan_bench.rundir.trained_data import check_same_data
from gan_bench.suite.run_spec import RunSpec
from gan_bench.training import checkpoint
from gan_bench.training.engine import Outcome, train
from gan_bench.training.progress import Reporter
from gan_bench.training.seed_batch import train_seeds
from gan_bench.training.signals import Interrupted
from gan_bench.variants import plugin_probe, plugins


@dataclass
class RunResult:
    """One run that :func:`run_suite` or :func:`train` finished: its spec, run directory, what
    was done ("trained", "resumed" or "skipped (complete)") and a one-line summary."""

    spec: RunSpec
    path: Path
    status: str  # "trained", "resumed", "skipped (complete)"
    summary: str


def check_run_dir(spec: RunSpec, run: RunDir, resume: bool, how_to_resume: str = "--resume") -> str:
    """'fresh', 'resume' or 'complete'; raises UserError when the directory can't be used.
    ``how_to_resume`` is the option the refusal of an existing run advises."""
    if run.spec.is_file():
        recorded = run.read_spec()
        if holds_scored_samples(recorded):
            raise RunDirError(f"{scored_samples_here(run.root)}; choose another --out")
        existing = recorded.get("spec_hash")
        changed = plugins.changed_source(recorded.get("plugin"), spec.recipe_obj) if existing != spec.hash else None
        if changed:
            raise RunDirError(
                f"{run.spec}: plug-in recipe {spec.recipe}'s source has changed since this run began "
                f"({changed}); restore the plug-in's code, delete {run.root} to train it anew, or choose another --out"
            )
        if existing != spec.hash:
            changes = differences(recorded, spec.resolved()) or f"spec_hash {existing} there, {spec.hash} now"
            # resuming, the user means to continue it: the settings it holds are the way, not deleting it
            how = "to continue it, give the settings it began with" if resume else f"delete {run.root}"
            raise RunDirError(
                f"{run.spec}: the directory holds a different run ({changes}); {how}, or choose another --out"
            )
        if not resume:
            raise RunDirError(
                f"{run.root} already holds this run; pass {how_to_resume} to continue it "
                f"(or skip it when complete), or choose another --out"
            )
        return "complete" if run.complete else "resume"
    if has_content(run.root):
        raise RunDirError(f"{run.root} is not empty and holds no ganbench run (no spec.json); choose another --out")
    return "fresh"


def _checked(run: RunDir, state: str, reporter: Reporter) -> str:
    """Set aside a checkpoint that cannot be read (renamed to *.corrupt, with a message) so the run
    is redone from its last readable state; returns the run's state after that."""
    if state == "fresh":
        return state
    for path in (run.final_checkpoint, run.last_checkpoint):
        if path.is_file():
            try:
                checkpoint.load(path)
            except UserError as e:
                aside = path.with_name(path.name + ".corrupt")
                path.replace(aside)
                reporter.message(f"{e.args[0].split(';')[0]}; moved to {aside.name}, the run is redone")
    return "complete" if run.complete else "resume"


LoadDataset = Callable[[str, str], Loaded]  # (dataset, direction) -> the dataset
Score = Callable[[RunDir, LoadDataset], dict]  # scores a run with the dataset its training loaded


def _skipped(spec: RunSpec, run: RunDir, reporter: Reporter, score, load_dataset) -> RunResult:
    summary, done = "", "skipped"
    reason = metrics_file.problem(run)
    if score is not None and reason is not None:
        if reason != "missing":
            reporter.message(f"{run.metrics}: invalid metrics file, {reason}; scoring again")
        reporter.scoring(spec.label)
        summary, done = scored_summary(score(run, load_dataset)), "trained earlier, scored now"
        reporter.run_finished(spec.label, summary)
    reporter.message(f"{spec.label}: complete in {run.root}, {done}")
    reporter.run_skipped(spec.label, spec.schedule.steps)
    return RunResult(spec, run.root, "skipped (complete)", summary)


def _begin(spec: RunSpec, run: RunDir, state: str, dataset, device: torch.device) -> None:
    if state == "resume" and run.last_checkpoint.is_file():
        check_same_data(run, spec.dataset, dataset.sha256, dataset.files, "resume")
    plugin_probe.probe(spec.recipe_obj, spec.seed, dataset, device)
    if state == "fresh":
        run.root.mkdir(parents=True, exist_ok=True)
        atomic.write_json(run.spec, {**spec.resolved(), "spec_hash": spec.hash})
    if state == "fresh" or not run.last_checkpoint.is_file():  # a resumed run without one starts at step 0 here
        seed_everything(spec.seed)  # so env.json records the determinism settings the run uses
        atomic.write_json(run.env, environment(device, dataset.sha256, dataset.files))


@contextmanager
def _as_begun(runs: list[RunDir], reporter: Reporter, label: str):
    """Resumed runs train with the torch thread count they began with, since their bits depend on
    it. What else they depend on (CPU, its kernels, torch's version) cannot be matched: where it
    differs from what the run last trained with, it is said and recorded in env.json's "resumed"
    list with the step, so env.json tells which steps were trained where."""
    began = {run: run.read_env() for run in runs if run.last_checkpoint.is_file()}
    counts = [env.get("torch_threads") for env in began.values()]
    count = next((c for c in counts if isinstance(c, int) and not isinstance(c, bool) and c > 0), None)
    if count == torch.get_num_threads():
        count = None
    elif count is not None:
        reporter.message(
            f"{label}: resumed with {count} torch thread{'s' * (count != 1)}, as it began (this process had "
            f"{torch.get_num_threads()}), since the bits depend on the count"
        )
    with torch_threads(count):
        now = bit_environment()
        for run, env in began.items():
            earlier = [r for r in env["resumed"] if isinstance(r, dict)] if isinstance(env.get("resumed"), list) else []
            last = {key: value for record in [env, *earlier] for key, value in record.items() if key in BIT_KEYS}
            changed = {key: now[key] for key in BIT_KEYS if key in last and last[key] != now[key]}
            if changed:
                step = checkpoint.load(run.last_checkpoint)["step"]
                atomic.write_json(run.env, {**env, "resumed": [*earlier, {"step": step, **changed}]})
                differs = ", ".join(f"{BIT_KEYS[k]} {now[k]} (it trained with {last[k]} until then)" for k in changed)
                reporter.message(
                    f"{run.root}: resumed at step {step} with {differs}; its bits will differ from an "
                    "uninterrupted run's (recorded in env.json)"
                )
        yield


def _finished(spec: RunSpec, run: RunDir, outcome: Outcome, reporter: Reporter, score, load_dataset) -> RunResult:
    last, steps = outcome.last, f"{outcome.steps} step{'' if outcome.steps == 1 else 's'}"
    summary = (
        f"{steps} in {outcome.seconds:.1f}s, d_loss {last.get('d_loss', float('nan')):.3f} "
        f"g_loss {last.get('g_loss', float('nan')):.3f}"
    )
    if outcome.stopped and score is not None:  # Ctrl-C or SIGTERM in the last step: keep it, score on --resume
        raise Interrupted(outcome.steps, str(run.final_checkpoint), str(run.root))
    if score is not None:
        reporter.scoring(spec.label)
        summary += "; " + scored_summary(score(run, load_dataset))
    reporter.run_finished(spec.label, summary)
    return RunResult(spec, run.root, "resumed" if outcome.resumed_from else "trained", summary)


def execute(
    spec: RunSpec,
    run: RunDir,
    resume: bool,
    reporter: Reporter,
    load_dataset: LoadDataset,
    score: Score | None = None,
) -> RunResult:
    """Train (or resume) the run, then score it with ``score`` when given and not yet scored:
    ``score(run, load_dataset)``, so scoring reads the dataset training loaded."""
    reporter.working_on(spec.recipe)
    return _execute(spec, run, resume, reporter, load_dataset, score)


def _execute(
    spec: RunSpec, run: RunDir, resume: bool, reporter: Reporter, load_dataset: LoadDataset, score: Score | None
) -> RunResult:
    """:func:`execute` within a unit begun (``Reporter.working_on``), alone or in a seed group."""
    state = _checked(run, check_run_dir(spec, run, resume), reporter)
    if state == "complete":
        return _skipped(spec, run, reporter, score, load_dataset)
    device = torch.device(spec.device)
    dataset = load_dataset(spec.dataset, spec.direction)
    _begin(spec, run, state, dataset, device)
    with _as_begun([run], reporter, spec.label):
        outcome = train(
            spec.recipe_obj,
            spec.schedule,
            spec.seed,
            dataset,
            run,
            spec.hash,
            device,
            reporter,
            spec.label,
            compile=spec.compile,
            cuda_graph=spec.cuda_graph,
        )
    return _finished(spec, run, outcome, reporter, score, load_dataset)


def execute_seeds(
    specs: list[RunSpec],
    runs: list[RunDir],
    resume: bool,
    reporter: Reporter,
    load_dataset: LoadDataset,
    score: Score | None = None,
) -> list[RunResult]:
    """Several seeds of one spec trained as one batched model, then each scored; complete runs are skipped."""
    reporter.working_on(specs[0].recipe)
    states = [_checked(run, check_run_dir(spec, run, resume), reporter) for spec, run in zip(specs, runs)]
    results = {
        i: _skipped(specs[i], runs[i], reporter, score, load_dataset) for i, st in enumerate(states) if st == "complete"
    }
    todo = [i for i, st in enumerate(states) if st != "complete"]
    if len(todo) == 1:
        results[todo[0]] = _execute(specs[todo[0]], runs[todo[0]], resume, reporter, load_dataset, score)
    elif todo:
        first = specs[todo[0]]
        device = torch.device(first.device)
        dataset = load_dataset(first.dataset, first.direction)
        for i in todo:
            _begin(specs[i], runs[i], states[i], dataset, device)
        label = f"{first.recipe} seeds {','.join(str(specs[i].seed) for i in todo)}"
        with _as_begun([runs[i] for i in todo], reporter, label):
            outcomes = train_seeds(
                first.recipe_obj,
                first.schedule,
                [specs[i].seed for i in todo],
                dataset,
                [runs[i] for i in todo],
                [specs[i].hash for i in todo],
                device,
                reporter,
                label,
                cuda_graph=first.cuda_graph,
            )
        for i, outcome in zip(todo, outcomes):
            results[i] = _finished(specs[i], runs[i], outcome, reporter, score, load_dataset)
    return [results[i] for i in range(len(specs))]


def scored_summary(metrics: dict) -> str:
    """metrics.json in a few words: the verdict, and the evaluator FID where there is one."""
    fid = next((v["value"] for k, v in metrics["metrics"].items() if k.startswith("fid_lenet")), None)
    return f"verdict {metrics['verdict']}" + (f", fid_lenet {fid:.2f}" if fid is not None else "")
