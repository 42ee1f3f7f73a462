"""The API's runs: what there is (recipes, suites), plans, suite runs and single training runs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gan_bench import defaults, devices
from gan_bench.api.arguments import PathLike, checked, checked_arguments
from gan_bench.api.scoring import make_scorer
from gan_bench.data import datasets, folders
from gan_bench.data.catalogue import data_folder
from gan_bench.errors import InvalidOption, PluginError, RunDirError, nearest
from gan_bench.rundir import outputs, paths
from gan_bench.rundir.layout import RunDir, lock_folder, read_suite_info, write_suite_info
from gan_bench.rundir.lock import output_lock
from gan_bench.rundir.trained_data import check_data_here, check_suite_data
from gan_bench.suite.locate import available_suites
from gan_bench.suite.plan import Plan, check_cuda_graph, checked_direction, choose_profile, plan_suite
from gan_bench.suite.run_spec import RunSpec, check_seed, compatible, default_dataset, module_ref
from gan_bench.training.progress import Reporter
from gan_bench.variants import RECIPES, get_recipe, registry
from gan_bench.variants.recipe import Recipe

if TYPE_CHECKING:
    import torch

    from gan_bench.executors.lifecycle import RunResult


@dataclass
class SuiteRun:
    """What :func:`run_suite` did: its plan, the output folder, and one result per run."""

    plan: Plan
    results: list[RunResult]

    @property
    def root(self) -> Path:
        return self.plan.root


@checked_arguments
def list_datasets() -> list[dict[str, str]]:
    """Every dataset a suite or ``--dataset`` may name, as dicts: ``name``, ``what`` it holds,
    ``made_from`` (its files, the datasets it is built from, or a formula), and the ``license`` and
    ``attribution`` it carries (its source's; "" for a formula); the last, ``PATH``, stands for a
    translation folder of your own."""
    from gan_bench.data import datasets

    return datasets.described()


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
    data_folder(data_dir)
    make_scorer(samples, backbone, weights, devices.resolve("cpu"))


@checked_arguments
def data_to_download(plan: Plan, *, data_dir: PathLike | None = None) -> list[str]:
    """The datasets :func:`execute_plan` would download before training, because this machine
    lacks their files; writes and downloads nothing. Files it would refuse (damaged, or missing
    where no download is allowed; the evaluator weights the runs are scored with, damaged or
    missing) raise its :class:`DataError`. A Ray cluster named by its
    address holds its own data: nothing is checked then."""
    if plan.executor == "ray" and plan.address is not None:
        return []
    missing = datasets.to_download(_datasets_of(plan), data_folder(data_dir))
    _check_evaluators(plan)
    return missing


def _datasets_of(plan: Plan) -> list[str]:
    return sorted({spec.dataset for spec in plan.specs})


def _check_evaluators(plan: Plan) -> None:
    """The evaluator weights the plan's runs will be scored with verify: a damaged file is named
    before hours of training, not once the first run has trained."""
    from gan_bench.metrics import evaluators

    evaluators.check_pinned(datasets.evaluators_of(_datasets_of(plan)))


@checked_arguments
def plan(suite: PathLike | None = None, **options) -> Plan:
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
        named = [f"{u!r} (did you mean {meant!r}?)" if (meant := nearest(u, known)) else repr(u) for u in unknown]
        raise InvalidOption(f"unknown option(s) {', '.join(named)}; valid: {', '.join(known)}")
    return options


@checked_arguments
def run_suite(
    suite: PathLike | None = None,
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
    jobs: int | None = None,
    runs_per_gpu: int = 1,
    samples: int | None = None,
    backbone: str = defaults.BACKBONE,
    inception_weights: PathLike | None = None,
    data_dir: PathLike | None = None,
    progress: Reporter | None = None,
) -> SuiteRun:
    """Train every recipe × seed of a suite (a name or a TOML path), scoring each run as it finishes.

    ``resume`` names a previous output folder (under results/runs/, or a path): complete runs are
    skipped, interrupted ones continue; the suite, recipes, seeds, profile and device default to
    those that suite run began with (its suite.json). ``batch_seeds`` K > 1 trains up to K seeds of
    an MLP recipe as one batched model. ``jobs`` N > 1 trains N runs (or seed groups) at once,
    each in its own worker process with cores // N torch threads; None: 1 on CPU, and on CUDA
    half the cores, at most 8, within memory (:func:`gan_bench.devices.default_jobs`; 1 with
    Ray); with ``executor="ray"`` on CUDA,
    ``runs_per_gpu`` K makes each run's task ask for 1/K of a GPU. Returns the plan and one
    :class:`RunResult` per run."""
    start_workers_early(executor, jobs)
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


def start_workers_early(executor: str, jobs: int | None) -> None:
    """Where ``jobs`` N > 1 local workers will train, start the server they fork from now: its
    imports run beside this process's own and the planning, not after them."""
    if executor == "local" and isinstance(jobs, int) and jobs > 1:
        from gan_bench.executors import worker_server

        worker_server.start_early()


@checked_arguments
def run_states(plan: Plan) -> list[tuple[RunSpec, Path, str]]:
    """What :func:`execute_plan` would do with each run of ``plan``: ``(spec, run directory,
    state)``, the state one of "new", "continues from its last checkpoint", "begun, with no
    checkpoint yet: trains from step 0", "trained: scored then" and "complete: skipped". Raises the
    refusals execute_plan would for the output folder (another suite's, a run directory holding
    another run, or one holding this run without ``resume``) and for begun runs' translation
    folders holding other images; writes nothing."""
    return [(spec, run.root, state) for spec, (run, state) in zip(plan.specs, _checked_states(plan))]


@checked_arguments
def check_cluster(plan: Plan, *, progress: Reporter | None = None) -> str | None:
    """For a dry run under ``executor="ray"``: join the cluster the tasks would go to (``address``,
    else $RAY_ADDRESS, else the Ray this process joined), tell ``progress`` what its nodes lack for
    the tasks (and GPUs that CPU runs leave idle), as :func:`execute_plan` would, and leave. Returns
    the cluster, its nodes' CPUs and GPUs and each task's request in words; None, joining nothing,
    for the local executor or a Ray that ganbench would start here. Writes nothing."""
    if plan.executor != "ray":
        return None
    from gan_bench.executors import ray_address, ray_cluster

    if not ray_address.import_ray().is_initialized() and ray_address.starts_here(plan.address):
        return None  # a Ray of its own: its nodes are this machine, and starting it takes seconds
    reporter = progress or Reporter()
    with ray_cluster.connected(plan.specs, plan.address, reporter, plan.runs_per_gpu, plan.device_picked) as joined:
        return ray_cluster.described(joined)


def _checked_states(plan: Plan) -> list:
    """:func:`_check_output_folder`, then, resuming, every begun run's translation folder checked
    to hold the images it trained on (not on a Ray cluster's machines, which hold their own data);
    first, a Ray cluster's address is checked to answer, and a Ray started here to have a GPU
    for CUDA runs."""
    if plan.executor == "ray":
        from gan_bench.executors.ray_address import check_address, check_started_here_has_gpus

        check_address(plan.address)
        check_started_here_has_gpus(plan.address, plan.device.type)
    states = _check_output_folder(plan)
    if plan.resume and (plan.executor != "ray" or plan.address is None):
        check_suite_data([(run, spec.dataset) for spec, (run, _) in zip(plan.specs, states)])
    return states


def _check_output_folder(p: Plan) -> list:
    """Refuse another suite's folder and conflicting run directories; returns each run's
    directory and state (executors/local.run_states)."""
    from gan_bench.executors.local import run_states as states
    from gan_bench.rundir.layout import SUITE_FILE

    existing = read_suite_info(p.root) if p.root.is_dir() else None
    if existing is not None and existing.get("suite_hash") not in (None, p.suite_hash):
        other = outputs.other_direction(existing, p.suite.name, p.training.get("direction"))
        raise RunDirError(
            f"{p.root / SUITE_FILE}: the folder holds runs of suite {existing.get('name')!r} "
            f"(another suite, or this one changed{other}); choose another --out"
        )
    return states(p.specs, p.root, p.resume)


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
    """Carry out a :class:`Plan` from :func:`plan`. Resuming, the scoring options default to those
    the suite run was scored with (``plan.scoring``)."""
    reporter = progress or Reporter()
    data_dir = data_folder(data_dir)
    given = {"samples": samples, "backbone": backbone, "inception_weights": inception_weights}
    chosen = plan.scoring_options(given)
    samples, backbone, inception_weights = chosen["samples"], chosen["backbone"], chosen["inception_weights"]
    weights = Path(inception_weights) if inception_weights is not None else None
    scorer = make_scorer(samples, backbone, weights, plan.device)  # fails before any training
    if plan.executor != "ray" or plan.address is None:  # a Ray cluster's machines hold their own data
        datasets.check_available(_datasets_of(plan), data_dir)
        _check_evaluators(plan)
    _checked_states(plan)  # before the lock file and suite.json: a refused run leaves the folder as it was
    with ExitStack() as stack:
        if plan.executor == "ray":  # joined (or refused: no node for the tasks) before the folder is written
            from gan_bench.executors import ray_cluster

            connection = stack.enter_context(
                ray_cluster.connected(plan.specs, plan.address, reporter, plan.runs_per_gpu, plan.device_picked)
            )
        stack.enter_context(output_lock(plan.root))
        _check_output_folder(plan)  # again, now that no other run can write here
        write_suite_info(
            plan.root,
            plan.record(
                {"samples": samples, "backbone": backbone, "inception_weights": weights and str(weights.resolve())}
            ),
        )
        if plan.executor == "ray":
            results = ray_cluster.run_all(
                plan.specs,
                plan.root,
                plan.resume,
                reporter,
                connection,
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
                plan.batch_seeds,
            )
        else:
            from gan_bench.executors.local import run_all

            results = run_all(plan.specs, plan.root, plan.resume, reporter, data_dir, scorer, plan.batch_seeds)
    return SuiteRun(plan, results)


@checked_arguments
def train(
    recipe: str | None = None,
    dataset: str | None = None,
    *,
    seed: int | None = None,
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
    ``dataset`` defaults to the first of ganbench's datasets the recipe trains on (mnist for the
    MNIST recipes, ring for toy-gan, edges2digits for pix2pix, digits2bold for cyclegan), ``seed`` to 0.

    Without ``out`` a new folder under results/runs/ is used, or with ``resume`` the newest
    unfinished run of the same spec. With ``resume`` and ``out`` but no ``recipe``, the run in
    ``out`` continues as it began: every argument not given is the one its spec.json records."""
    from gan_bench.suite.run_as_begun import as_begun, check_recipe_given

    check_recipe_given(recipe, resume, out)
    dataset = folders.spelled(dataset) if isinstance(dataset, str) else dataset
    # without a recipe the run in ``out`` continues as it began: its spec gives the profile and dataset
    profile_from_spec, dataset_defaulted = recipe is None and profile is None, recipe is not None and dataset is None
    if recipe is None:
        o = as_begun(
            Path(out),
            {"dataset": dataset, "seed": seed, "profile": profile, "steps": steps, "direction": direction}
            | {"device": device, "compile": compile, "cuda_graph": cuda_graph},
        )
        recipe, dataset, seed, profile, steps = o["recipe"], o["dataset"], o["seed"], o["profile"], o["steps"]
        direction, device, compile, cuda_graph = o["direction"], o["device"], o["compile"], o["cuda_graph"]
        check_data_here(RunDir(Path(out)), dataset, "resume")
    recipe_obj = get_recipe(recipe)
    dataset = dataset if dataset is not None else default_dataset(recipe)
    seed = seed if seed is not None else defaults.SEED
    if not datasets.known(dataset):
        raise InvalidOption(f"--dataset: {datasets.unknown(dataset)}")
    try:
        compatible(recipe, dataset)
    except ValueError as e:
        raise InvalidOption(f"--dataset: {e}") from None
    if seed < 0:
        raise InvalidOption(f"--seed: expected a non-negative integer, got {seed}")
    if steps is not None and steps < 1:
        raise InvalidOption(f"--steps: expected a positive integer, got {steps}")
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
    chosen_profile, profile_why = choose_profile(profile, dev)
    if profile_from_spec:
        profile_why = f"the run's, from {Path(out) / 'spec.json'}"
    spec = RunSpec(
        recipe=recipe_obj.name,
        recipe_ref=module_ref(recipe_obj),
        dataset=dataset,
        seed=seed,
        profile=chosen_profile,
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

    folder = data_folder(data_dir)
    reporter = progress or Reporter()
    # One writer at a time: the suite folder the run lies in (which `run` locks), else the run itself.
    with output_lock(lock_folder(run)):
        # what was chosen for the caller, said once every argument has been checked
        reporter.message(f"profile: {chosen_profile} ({profile_why})")
        if dataset_defaulted:
            reporter.message(f"dataset: {dataset} (the first {recipe} trains on; --dataset overrides)")
        return execute(spec, run, resume, reporter, lambda name, w: datasets.load(name, folder, w))
