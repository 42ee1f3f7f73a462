"""`ganbench list`, `train`, `run` and `score`: parse, call gan_bench.api, print."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

import gan_bench as gb
from gan_bench import defaults, shipped
from gan_bench.cli.app import (
    TRAIN_PANEL,
    Backbone,
    CompileOpt,
    CudaGraphOpt,
    DataDir,
    Device,
    DirectionOpt,
    InceptionWeights,
    Quiet,
    Samples,
    app,
    as_ranges,
    err_console,
    ints,
    names,
    out_console,
    reporter,
    runs_or_latest,
    user_errors,
)
from gan_bench.cli.tables import terminal_table
from gan_bench.errors import InvalidOption, PluginError, RunDirError
from gan_bench.training.signals import Interrupted

if TYPE_CHECKING:
    from gan_bench.suite.plan import Plan


def _plan_columns(states: list) -> list[list[str]]:
    """A dry run's label, dataset and steps columns, one entry per run, to align them."""
    return [
        [spec.label for spec, *_ in states],
        [spec.dataset for spec, *_ in states],
        [f"{spec.schedule.steps:,}" for spec, *_ in states],
    ]


DATASET_WIDTH = 15  # the longest dataset name, "edges2fashion,", on one line


def _from_here(path: Path) -> str:
    """``path`` relative to the working directory when it lies inside it."""
    here = Path.cwd().resolve()
    return str(path.resolve().relative_to(here)) if path.resolve().is_relative_to(here) else str(path)


TRANSLATION_FOLDER = "a translation folder"


def _data_line(recipe) -> str:
    """The datasets a recipe trains on, the one `train` uses by default first."""
    from gan_bench.suite.run_spec import datasets_for

    first, *others = datasets_for(recipe.name)
    folder = [TRANSLATION_FOLDER] if recipe.modality in ("paired", "unpaired") else []
    return "data: " + ", ".join([f"{first} (default)", *others, *folder])


@app.command("list", rich_help_panel=TRAIN_PANEL)
@user_errors
def list_all() -> None:
    """Recipes with their sources, suites, and datasets."""
    from gan_bench.data.datasets import OWN_FILES

    # quirks go under the source, where long quirk names wrap whole: a column of their own folds them mid-word
    recipes = terminal_table("recipes", ("name", "source, quirks and data", "quick / full steps"), whole=("name",))
    broken: list[PluginError] = []
    for r in gb.list_recipes(on_broken_plugin=broken.append):
        quirks = ", ".join(f"{k}={'on' if v else 'off'}" for k, v in r.quirks.items())
        source = f"{r.source}\nquirks: {quirks}" if quirks else r.source
        recipes.add_row(
            r.name, f"{source}\n{_data_line(r)}", f"{r.profiles['quick'].steps:,} / {r.profiles['full'].steps:,}"
        )
    suites = terminal_table("suites", ("name", "seeds", "dataset", "recipes"), whole=("name", "seeds"))
    suites.columns[2].max_width = DATASET_WIDTH  # dataset names are short: the recipes get the room
    own = []  # the working directory's suite files, named below the tables: a column of paths squeezes the recipes
    for name, path in gb.list_suites().items():
        s = gb.load_suite(path)
        suites.add_row(s.name, as_ranges(sorted(s.seeds)), ", ".join(s.datasets), ", ".join(s.recipes))
        if path.resolve().parent != shipped.folder("suites").resolve():
            own.append(f"{name} ({_from_here(path)})")
    datasets = terminal_table("datasets", ("name", "what", "made from", "license"), whole=("name",))
    for d in gb.list_datasets():
        files = d["made_from"] == OWN_FILES
        license = f"{d['license']} ({d['attribution']})" if files else d["license"] or "-"
        datasets.add_row(d["name"], d["what"], d["made_from"], license)
    for t in (recipes, suites, datasets):
        out_console.print(t)
    mine = f"; from the working directory's suites/: {', '.join(own)}" if own else ""
    out_console.print(
        f"suite files: ganbench's own in {shipped.folder('suites')}{mine}. A suites/NAME.toml in the working "
        "directory is used before ganbench's suite of that name.",
        highlight=False,
    )
    for e in broken:  # the rest is listed; each broken plug-in is one message, and the exit is 2
        err_console.print(f"error: {e}", highlight=False, soft_wrap=True)
    if broken:
        raise typer.Exit(2)


@app.command(rich_help_panel=TRAIN_PANEL)
@user_errors
def train(
    recipe: Optional[str] = typer.Argument(
        None,
        help="Recipe name (see `ganbench list`); leave it out with --resume --out RUN to continue that run as it began.",
        show_default=False,
    ),
    dataset: Optional[str] = typer.Option(
        None,
        help="Dataset: mnist, fashion-mnist, stacked-mnist, ring, grid, edges2digits, edges2fashion, "
        "digits2bold, or a translation folder's path (default: the first the recipe trains on).",
        show_default=False,
    ),
    direction: Optional[str] = DirectionOpt,
    seed: Optional[int] = typer.Option(None, min=0, help="Run seed (default: 0).", show_default=False),
    profile: Optional[str] = typer.Option(None, help="full, quick or smoke (default: full on CUDA, quick on CPU)."),
    steps: Optional[int] = typer.Option(None, min=1, help="Override the profile's step count."),
    out: Optional[Path] = typer.Option(
        None, help="The run directory (default: results/runs/train-<UTC time>/<recipe>/seed-<n>)."
    ),
    device: str = Device,
    resume: bool = typer.Option(
        False,
        help="Continue an interrupted run from its last checkpoint "
        "(without --out: the newest unfinished run of this spec).",
    ),
    quiet: bool = Quiet,
    data_dir: Optional[Path] = DataDir,
    compile: bool = CompileOpt,
    cuda_graph: bool = CudaGraphOpt,
) -> None:
    """Train one recipe with one seed into one run directory."""
    try:
        with reporter(quiet) as progress:
            result = gb.train(
                recipe,
                dataset,
                seed=seed,
                profile=profile,
                steps=steps,
                out=out,
                device=device,
                resume=resume,
                direction=direction,
                data_dir=data_dir,
                compile=compile,
                cuda_graph=cuda_graph,
                progress=progress,
            )
    except Interrupted as e:  # user_errors says it, with the command that continues this run
        if e.run is None:
            raise
        raise e.advising(f"continue it with `ganbench train --resume --out {shlex.quote(e.run)}`") from None
    out_console.print(f"{result.status}: {result.path}", highlight=False)


def print_plan(p: Plan) -> None:
    """The plan `run` prints before it starts (and `run --dry-run` instead of starting)."""
    recipes = sorted({spec.recipe for spec in p.specs})
    seeds = sorted({spec.seed for spec in p.specs})
    err_console.print(f"profile: {p.profile} ({p.profile_reason})", highlight=False)
    err_console.print(
        f"suite {p.suite.name}: {len(p.specs)} run{'s' if len(p.specs) != 1 else ''} "
        f"({len(recipes)} recipe{'s' if len(recipes) != 1 else ''} x seeds "
        f"{as_ranges(seeds)}) on {', '.join(p.suite.datasets)}, {p.total_steps:,} training "
        f"steps, device {p.device}, executor {p.executor}"
        f"{f' ({p.runs_per_gpu} runs per GPU)' if p.runs_per_gpu > 1 else ''}"
        f"{', resuming' if p.resume else ''} into {p.root}",
        highlight=False,
    )
    for note in p.notes:
        err_console.print(note, highlight=False)


@app.command(rich_help_panel=TRAIN_PANEL)
@user_errors
def run(
    suite: Optional[str] = typer.Option(
        None,
        help="Suite name (suites/<name>.toml) or path to a suite TOML file (with --resume: the suite that folder ran).",
        show_default=False,
    ),
    recipes: Optional[str] = typer.Option(None, help="Only these recipes of the suite, comma-separated."),
    seeds: Optional[str] = typer.Option(
        None, help="These seeds instead of the suite's: comma-separated, ranges allowed (e.g. 0,1 or 0-4)."
    ),
    profile: Optional[str] = typer.Option(
        None, help="full, quick or smoke (default: the suite's, else full on CUDA and quick on CPU)."
    ),
    out: Optional[Path] = typer.Option(None, help="Output folder (default: results/runs/<suite>-<UTC time>)."),
    device: str = Device,
    resume: Optional[str] = typer.Option(
        None,
        "--resume",
        metavar="RUN_ID",
        help="Continue the suite run RUN_ID (its folder under results/runs/, "
        "or a path): skip complete runs, continue interrupted ones, refuse "
        "if the suite or a spec changed. Suite, recipes, seeds, profile, device, direction, compile and CUDA graphs default to the run's own.",
    ),
    executor: str = typer.Option(
        defaults.EXECUTOR, help="local (this process) or ray (one Ray task per run; pip install 'ganbench\\[ray]')."
    ),
    address: Optional[str] = typer.Option(
        None,
        help="With --executor ray: auto (the running cluster) or "
        "HOST:PORT; default: $RAY_ADDRESS, else a Ray instance of its own on this machine.",
    ),
    batch_seeds: int = typer.Option(
        1,
        min=1,
        help="Train up to K seeds of an MLP recipe as one batched model "
        "(same results per seed; other recipes run their seeds one by one); with --jobs, each worker trains a seed group.",
    ),
    direction: Optional[str] = DirectionOpt,
    quiet: bool = Quiet,
    data_dir: Optional[Path] = DataDir,
    compile: bool = CompileOpt,
    cuda_graph: bool = CudaGraphOpt,
    samples: Optional[int] = Samples,
    backbone: str = Backbone,
    inception_weights: Optional[Path] = InceptionWeights,
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Print the plan (runs, profile, device, steps), check the options and data, and exit."
    ),
    jobs: Optional[int] = typer.Option(
        None,
        "--jobs",
        help="Train N runs (or --batch-seeds groups) at once, each in its own worker process with cores/N torch threads "
        "(recorded in env.json); on CUDA the runs share the device. Default: 1 on CPU; on CUDA half the cores, at most 8, within 4 GiB of host and 3 GiB of device memory each.",
        show_default=False,
    ),
    runs_per_gpu: int = typer.Option(
        1,
        "--runs-per-gpu",
        help="With --executor ray on CUDA: K runs share each GPU (each task asks for 1/K of one).",
    ),
) -> None:
    """Train every recipe x seed of a suite, scoring each run as it finishes."""
    gb.check_scoring_options(samples=samples, backbone=backbone, inception_weights=inception_weights, data_dir=data_dir)
    if not dry_run:
        from gan_bench.api.runs import start_workers_early

        start_workers_early(executor, jobs)
    p = gb.plan(
        suite,
        recipes=names(recipes),
        seeds=ints(seeds, "--seeds", maximum=defaults.MAX_SEED),
        profile=profile,
        out=out,
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
    print_plan(p)
    if dry_run:
        for name in gb.data_to_download(p, data_dir=data_dir):
            err_console.print(
                f"{name}: not on this machine; the run downloads it with torchvision first", highlight=False
            )
        states = gb.run_states(p)
        if cluster := gb.check_cluster(p, progress=reporter(True)):
            out_console.print(cluster, highlight=False, soft_wrap=True)
        columns = _plan_columns(states)
        widths = [max(map(len, column), default=0) for column in columns]
        for (label, dataset, steps), (spec, _, state) in zip(zip(*columns), states):
            out_console.print(
                f"{label:<{widths[0]}}  {dataset:<{widths[1]}}  {steps:>{widths[2]}} steps  spec {spec.hash[:12]}"
                + ("" if state == "new" else f"  ({state})"),
                highlight=False,
                soft_wrap=True,
            )
        return
    try:
        with reporter(quiet, p.steps_by_recipe) as progress:
            done = gb.execute_plan(
                p,
                samples=samples,
                backbone=backbone,
                inception_weights=inception_weights,
                data_dir=data_dir,
                progress=progress,
            )
    except Interrupted as e:  # user_errors says it, with the command that continues this suite run
        raise e.advising(f"continue the suite run with `ganbench run --resume {shlex.quote(str(p.root))}`") from None
    except KeyboardInterrupt:  # stopped outside training (while scoring): user_errors says what is kept
        err_console.print(
            f"suite run: {p.root} (continue it with `ganbench run --resume {shlex.quote(str(p.root))}`)",
            highlight=False,
        )
        raise
    columns = ("recipe", "seed", "status", "summary", "run directory")
    table = terminal_table(f"suite {p.suite.name}", columns, whole=("recipe", "seed"))
    for r in done.results:
        table.add_row(r.spec.recipe, str(r.spec.seed), r.status, r.summary, str(r.path))
    out_console.print(table)


def _runs_to_score(runs: Optional[list[Path]]) -> list:
    """The runs named, or the newest suite run; with neither, the message names --input too."""
    try:
        return runs_or_latest(runs)
    except RunDirError as e:
        raise RunDirError(f"{e}; or score samples made elsewhere: --input PATH --dataset NAME") from None


@app.command(rich_help_panel=TRAIN_PANEL)
@user_errors
def score(
    runs: Optional[list[Path]] = typer.Argument(
        None,
        help="Run directories, or folders holding them (default: the newest suite run under results/runs/); "
        "or give --input.",
        show_default=False,
    ),
    input: Optional[Path] = typer.Option(
        None,
        "--input",
        help="Score samples made elsewhere: a folder of PNG/JPEG images, an .npy/.npz uint8 array, "
        "a TorchScript generator (.pt, .pth, .ts; with --z-dim), or a torch.export generator (.pt2); "
        "for a translation task, a translator in either form.",
        show_default=False,
    ),
    dataset: Optional[str] = typer.Option(
        None,
        "--dataset",
        help="With --input: mnist, fashion-mnist, stacked-mnist (RGB images), ring or grid (2D points), "
        "or a translation task: edges2digits, edges2fashion, digits2bold, or a pix2pix-layout folder's path.",
    ),
    direction: Optional[str] = typer.Option(
        None,
        "--direction",
        help="With --input on a translation task: AtoB (default) or BtoA (the translator is given the B images).",
        show_default=False,
    ),
    profile: Optional[str] = typer.Option(
        None,
        "--profile",
        help="With --input: the profile whose runs report tables the samples beside and whose thresholds "
        "gate them, full (default), quick or smoke; the default --samples is that profile's.",
        show_default=False,
    ),
    input_ba: Optional[Path] = typer.Option(
        None,
        "--input-ba",
        help="With --input on an unpaired translation task: the translator back (B to A), so the pair is "
        "scored as a cyclegan run (both directions and the cycle L1).",
        show_default=False,
    ),
    out: Optional[Path] = typer.Option(
        None, "--out", help="With --input: a new folder (default: results/scored/<name>-<dataset>).", show_default=False
    ),
    name: Optional[str] = typer.Option(None, "--name", help="With --input: its name in reports (default: the file's)."),
    z_dim: Optional[int] = typer.Option(
        None, "--z-dim", help="With a generator: the size of its noise z (a .pt2 program states its own)."
    ),
    z_dist: Optional[str] = typer.Option(None, "--z-dist", help="With a generator: normal (default) or uniform."),
    conditional: bool = typer.Option(
        False,
        "--conditional",
        help="Score the evaluator's accuracy on the class each sample was asked for: a generator "
        "is called as G(z, y), y balanced over the 10 classes (class indices, else one-hot); an .npz gives its "
        "own 'labels' beside 'images'.",
    ),
    samples: Optional[int] = Samples,
    backbone: str = Backbone,
    inception_weights: Optional[Path] = InceptionWeights,
    device: str = Device,
    data_dir: Optional[Path] = DataDir,
    batch_norm: str = typer.Option(
        "running",
        "--batch-norm",
        help="G's batch norm while drawing: running (eval mode, the default) or batch (each batch's own "
        "statistics, as a tutorial that never switches G to inference); recorded as protocol g_batch_norm.",
    ),
    quiet: bool = Quiet,
    replace: bool = typer.Option(
        False,
        "--replace",
        help="Score runs scored already again, replacing their metrics.json (without it, a run scored "
        "with the same options is kept and one scored with others is refused).",
    ),
) -> None:
    """Write metrics.json for each run (named protocols, mode coverage, a verdict), or score --input samples."""
    common = dict(samples=samples, backbone=backbone, inception_weights=inception_weights, device=device)
    if input is not None:
        if runs:
            raise InvalidOption("give run directories or --input, not both")
        if batch_norm != "running":
            raise InvalidOption("--batch-norm: applies to training runs; samples made elsewhere were drawn already")
        if replace:
            raise InvalidOption("--replace: applies to training runs; --input writes a new --out folder")
        if dataset is None:
            raise InvalidOption("--input needs --dataset: the dataset whose test split the samples are scored against")
        folder, result = gb.score_samples(
            input,
            dataset,
            out=out,
            name=name,
            z_dim=z_dim,
            z_dist=z_dist,
            conditional=conditional,
            direction=direction,
            input_ba=input_ba,
            profile=profile,
            data_dir=data_dir,
            **common,
        )
        scored = {folder: result}
    else:
        options = (("--dataset", dataset), ("--direction", direction), ("--input-ba", input_ba), ("--out", out))
        options += (("--name", name), ("--profile", profile))
        options += (("--z-dim", z_dim), ("--z-dist", z_dist))
        given = [n for n, v in options if v is not None] + (["--conditional"] if conditional else [])
        common["batch_norm"] = batch_norm
        if given:
            raise InvalidOption(f"{', '.join(given)}: appl{'ies' if len(given) == 1 else 'y'} with --input only")
        with reporter(quiet) as progress:
            scored = gb.score(_runs_to_score(runs), data_dir=data_dir, progress=progress, replace=replace, **common)
    table = terminal_table("scores", ("run", "verdict", "metric", "value"), whole=("verdict", "metric", "value"))
    for root, result in scored.items():
        first = True
        for name, entry in result["metrics"].items():
            value = "not finite" if entry["value"] is None else f"{entry['value']:.4g}"  # null in metrics.json
            table.add_row(str(root) if first else "", result["verdict"] if first else "", name, value)
            first = False
        cover = result["coverage"]
        if "modes_covered" in cover:
            table.add_row("", "", "modes covered", f"{cover['modes_covered']}/{cover['modes_total']}")
        if first:
            table.add_row(str(root), result["verdict"], "-", result["verdict_reason"])
    out_console.print(table)
