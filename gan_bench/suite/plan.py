"""A suite run's plan, settled before anything is written: which runs, on which profile and device,
into which folder, and which options apply to which recipes.

Every option mistake is found here, so a bad combination fails before any training starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from gan_bench import defaults, devices
from gan_bench.data import datasets
from gan_bench.errors import InvalidOption, unknown
from gan_bench.rundir import outputs, paths
from gan_bench.rundir.identity import spec_hash
from gan_bench.rundir.layout import SUITE_FILE, read_suite_info
from gan_bench.suite.locate import recorded_suite, suite_path
from gan_bench.suite.run_spec import RunSpec, check_profile, check_seed, check_seed_count, no_repeats
from gan_bench.suite.suite_file import Suite, load_suite

if TYPE_CHECKING:
    import torch


@dataclass
class Plan:
    """What ``run_suite`` will do; ``ganbench run --dry-run`` prints it and stops."""

    suite: Suite
    suite_file: Path
    specs: list[RunSpec]
    root: Path
    device: torch.device
    profile: str
    profile_reason: str
    resume: bool
    executor: str
    address: str | None
    batch_seeds: int
    suite_hash: str
    jobs: int = 1
    runs_per_gpu: int = 1
    # whether --device auto chose ``device`` here (not given, nor taken from a resumed suite run)
    device_picked: bool = False
    notes: list[str] = field(default_factory=list)
    # every (recipe, seed) the output folder's suite run has planned, this plan's included: what
    # suite.json records, and what a later --resume continues by default
    planned: list[tuple[str, int]] = field(default_factory=list)
    # on --resume, the scoring options the suite run was scored with (samples, backbone,
    # inception_weights), where they were not the defaults: execute_plan's defaults then
    scoring: dict = field(default_factory=dict)
    # the options that change the runs' specs, where given (direction, compile, cuda_graph): what
    # suite.json records, and what a later --resume continues with by default
    training: dict = field(default_factory=dict)

    @property
    def total_steps(self) -> int:
        return sum(spec.schedule.steps for spec in self.specs)

    @property
    def steps_by_recipe(self) -> dict[str, int]:
        """The training steps of each recipe's runs, in the order the runs come: what the suite's
        time left is reckoned from, recipe by recipe."""
        steps: dict[str, int] = {}
        for spec in self.specs:
            steps[spec.recipe] = steps.get(spec.recipe, 0) + spec.schedule.steps
        return steps

    def scoring_options(self, given: dict) -> dict:
        """The scoring options to use: ``given``, unless it is all defaults and a resumed suite run
        recorded its own (``scoring``)."""
        return {**SCORING_DEFAULTS, **self.scoring} if self.scoring and given == SCORING_DEFAULTS else given

    def record(self, scoring: dict | None = None) -> dict:
        """What the output folder's suite.json keeps of this plan: the suite (its file and hash),
        profile, device, the runs planned (with the datasets of each, where [only] narrows them) and
        the ``scoring`` options that are not the defaults, which a later --resume checks and continues with."""
        return {
            "scoring": {k: v for k, v in (scoring or {}).items() if v is not None and v != SCORING_DEFAULTS.get(k)},
            "name": self.suite.name,
            "file": self.suite_file,
            "profile": self.profile,
            "device": self.device.type,
            "dataset": self.suite.datasets,
            "suite_hash": self.suite_hash,
            "runs": [list(run) for run in self.planned],
            "training": self.training,
            "only": self.only_planned(),
        }

    def only_planned(self) -> dict[str, list[str]]:
        """The suite's [only]: which of its datasets each planned recipe runs on, where not all."""
        planned = {recipe for recipe, _ in self.planned}
        return {recipe: list(names) for recipe, names in self.suite.only.items() if recipe in planned}


SCORING_DEFAULTS = {"samples": None, "backbone": defaults.BACKBONE, "inception_weights": None}
SCORING_FLAGS = {"samples": "--samples", "backbone": "--backbone", "inception_weights": "--inception-weights"}


def choose_profile(profile: str | None, device: torch.device, suite_profile: str | None = None) -> tuple[str, str]:
    """The profile and why it was chosen: the argument, else the suite's, else the device's default."""
    if profile is not None:
        return check_profile(profile), "--profile"
    if suite_profile:
        return suite_profile, "the suite's default"
    return devices.default_profile(device), f"default on {device.type}; --profile overrides"


def checked_direction(value: str | None, default: str) -> str:
    if value is None:
        return default
    if value not in datasets.DIRECTIONS:
        raise InvalidOption(f"--direction: {unknown('direction', value, datasets.DIRECTIONS)}")
    return value


def check_cuda_graph(cuda_graph: bool, compile: bool, device: torch.device, began_with: Path | None = None) -> None:
    """``began_with``: the suite.json of a resumed suite run that began with --cuda-graph."""
    if cuda_graph and compile:
        raise InvalidOption("--cuda-graph and --compile: choose one")
    if cuda_graph and device.type != "cuda":
        how = (
            f"the suite run began with it (recorded in {began_with}): resume it where CUDA is"
            if began_with
            else "give --device cuda, or leave out --cuda-graph"
        )
        raise InvalidOption(f"--cuda-graph: needs a CUDA device; the run's device is {device.type} ({how})")


def _resumed(resume: str | Path | None, out: Path | None) -> tuple[Path | None, dict]:
    """The folder a --resume continues and its suite.json (None and {} without --resume)."""
    if resume is None:
        return None, {}
    return outputs.resume_folder(resume, out)


def _recorded_runs(info: dict) -> list[tuple[str, int]]:
    return [(recipe, seed) for recipe, seed in info.get("runs", [])]


def _lanes(
    specs: list[RunSpec], jobs: int | None, batch_seeds: int, executor: str, device: torch.device, root: Path
) -> tuple[int, str | None]:
    """How many runs train at once (``jobs``, else the device's default; a seed group of
    ``--batch-seeds`` counts as one, as the executors will group the runs in ``root``) and the
    plan's note saying so; refuses other processes for a recipe registered by hand, which only
    this process has."""
    from gan_bench.suite.seed_groups import seed_groups_in
    from gan_bench.variants import registry

    by_hand = registry.registered_by_hand(spec.recipe_obj for spec in specs)
    if by_hand and ((jobs or 1) > 1 or executor == "ray"):
        option = "--executor ray" if executor == "ray" else f"--jobs {jobs}"
        raise InvalidOption(
            f"{option}: {', '.join(by_hand)} {'is' if len(by_hand) == 1 else 'are'} registered by hand "
            "(register_recipe), in this process only, and the runs would train in other processes; "
            "name the recipe as module:attribute or ship it as an entry point, or train in this process "
            "(--jobs 1, --executor local)"
        )
    chose = jobs is None  # the device's default, where nothing else trains runs together
    if jobs is None:
        jobs = devices.default_jobs(device) if executor == "local" and not by_hand else 1
    if jobs == 1:
        return 1, None
    units = len(seed_groups_in(root, specs, batch_seeds))
    at_once = max(1, min(jobs, units))  # more workers than runs would only split the cores finer
    runs = f"{len(specs)} run{'s' if len(specs) != 1 else ''}"
    if units < len(specs):
        runs += f" in {units} seed group{'s' if units != 1 else ''}"
    threads = devices.threads_per_job(at_once) if at_once > 1 else None
    note = f"--jobs {jobs}{f' (the default on {device.type})' if chose else ''}: {runs}, {at_once} at a time" + (
        f", {threads} torch thread{'s' if threads != 1 else ''} each" if threads else ""
    )
    cores = devices.cpu_cores()
    if device.type == "cpu" and at_once > cores:  # a CPU run keeps a core busy: more only take turns
        note += f"; more runs at once than the {cores} cores, which they take turns on"
    return at_once, note


def plan_suite(
    suite: str | Path | None,
    *,
    recipes: list[str] | None = None,
    seeds: list[int] | None = None,
    profile: str | None = None,
    out: Path | None = None,
    device: str = defaults.DEVICE,
    resume: str | Path | None = None,
    executor: str = defaults.EXECUTOR,
    address: str | None = None,
    batch_seeds: int = 1,
    direction: str | None = None,
    compile: bool = False,
    cuda_graph: bool = False,
    jobs: int | None = None,
    runs_per_gpu: int = 1,
) -> Plan:
    """Validate a suite run's arguments and settle its runs; writes nothing. With ``resume``, the
    suite, recipes, seeds, profile and device default to those the suite run began with."""
    out = paths.output_folder(Path(out), "--out") if out is not None else None
    if suite is None and resume is None:
        raise InvalidOption("--suite: give a suite name or file (or --resume FOLDER to continue a suite run)")
    resumed, info = _resumed(resume, out)
    if suite is None:
        suite = recorded_suite(info, resumed / SUITE_FILE)
    taken = []  # what a resume takes from the suite run's record, where the defaults differ
    began = info.get("training", {}) if resumed is not None else {}
    if direction is None and "direction" in began:
        direction = began["direction"]
        taken.append(f"--direction {direction}")
    if began.get("compile") and not compile:  # switches: a run begun with one continues with it
        compile = True
        taken.append("--compile")
    if began.get("cuda_graph") and not cuda_graph:
        cuda_graph = True
        taken.append("--cuda-graph")
    s = load_suite(suite)
    if not s.recipes:
        raise InvalidOption(
            f"suite {s.name!r} has no recipes to run (it only gates scored samples: {', '.join(s.scored)})"
        )
    if direction is not None:
        if not all(datasets.is_translation(d) for d in s.datasets):
            raise InvalidOption(
                f"--direction: applies to translation data only; suite {s.name} has {', '.join(s.datasets)}"
            )
        s = s.model_copy(update={"direction": checked_direction(direction, s.direction)})
    suite_hash = spec_hash(s.content())
    if resumed is not None:  # first: the runs it recorded are of that suite
        outputs.check_same_suite(resumed, info, s.name, suite_hash, direction)
    if seeds is not None:
        if not seeds or min(seeds) < 0:
            raise InvalidOption(f"--seeds: expected non-negative integers, got {seeds}")
        try:
            no_repeats(seeds, "seed")
            check_seed_count(len(seeds))
            for seed in seeds:
                check_seed(seed)
        except ValueError as e:
            raise InvalidOption(f"--seeds: {e}") from None
    if recipes is not None and (not recipes or len(set(recipes)) != len(recipes)):
        raise InvalidOption(f"--recipes: expected distinct recipe names, got {recipes}")
    if batch_seeds < 1:
        raise InvalidOption(f"--batch-seeds: expected a positive integer, got {batch_seeds}")
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise InvalidOption(f"--jobs: expected a positive integer, got {jobs!r}")
    if jobs is not None and jobs > 1 and executor == "ray":
        raise InvalidOption("--jobs: applies to --executor local; Ray schedules its own tasks")
    if isinstance(runs_per_gpu, bool) or not isinstance(runs_per_gpu, int) or runs_per_gpu < 1:
        raise InvalidOption(f"--runs-per-gpu: expected a positive integer, got {runs_per_gpu!r}")
    if runs_per_gpu > 1 and executor != "ray":
        raise InvalidOption("--runs-per-gpu: applies to --executor ray; on one machine, --jobs shares the GPU")
    here = executor != "ray"  # a Ray task's GPU is on its node, not the driver's
    dev = devices.resolve(device, here=here)
    picked = device == defaults.DEVICE  # this machine's device, which --device auto chose
    began_on = info.get("device")
    # begun on CPU, or under Ray on CUDA (which a driver without CUDA resolves auto away from)
    if picked and dev.type != began_on and (began_on == "cpu" or (began_on == "cuda" and not here)):
        dev = devices.resolve(began_on, here=here)
        picked = False  # the suite run's: another --device would change its begun runs
        taken.append(f"device {began_on}")
    if runs_per_gpu > 1 and dev.type != "cuda":
        hint = (  # a cluster's head node without CUDA: its GPUs are on the other nodes
            "; --device auto picked this machine's cpu: give --device cuda for the Ray cluster's GPUs" if picked else ""
        )
        raise InvalidOption(f"--runs-per-gpu: applies to CUDA runs; on {dev.type} each Ray task asks for 1 CPU{hint}")
    chosen, why = choose_profile(profile, dev, s.profile)
    if profile is None and info.get("profile") in defaults.PROFILES and info["profile"] != chosen:
        chosen, why = info["profile"], f"the suite run's, from {resumed / SUITE_FILE}"
        taken.append(f"profile {chosen}")
    recorded = _recorded_runs(info)
    only = None  # with neither --recipes nor --seeds, exactly the runs planned
    if recorded and recipes is None and seeds is None:
        only = set(recorded)
    elif recorded and (recipes is None or seeds is None):
        taken.append("its recipes" if recipes is None else "its seeds")
    if recorded:
        recipes = recipes if recipes is not None else list(dict.fromkeys(r for r, _ in recorded))
        seeds = seeds if seeds is not None else list(dict.fromkeys(n for _, n in recorded))
    specs = s.expand(chosen, dev.type, recipes, seeds)
    if only is not None:  # a [recipe, seed] pair is a run on each of the suite's datasets it fits
        specs = [spec for spec in specs if (spec.recipe, spec.seed) in only]
        taken.append(f"its {len(specs)} planned run{'s' if len(specs) != 1 else ''}")
    check_cuda_graph(cuda_graph, compile, dev, resumed / SUITE_FILE if "--cuda-graph" in taken else None)
    notes = []
    scoring = dict(info.get("scoring", {})) if resumed is not None else {}
    if scoring:
        given = ", ".join(f"{SCORING_FLAGS[k]} {v}" for k, v in scoring.items())
        notes.append(
            f"--resume: scores as the suite run did ({given}) where the command gives none of "
            "--samples, --backbone and --inception-weights"
        )
    if taken:
        notes.append(
            f"--resume: as the suite run began ({', '.join(taken)}; recorded in {resumed / SUITE_FILE}); "
            "the options given override"
        )
    if compile:
        specs = [spec.model_copy(update={"compile": True}) for spec in specs]
    if cuda_graph:
        from gan_bench.training.cuda_graph import supports as graph_supports  # training modules load torch

        specs = [spec.model_copy(update={"cuda_graph": graph_supports(spec.recipe_obj)}) for spec in specs]
        eager = sorted({spec.recipe for spec in specs if not spec.cuda_graph})
        if eager:
            notes.append(f"--cuda-graph: {', '.join(eager)} run eagerly (their steps wait on the host)")
    if batch_seeds > 1:
        from gan_bench.variants.seed_batch import supports as batch_supports  # the systems load torch

        alone = sorted({spec.recipe for spec in specs if compile or not batch_supports(spec.recipe_obj)})
        if alone:
            notes.append(
                f"--batch-seeds: {', '.join(alone)} train one seed at a time (batching covers the MLP "
                f"recipes, toy-gan and toy-gan-pacgan-code{', without --compile' if compile else ''})"
            )
    root = resumed or out or outputs.new_output(s.name)
    at_once, note = _lanes(specs, jobs, batch_seeds, executor, dev, root)
    if note:
        notes.append(note)
    if executor not in defaults.EXECUTORS:
        raise InvalidOption(f"--executor: {unknown('executor', executor, defaults.EXECUTORS)}")
    if executor == "ray" and batch_seeds > 1:
        raise InvalidOption("--batch-seeds: applies to --executor local; on Ray each seed is its own task")
    if address is not None and executor != "ray":
        raise InvalidOption("--address: applies to --executor ray only")
    outputs.check_suite_output(root)
    if resumed is None and (root / SUITE_FILE).is_file():  # a suite run's folder, run into again
        info = read_suite_info(root) or {}
    planned = list(dict.fromkeys([*_recorded_runs(info), *((spec.recipe, spec.seed) for spec in specs)]))
    return Plan(
        suite=s,
        suite_file=suite_path(suite),
        specs=specs,
        root=root,
        device=dev,
        profile=chosen,
        profile_reason=why,
        resume=resume is not None,
        executor=executor,
        address=address,
        batch_seeds=batch_seeds,
        suite_hash=suite_hash,
        jobs=at_once,
        runs_per_gpu=runs_per_gpu,
        device_picked=picked,
        notes=notes,
        planned=planned,
        scoring=scoring,
        training={
            k: v
            for k, v in {"direction": direction, "compile": compile, "cuda_graph": cuda_graph}.items()
            if v not in (None, False)
        },
    )
