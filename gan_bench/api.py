"""The Python API: everything the CLI does, as functions that return data.

User mistakes raise :class:`gan_bench.errors.UserError` subclasses (nothing here prints or exits).
Progress goes to a :class:`gan_bench.training.progress.Reporter`; the default one is silent.

    import gan_bench as gb

    suite_run = gb.run_suite("smoke", out="results/runs/smoke")
    table = gb.report([suite_run.root])         # a pandas DataFrame, one row per run
    result = gb.check([suite_run.root])         # verdicts against the suite's thresholds
    assert result.passed, result.failures
"""

from __future__ import annotations

import itertools
import shlex
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from gan_bench import defaults, devices
from gan_bench.api_arguments import checked, checked_arguments
from gan_bench.data import datasets
from gan_bench.errors import GateError, InvalidOption, PluginError, RunDirError
from gan_bench.gates import check as gate
from gan_bench.gates.check import Verdict
from gan_bench.reporting import environments
from gan_bench.rundir import atomic, outputs, paths
from gan_bench.rundir.layout import (
    SUITE_FILE,
    RunDir,
    find_runs,
    read_suite_info,
    run_suite_folder,
    suite_folder,
    write_suite_info,
)
from gan_bench.rundir.lock import output_lock
from gan_bench.suite.locate import available_suites, recorded_suite
from gan_bench.suite.plan import Plan, check_cuda_graph, checked_direction, choose_profile, plan_suite
from gan_bench.suite.run_spec import RunSpec, check_seed, compatible, module_ref
from gan_bench.suite.suite_file import Suite, load_suite
from gan_bench.training.progress import Reporter
from gan_bench.variants import RECIPES, get_recipe, registry
from gan_bench.variants.recipe import Recipe

if TYPE_CHECKING:
    import numpy as np
    import torch

    from gan_bench.executors.lifecycle import RunResult

# Training and scoring modules load torch; they are imported by the functions that train or score,
# so report, check, baseline and list start without it.

PathLike = str | Path


@dataclass
class SuiteRun:
    """What :func:`run_suite` did: its plan, the output folder, and one result per run."""

    plan: Plan
    results: list[RunResult]

    @property
    def root(self) -> Path:
        return self.plan.root


@dataclass
class CheckResult:
    """The verdict of :func:`check`: one :class:`Verdict` per (recipe, metric) threshold."""

    suite: str
    verdicts: list[Verdict]
    baseline: Path | None
    # where the runs' machines differ from each other or from the baseline's (bits differ across them)
    environment_notes: list[str] = field(default_factory=list)

    @property
    def failures(self) -> list[Verdict]:
        return [v for v in self.verdicts if not v.passed]

    @property
    def passed(self) -> bool:
        return not self.failures

    def write_junit(self, path: PathLike) -> None:
        gate.junit(self.verdicts, paths.output_file(Path(path), "--junit"))

    def table(self) -> pd.DataFrame:
        """One row per threshold: recipe, metric, value, rule, result (as `ganbench check` prints)."""
        return gate.verdict_table(self.verdicts)

    def markdown(self) -> str:
        """The check as Markdown (a table, the baseline, notes, the count), for a CI job summary."""
        return gate.markdown(self.suite, self.verdicts, self.baseline, self.environment_notes)

    @property
    def hint(self) -> str | None:
        """Where some gated recipes ran and others did not: how to gate only those that ran."""
        return gate.narrowing_hint(self.verdicts)


# -- what there is -----------------------------------------------------------------------------
@checked_arguments
def list_recipes(on_broken_plugin: Callable[[PluginError], None] | None = None) -> list[Recipe]:
    """Every recipe ganbench trains (name, source, quirks, per-profile schedules): the built-in
    ones, then every installed plug-in's. An installed plug-in that fails to load raises its
    :class:`PluginError`; with ``on_broken_plugin``, the error is handed to it and the plug-in
    left out."""
    from gan_bench.variants import plugins

    return [*RECIPES.values(), *plugins.load_all(on_broken_plugin)]


def list_suites() -> dict[str, Path]:
    """Every suite by name, with its file: the working directory's ``suites/`` shadow ganbench's own."""
    return {path.stem: path for path in available_suites()}


def _data_folder(data_dir: PathLike | None) -> Path | None:
    """--data-dir as a Path, refused up front when it is not an existing folder."""
    if data_dir is None:
        return None
    if not Path(data_dir).is_dir():
        raise InvalidOption(
            f"--data-dir: {data_dir} is not an existing folder; give the folder holding <dataset>/ folders"
        )
    return Path(data_dir)


# -- train / run -------------------------------------------------------------------------------
@checked_arguments
def check_scoring_options(
    *,
    samples: int | None = None,
    backbone: str = defaults.BACKBONE,
    inception_weights: PathLike | None = None,
    data_dir: PathLike | None = None,
) -> None:
    """Refuse the scoring and data options :func:`execute_plan` would refuse, without training or
    writing: with :func:`plan`, all a dry run checks."""
    weights = Path(inception_weights) if inception_weights is not None else None
    _scorer(samples, backbone, weights, devices.resolve("cpu"), _data_folder(data_dir))


@checked_arguments
def plan(suite: PathLike, **options) -> Plan:
    """The plan :func:`run_suite` would follow with the same arguments; writes nothing."""
    return plan_suite(suite, **checked("plan", run_suite, _plan_options(options)))


def _plan_options(options: dict) -> dict:
    known = (
        "recipes",
        "seeds",
        "profile",
        "out",
        "device",
        "resume",
        "executor",
        "address",
        "batch_seeds",
        "direction",
        "compile",
        "cuda_graph",
        "jobs",
        "runs_per_gpu",
    )
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise InvalidOption(f"unknown option(s) {', '.join(unknown)}; valid: {', '.join(known)}")
    return options


@checked_arguments
def run_suite(
    suite: PathLike,
    *,
    recipes: Sequence[str] | None = None,
    seeds: Sequence[int] | None = None,
    profile: str | None = None,
    out: PathLike | None = None,
    device: str | torch.device = defaults.DEVICE,
    resume: PathLike | None = None,
    executor: str = defaults.EXECUTOR,
    address: str | None = None,
    batch_seeds: int = 1,
    direction: str | None = None,
    compile: bool = False,
    cuda_graph: bool = False,
    jobs: int = 1,
    runs_per_gpu: int = 1,
    samples: int | None = None,
    backbone: str = defaults.BACKBONE,
    inception_weights: PathLike | None = None,
    data_dir: PathLike | None = None,
    progress: Reporter | None = None,
) -> SuiteRun:
    """Train every recipe × seed of a suite (a name or a TOML path), scoring each run as it finishes.

    ``resume`` names a previous output folder (under results/runs/, or a path): complete runs are
    skipped, interrupted ones continue. ``jobs`` N > 1 trains N runs at once, each in its own
    worker process (on CPU with cores // N torch threads each); with ``executor="ray"`` on CUDA,
    ``runs_per_gpu`` K makes each run's task ask for 1/K of a GPU. Returns the plan and one
    :class:`RunResult` per run."""
    p = plan_suite(
        suite,
        recipes=list(recipes) if recipes is not None else None,
        seeds=list(seeds) if seeds is not None else None,
        profile=profile,
        out=Path(out) if out is not None else None,
        device=device,
        resume=resume,
        executor=executor,
        address=address,
        batch_seeds=batch_seeds,
        direction=direction,
        compile=compile,
        cuda_graph=cuda_graph,
        jobs=jobs,
        runs_per_gpu=runs_per_gpu,
    )
    return execute_plan(
        p, samples=samples, backbone=backbone, inception_weights=inception_weights, data_dir=data_dir, progress=progress
    )


def _check_output_folder(p: Plan) -> None:
    from gan_bench.executors.local import check_run_dirs
    from gan_bench.rundir.layout import SUITE_FILE

    existing = read_suite_info(p.root) if p.root.is_dir() else None
    if existing is not None and existing.get("suite_hash") not in (None, p.suite_hash):
        raise RunDirError(
            f"{p.root / SUITE_FILE}: the folder holds runs of suite {existing.get('name')!r} "
            f"(another suite, or this one changed); choose another --out"
        )
    check_run_dirs(p.specs, p.root, p.resume)


@checked_arguments
def execute_plan(
    plan: Plan,
    *,
    samples: int | None = None,
    backbone: str = defaults.BACKBONE,
    inception_weights: PathLike | None = None,
    data_dir: PathLike | None = None,
    progress: Reporter | None = None,
) -> SuiteRun:
    """Carry out a :class:`Plan` from :func:`plan`."""
    reporter = progress or Reporter()
    data_dir = _data_folder(data_dir)
    weights = Path(inception_weights) if inception_weights is not None else None
    scorer = _scorer(samples, backbone, weights, plan.device, data_dir)  # fails before any training
    _check_output_folder(plan)  # before the lock file and suite.json: a refused run leaves the folder as it was
    with output_lock(plan.root):
        _check_output_folder(plan)  # again, now that no other run can write here
        write_suite_info(
            plan.root,
            {
                "name": plan.suite.name,
                "file": plan.suite_file,
                "profile": plan.profile,
                "device": plan.device.type,
                "dataset": plan.suite.datasets,
                "suite_hash": plan.suite_hash,
            },
        )
        if plan.executor == "ray":
            from gan_bench.executors import ray_cluster

            results = ray_cluster.run_all(
                plan.specs,
                plan.root,
                plan.resume,
                reporter,
                plan.address,
                data_dir,
                {"samples": samples, "backbone": backbone, "inception_weights": weights},
                plan.runs_per_gpu,
            )
        elif plan.jobs > 1:
            from gan_bench.executors import processes

            results = processes.run_all(
                plan.specs,
                plan.root,
                plan.resume,
                reporter,
                plan.jobs,
                data_dir,
                {"samples": samples, "backbone": backbone, "inception_weights": weights},
            )
        else:
            from gan_bench.executors.local import run_all

            results = run_all(plan.specs, plan.root, plan.resume, reporter, data_dir, scorer, plan.batch_seeds)
    return SuiteRun(plan, results)


@checked_arguments
def train(
    recipe: str,
    dataset: str = "mnist",
    *,
    seed: int = 0,
    profile: str | None = None,
    steps: int | None = None,
    out: PathLike | None = None,
    device: str | torch.device = defaults.DEVICE,
    resume: bool = False,
    direction: str | None = None,
    data_dir: PathLike | None = None,
    compile: bool = False,
    cuda_graph: bool = False,
    progress: Reporter | None = None,
) -> RunResult:
    """Train one recipe with one seed into one run directory (not scored; see :func:`score`).

    Without ``out`` a new folder under results/runs/ is used, or with ``resume`` the newest
    unfinished run of the same spec."""
    recipe_obj = get_recipe(recipe)
    if not datasets.known(dataset):
        raise InvalidOption(f"--dataset: {datasets.unknown(dataset)}")
    try:
        compatible(recipe, dataset)
    except ValueError as e:
        raise InvalidOption(f"--dataset: {e}") from None
    if seed < 0 or (steps is not None and steps < 1):
        raise InvalidOption(f"--seed must be >= 0 and --steps >= 1 (got seed {seed}, steps {steps})")
    try:
        check_seed(seed)
    except ValueError as e:
        raise InvalidOption(f"--seed: {e}") from None
    dev = devices.resolve(device)
    way = checked_direction(direction, defaults.DIRECTION)
    if way != defaults.DIRECTION and not datasets.is_translation(dataset):
        raise InvalidOption(f"--direction: applies to translation data only, not {dataset}")
    from gan_bench.training.cuda_graph import supports as graph_supports

    if cuda_graph and not graph_supports(recipe_obj):
        eager = sorted(name for name, r in registry.builtin_recipes().items() if not graph_supports(r))
        raise InvalidOption(
            f"--cuda-graph: recipe {recipe} cannot be captured (its step waits on the host); "
            f"every built-in recipe can but {', '.join(eager)}"
        )
    check_cuda_graph(cuda_graph, compile, dev)
    spec = RunSpec(
        recipe=recipe_obj.name,
        recipe_ref=module_ref(recipe_obj),
        dataset=dataset,
        seed=seed,
        profile=choose_profile(profile, dev)[0],
        steps=steps,
        device=dev.type,
        direction=way,
        compile=compile,
        cuda_graph=cuda_graph,
    )
    if out is not None:
        run = RunDir(outputs.check_run_not_nested(paths.output_folder(Path(out), "--out")))
    elif resume:
        run = outputs.latest_unfinished(spec)
    else:
        run = RunDir(outputs.new_output("train") / recipe_obj.name / f"seed-{seed}")
    from gan_bench.executors.lifecycle import execute

    folder = _data_folder(data_dir)
    # One writer at a time: the suite folder the run lies in (which `run` locks), else the run itself.
    with output_lock(run_suite_folder(run) or run.root):
        return execute(spec, run, resume, progress or Reporter(), lambda name, w: datasets.load(name, folder, w))


# -- score / report / check / baseline ---------------------------------------------------------
def _scorer(samples, backbone, inception_weights, device, data_dir, batch_norm="running"):
    from gan_bench.metrics import inception
    from gan_bench.metrics.fidelity import check_sample_count
    from gan_bench.scoring.score_run import check_backbone, check_batch_norm, score_run

    check_backbone(backbone, inception_weights)
    check_sample_count(samples)
    if backbone == "inception":
        inception.resolve_weights(inception_weights)  # fail before any training, not after
    check_batch_norm(batch_norm)
    return lambda run: score_run(
        run, samples, backbone, inception_weights, device, data_dir=data_dir, batch_norm=batch_norm
    )


@checked_arguments
def score(
    runs: Iterable[PathLike],
    *,
    samples: int | None = None,
    backbone: str = defaults.BACKBONE,
    inception_weights: PathLike | None = None,
    device: str | torch.device = defaults.DEVICE,
    data_dir: PathLike | None = None,
    batch_norm: str = "running",
    progress: Reporter | None = None,
    replace: bool = False,
) -> dict[Path, dict]:
    """Score each finished run (run directories, or folders holding them) and write its metrics.json.

    ``batch_norm``: "running" (G in eval mode) or "batch" (G's batch norm on each batch's own
    statistics, as a tutorial that never switches G to inference draws); metrics.json's protocol
    records it as ``g_batch_norm``. A run scored already keeps its metrics.json when these options
    would score what it holds; with other options the call raises, unless ``replace`` (score again
    and replace the file). Every run is checked before any is scored. ``progress`` hears
    ``scoring`` and ``run_finished`` for each run scored, labelled by its directory, and a
    ``message`` for each one kept. Returns each run directory's metrics.json content."""
    from gan_bench.executors.lifecycle import scored_summary
    from gan_bench.scoring.score_run import check_scorable
    from gan_bench.scoring.scored_already import kept

    reporter = progress or Reporter()
    scorer = _scorer(
        samples,
        backbone,
        Path(inception_weights) if inception_weights is not None else None,
        devices.resolve(device),
        _data_folder(data_dir),
        batch_norm,
    )
    found = []
    for run in find_runs([Path(r) for r in runs]):  # every run first: a refusal comes before any scoring
        spec = check_scorable(run, backbone, batch_norm)
        found.append((run, None if replace else kept(run, spec, samples, backbone, batch_norm)))
    scored = {}
    for run, result in found:
        if result is not None:
            reporter.message(
                f"{run.root}: scored already with these options; metrics.json kept (--replace scores it again)"
            )
            scored[run.root] = result
            continue
        reporter.scoring(str(run.root))
        scored[run.root] = scorer(run)
        reporter.run_finished(str(run.root), scored_summary(scored[run.root]))
    return scored


@checked_arguments
def score_samples(
    input: PathLike | np.ndarray | torch.Tensor | torch.nn.Module,
    dataset: str,
    *,
    out: PathLike | None = None,
    name: str | None = None,
    samples: int | None = None,
    z_dim: int | None = None,
    z_dist: str | None = None,
    conditional: bool = False,
    backbone: str = defaults.BACKBONE,
    inception_weights: PathLike | None = None,
    device: str | torch.device = defaults.DEVICE,
    data_dir: PathLike | None = None,
) -> tuple[Path, dict]:
    """Score samples made elsewhere against ``dataset``'s test split, under the same protocols as a
    trained run: a folder of PNG/JPEG images, an .npy/.npz uint8 array (N×H×W, N×H×W×C or
    N×C×H×W), or a generator: TorchScript (with ``z_dim``) or torch.export (``.pt2``; its z size
    is read from the program), z drawn from ``z_dist``; with ``conditional``, the generator (any of
    these) is called as G(z, y) on balanced labels (class indices, else one-hot), or an .npz's
    ``labels`` are read, and conditional accuracy is scored too. ``input`` may also be the images
    themselves, a uint8 numpy array or torch tensor shaped as an .npy file's, or a generator module
    (``z_dim`` required; it runs in eval mode where its weights are, and its mode is restored);
    then ``name`` is required. ``samples``: score the first N (a generator draws N; default 10,000). Writes
    spec.json and metrics.json into ``out`` (default results/scored/<name>-<dataset>), which report,
    baseline and check read; returns (that folder, the metrics.json content)."""
    from gan_bench.scoring.score_samples import score_samples as _score_samples

    return _score_samples(
        input,  # a path, or the images themselves: score_samples tells them apart
        dataset,
        out=Path(out) if out is not None else None,
        name=name,
        samples=samples,
        z_dim=z_dim,
        z_dist=z_dist,
        conditional=conditional,
        backbone=backbone,
        inception_weights=Path(inception_weights) if inception_weights is not None else None,
        device=devices.resolve(device),
        data_dir=_data_folder(data_dir),
    )


def latest_suite_run() -> Path:
    """The suite output folder under results/runs/ started or resumed most recently: what
    :func:`report`, :func:`check` and :func:`write_baseline` read when given no runs."""
    return outputs.latest_suite_output()


def _runs_or_latest(runs: Iterable[PathLike] | None) -> list[Path]:
    return [latest_suite_run()] if runs is None else [Path(r) for r in runs]


@checked_arguments
def export_tensorboard(runs: Iterable[PathLike], logdir: PathLike) -> dict[Path, dict]:
    """Write each run's history scalars, final metrics, quality over time and sample grids as
    TensorBoard events under ``logdir``/<dataset>/<recipe>/seed-<n> (needs ``ganbench[tensorboard]``).
    Returns {event folder: {"scalars": n, "images": n}}."""
    from gan_bench.exporting.tensorboard import export_tensorboard as _export

    return _export([Path(r) for r in runs], Path(logdir))


@checked_arguments
def report(runs: Iterable[PathLike] | None = None) -> pd.DataFrame:
    """One row per run: its spec (flattened), protocol, metrics, coverage and verdict (``runs``:
    default, the newest suite run, :func:`latest_suite_run`)."""
    from gan_bench.reporting.collect import collect

    return collect(_runs_or_latest(runs))


@checked_arguments
def render_report(runs: Iterable[PathLike] | pd.DataFrame, format: str = "md") -> str:
    """The comparison tables as text: ``md``, ``csv`` or self-contained ``html`` (with plots)."""
    from gan_bench.reporting import render

    renderers = {"md": render.markdown, "csv": render.csv, "html": render.html}
    if format not in renderers:
        raise InvalidOption(f"--format: unknown format {format!r}; valid: {', '.join(renderers)}")
    df = runs if isinstance(runs, pd.DataFrame) else report(runs)
    return renderers[format](df)


@checked_arguments
def suite_of_runs(runs: Iterable[PathLike]) -> Suite:
    """The suite recorded in the suite.json beside the runs, or beside the runs that links in
    them lead to."""
    runs = [Path(path) for path in runs]
    folders = (suite_folder(path) for path in runs)
    linked = (run_suite_folder(run) for run in find_runs(runs))
    for folder in itertools.chain(folders, linked):  # lazily: runs are searched only if needed
        info = read_suite_info(folder) if folder is not None else None
        if info:
            return load_suite(recorded_suite(info, folder / SUITE_FILE))
    raise GateError("cannot tell which suite these runs belong to (no suite.json beside them); pass --suite")


@checked_arguments
def check(
    runs: Iterable[PathLike] | None = None,
    *,
    suite: PathLike | None = None,
    baseline: PathLike | None = None,
    recipes: Sequence[str] | None = None,
) -> CheckResult:
    """Gate the runs (default: the newest suite run) on their suite's thresholds (``suite``:
    default, the runs' suite.json); ``recipes``: only these recipes' thresholds (or scored samples').

    Relative thresholds read ``baseline``, by default results/baselines/<suite>-<profile>-<device>.json
    in the working directory, else the baseline ganbench ships with that suite."""
    from gan_bench.reporting import repeats

    runs = _runs_or_latest(runs)
    df = report(runs)  # first: a path that holds no runs is named before the suite is looked for
    repeats.refuse(df, "check")
    s = load_suite(suite) if suite is not None else suite_of_runs(runs)
    recipes = None if recipes is None else list(recipes)
    gate.gated_of(df, s, recipes)  # before a baseline is looked for: a mistake here is named first
    path, base = None, None
    if baseline is not None or gate.needs_baseline(s):
        path = (
            Path(baseline)
            if baseline is not None
            else gate.find_baseline(s, df["profile"].iloc[0], df["device"].iloc[0])
        )
        base = gate.read_baseline(path)
        gate.check_baseline_fits(path, base, s.name, df)
    runs_env = environments.of_runs(df)
    notes = environments.mixed(runs_env) + environments.against(runs_env, (base or {}).get("environment", {}))
    return CheckResult(s.name, gate.check(df, s, base, recipes), path, notes)


@checked_arguments
def write_baseline(
    runs: Iterable[PathLike] | None = None, out: PathLike | None = None, command: str | None = None
) -> Path:
    """Write a baseline file (per-recipe metric means) from scored runs (default: the newest suite
    run); returns its path. An existing file is never overwritten."""
    runs = _runs_or_latest(runs)
    if out is not None:
        paths.output_file(Path(out), "--out")
    from gan_bench.reporting import repeats

    df = report(runs)
    repeats.refuse(df, "a baseline")
    unscored = df.loc[df["verdict"] == "unscored", "run"].tolist()
    if unscored:
        named = ", ".join(unscored[:3]) + (f" and {len(unscored) - 3} more" if len(unscored) > 3 else "")
        raise RunDirError(  # score skips the runs scored already, so the same paths do
            f"no metrics.json in {len(unscored)} of {len(df)} runs ({named}); score them first: "
            f"`ganbench score {shlex.join(map(str, runs))}`"
        )
    command = command or " ".join(["ganbench baseline", *map(str, runs)] + (["--out", str(out)] if out else []))
    data = gate.baseline_from(df, command)
    path = (
        Path(out) if out is not None else gate.baseline_path(data["suite"] or "runs", data["profile"], data["device"])
    )
    atomic.write_json(paths.output_file(path, "--out"), data)
    return path
