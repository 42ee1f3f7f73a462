"""The ganbench command line. Only argument parsing here; the work happens in the library."""

from __future__ import annotations

import functools
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from gan_bench import devices
from gan_bench.rundir import atomic
from gan_bench.suite.spec import RunSpec, available_suites, compatible, load_suite, suite_path
from gan_bench.data import catalogue, datasets
from gan_bench.errors import UserError
from gan_bench.executors.local import run_all
from gan_bench.rundir.lock import output_lock
from gan_bench.rundir.repro import spec_hash
from gan_bench.rundir.layout import SUITE_FILE, RunDir, read_suite_info, write_suite_info
from gan_bench.executors.lifecycle import execute
from gan_bench.train.cuda_graph import supports as graph_supports
from gan_bench.train.progress import QuietReporter, RichReporter
from gan_bench.train.signals import EXIT_INTERRUPTED, Interrupted
from gan_bench.variants import RECIPES, get_recipe

app = typer.Typer(help="ganbench: train the classic GAN recipes under fixed seeds and score them "
                       "with named protocols.", rich_markup_mode="rich", no_args_is_help=True,
                  pretty_exceptions_show_locals=False)
data_app = typer.Typer(help="Show, verify and fetch the datasets.", no_args_is_help=True)
app.add_typer(data_app, name="data")
evaluator_app = typer.Typer(help="The pinned evaluator classifiers behind the metrics.", no_args_is_help=True)
app.add_typer(evaluator_app, name="evaluator")

out_console = Console()
err_console = Console(stderr=True)
RUNS_ROOT = Path("results") / "runs"

DataDir = typer.Option(None, "--data-dir", help="Folder holding <dataset>/ folders of IDX files "
                       "(looked at before $GANBENCH_DATA).", show_default=False)
Device = typer.Option("auto", "--device", help="auto (CUDA when available), cpu, cuda or cuda:N.")
Quiet = typer.Option(False, "--quiet", "-q", help="No progress bar: one line per run, for CI logs.")
CompileOpt = typer.Option(False, "--compile", help="Run G and D through torch.compile (opt-in, meant for CUDA; "
                          "recorded in spec.json; close to, not bit-identical with, the eager run).")
CudaGraphOpt = typer.Option(False, "--cuda-graph", help="Replay each training step as one captured CUDA graph "
                            "(opt-in, CUDA only; MLP and toy recipes: `train` refuses others, `run` trains them "
                            "eagerly; recorded in spec.json).")
Samples = typer.Option(None, "--samples", min=1, help="Generated samples to score (default: 10,000; 1,000 for smoke).")
Backbone = typer.Option("lenet", "--backbone", help="lenet (the pinned evaluator) or inception "
                        "(adds FID/IS on inception-v3-compat, Lucic et al. 2018).")
DirectionOpt = typer.Option(None, "--direction", help="Translation data: AtoB (default) or BtoA (swap the "
                            "domains; a pix2pix folder's A is the left half).", show_default=False)
InceptionWeights = typer.Option(None, "--inception-weights", help="Inception weights file (default: the torch "
                                "hub cache, else a download when online).")


def user_errors(fn):
    """Print a UserError as one message and exit 2; a signal-stopped run exits 130."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except UserError as e:
            err_console.print(f"error: {e}", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except Interrupted as e:
            err_console.print(str(e), markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except OSError as e:  # a full disk outside ganbench's own writers (a folder, a library's cache)
            err = atomic.no_room(e, e.filename or "a file", cleaned=False)
            if err is None:
                raise
            err_console.print(f"error: {err}", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None

    return wrapper


def _ints(text: Optional[str], option: str) -> Optional[list[int]]:
    if text is None:
        return None
    try:
        values = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise UserError(f"{option}: expected comma-separated non-negative integers, got {text!r}") from None
    if not values or min(values) < 0:
        raise UserError(f"{option}: expected comma-separated non-negative integers, got {text!r}")
    return values


def _names(text: Optional[str]) -> Optional[list[str]]:
    return None if text is None else [x.strip() for x in text.split(",") if x.strip()]


def _new_output(prefix: str) -> Path:
    """results/runs/<prefix>-<UTC time>, with a counter if that second is taken."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path, n = RUNS_ROOT / f"{prefix}-{stamp}", 1
    while path.exists():
        n += 1
        path = RUNS_ROOT / f"{prefix}-{stamp}-{n}"
    return path


def _direction(direction: Optional[str], default: str) -> str:
    if direction is None:
        return default
    if direction not in datasets.DIRECTIONS:
        raise UserError(f"--direction: unknown direction {direction!r}; valid: {', '.join(datasets.DIRECTIONS)}")
    return direction


def _profile(profile: Optional[str], device, suite_profile: Optional[str] = None) -> str:
    if profile:
        chosen, why = profile, "--profile"
    elif suite_profile:
        chosen, why = suite_profile, "the suite's default"
    else:
        chosen, why = devices.default_profile(device), f"default on {device.type}; --profile overrides"
    err_console.print(f"profile: {chosen} ({why})", highlight=False)
    return chosen


def _reporter(quiet: bool, runs: int = 1):
    return QuietReporter(err_console) if quiet else RichReporter(err_console, runs)


# -- list -------------------------------------------------------------------------------------
@app.command("list")
@user_errors
def list_all() -> None:
    """Recipes with their sources, suites, and datasets."""
    recipes = Table(title="recipes")
    for col in ("name", "source", "quirks", "quick / full steps"):
        recipes.add_column(col)
    for r in RECIPES.values():
        quirks = ", ".join(f"{k}={'on' if v else 'off'}" for k, v in r.quirks.items()) or "-"
        recipes.add_row(r.name, r.source, quirks, f"{r.profiles['quick'].steps:,} / {r.profiles['full'].steps:,}")
    suites = Table(title="suites")
    for col in ("name", "dataset", "recipes", "seeds", "file"):
        suites.add_column(col)
    for path in available_suites():
        s = load_suite(str(path))
        suites.add_row(s.name, ", ".join(s.datasets), ", ".join(s.recipes), ", ".join(map(str, s.seeds)), str(path))
    datasets = Table(title="datasets")
    for col in ("name", "license", "attribution"):
        datasets.add_column(col)
    for d in catalogue.DATASETS.values():
        datasets.add_row(d.name, d.license, d.attribution)
    for t in (recipes, suites, datasets):
        out_console.print(t)


# -- train / run ------------------------------------------------------------------------------
def _latest_unfinished(spec: RunSpec) -> RunDir:
    candidates = sorted(RUNS_ROOT.glob(f"*/{spec.recipe}/seed-{spec.seed}/spec.json"),
                        key=lambda p: p.stat().st_mtime, reverse=True)
    for path in candidates:
        run = RunDir(path.parent)
        if not run.complete and run.read_spec().get("spec_hash") == spec.hash:
            return run
    raise UserError(f"--resume: no unfinished run of {spec.label} ({spec.profile}, {spec.dataset}) "
                    f"under {RUNS_ROOT}; pass --out with the run directory to resume")


@app.command()
@user_errors
def train(
    recipe: str = typer.Argument(..., help="Recipe name (see `ganbench list`)."),
    dataset: str = typer.Option("mnist", help="Dataset: mnist, fashion-mnist, stacked-mnist, ring, grid, "
                                "edges2digits, edges2fashion, digits2bold, or a translation folder's path."),
    direction: Optional[str] = DirectionOpt,
    seed: int = typer.Option(0, min=0, help="Run seed."),
    profile: Optional[str] = typer.Option(None, help="full, quick or smoke (default: full on CUDA, quick on CPU)."),
    steps: Optional[int] = typer.Option(None, min=1, help="Override the profile's step count."),
    out: Optional[Path] = typer.Option(None, help="The run directory "
                                       "(default: results/runs/train-<UTC time>/<recipe>/seed-<n>)."),
    device: str = Device,
    resume: bool = typer.Option(False, help="Continue an interrupted run from its last checkpoint "
                                "(without --out: the newest unfinished run of this spec)."),
    quiet: bool = Quiet,
    data_dir: Optional[Path] = DataDir,
    compile: bool = CompileOpt,
    cuda_graph: bool = CudaGraphOpt,
) -> None:
    """Train one recipe with one seed into one run directory."""
    recipe_obj = get_recipe(recipe)
    if not datasets.known(dataset):
        raise UserError(f"--dataset: unknown dataset {dataset!r}; valid: {', '.join(datasets.NAMES)}, "
                        f"or a translation folder's path")
    try:
        compatible(recipe, dataset)
    except ValueError as e:
        raise UserError(f"--dataset: {e}") from None
    dev = devices.resolve(device)
    way = _direction(direction, "AtoB")
    if way != "AtoB" and not datasets.is_translation(dataset):
        raise UserError(f"--direction: applies to translation data only, not {dataset}")
    if cuda_graph and not graph_supports(recipe_obj):
        raise UserError(f"--cuda-graph: recipe {recipe} cannot be captured; the MLP and toy recipes can")
    _check_cuda_graph(cuda_graph, compile, dev)
    spec = RunSpec(recipe=recipe, dataset=dataset, seed=seed, profile=_profile(profile, dev), steps=steps,
                   device=dev.type, direction=way, compile=compile, cuda_graph=cuda_graph)
    if out is not None:
        run = RunDir(out)
    elif resume:
        run = _latest_unfinished(spec)
    else:
        run = RunDir(_new_output("train") / recipe / f"seed-{seed}")
    with _reporter(quiet) as reporter:
        result = execute(spec, run, resume, reporter, lambda name, way: datasets.load(name, data_dir, way))
    out_console.print(f"{result.status}: {result.path}", highlight=False)


@app.command()
@user_errors
def run(
    suite: str = typer.Option(..., help="Suite name (suites/<name>.toml) or path to a suite TOML file."),
    recipes: Optional[str] = typer.Option(None, help="Only these recipes of the suite, comma-separated."),
    seeds: Optional[str] = typer.Option(None, help="Only these seeds, comma-separated (e.g. 0,1)."),
    profile: Optional[str] = typer.Option(None, help="full, quick or smoke (default: the suite's, else "
                                          "full on CUDA and quick on CPU)."),
    out: Optional[Path] = typer.Option(None, help="Output folder (default: results/runs/<suite>-<UTC time>)."),
    device: str = Device,
    resume: Optional[str] = typer.Option(None, "--resume", metavar="RUN_ID",
                                         help="Continue the suite run RUN_ID (its folder under results/runs/, "
                                         "or a path): skip complete runs, continue interrupted ones, refuse "
                                         "if the suite or a spec changed."),
    executor: str = typer.Option("local", help="local (this process) or ray (one Ray task per run; "
                                 "pip install 'ganbench[ray]')."),
    address: Optional[str] = typer.Option(None, help="With --executor ray: auto (the running cluster) or "
                                          "HOST:PORT; default: start a Ray instance on this machine."),
    batch_seeds: int = typer.Option(1, min=1, help="Train up to K seeds of an MLP recipe as one batched model "
                                    "(same results per seed; other recipes run their seeds one by one)."),
    direction: Optional[str] = DirectionOpt,
    quiet: bool = Quiet,
    data_dir: Optional[Path] = DataDir,
    compile: bool = CompileOpt,
    cuda_graph: bool = CudaGraphOpt,
    samples: Optional[int] = Samples,
    backbone: str = Backbone,
    inception_weights: Optional[Path] = InceptionWeights,
) -> None:
    """Train every recipe x seed of a suite, scoring each run as it finishes."""
    s = load_suite(suite)
    if direction is not None:
        if not all(datasets.is_translation(d) for d in s.datasets):
            raise UserError(f"--direction: applies to translation data only; suite {s.name} has "
                            f"{', '.join(s.datasets)}")
        s = s.model_copy(update={"direction": _direction(direction, s.direction)})
    dev = devices.resolve(device)
    specs = s.expand(_profile(profile, dev, s.profile), dev.type, _names(recipes), _ints(seeds, "--seeds"))
    if compile:
        specs = [spec.model_copy(update={"compile": True}) for spec in specs]
    _check_cuda_graph(cuda_graph, compile, dev)
    if cuda_graph:
        specs = [spec.model_copy(update={"cuda_graph": graph_supports(spec.recipe_obj)}) for spec in specs]
        eager = sorted({spec.recipe for spec in specs if not spec.cuda_graph})
        if eager:
            err_console.print(f"--cuda-graph: {', '.join(eager)} run eagerly (capture covers the MLP and toy "
                              f"recipes)", highlight=False)
    if batch_seeds > 1:
        from gan_bench.train.seed_batch import supports

        alone = sorted({spec.recipe for spec in specs if compile or not supports(spec.recipe_obj, spec.cuda_graph)})
        if alone:
            err_console.print(f"--batch-seeds: {', '.join(alone)} train one seed at a time (batching covers "
                              f"the MLP recipes{', without --compile' if compile else ''}"
                              f"{', without dropout under --cuda-graph' if cuda_graph else ''})",
                              highlight=False)
    if executor not in ("local", "ray"):
        raise UserError(f"--executor: unknown executor {executor!r}; valid: local, ray")
    if executor == "ray" and batch_seeds > 1:
        raise UserError("--batch-seeds: applies to --executor local; on Ray each seed is its own task")
    if address is not None and executor != "ray":
        raise UserError("--address: applies to --executor ray only")
    suite_hash = spec_hash(s.model_dump(mode="json"))
    root = _resume_root(resume, out, suite_hash) if resume is not None else (out or _new_output(s.name))
    scorer = _scorer(samples, backbone, inception_weights, dev, data_dir)  # fails before any training
    err_console.print(f"suite {s.name}: {len(specs)} runs into {root}", highlight=False)
    with output_lock(root), _reporter(quiet, 1 if executor == "ray" else len(specs)) as reporter:
        write_suite_info(root, {"name": s.name, "file": suite_path(suite),
                                "profile": specs[0].profile, "device": dev.type, "dataset": s.datasets,
                                "suite_hash": suite_hash})
        if executor == "ray":
            from gan_bench.executors import ray_cluster

            results = ray_cluster.run_all(specs, root, resume is not None, reporter, address, data_dir,
                                          {"samples": samples, "backbone": backbone,
                                           "inception_weights": inception_weights})
        else:
            results = run_all(specs, root, resume is not None, reporter, data_dir, scorer, batch_seeds)
    table = Table(title=f"suite {s.name}")
    for col in ("recipe", "seed", "status", "summary", "run directory"):
        table.add_column(col)
    for r in results:
        table.add_row(r.spec.recipe, str(r.spec.seed), r.status, r.summary, str(r.path))
    out_console.print(table)


def _check_cuda_graph(cuda_graph: bool, compile: bool, device) -> None:
    if cuda_graph and compile:
        raise UserError("--cuda-graph and --compile: choose one")
    if cuda_graph and device.type != "cuda":
        raise UserError(f"--cuda-graph: needs a CUDA device; the run's device is {device.type} "
                        f"(give --device cuda, or leave out --cuda-graph)")


def _resume_root(run_id: str, out: Optional[Path], suite_hash: str) -> Path:
    """The output folder of suite run ``run_id`` (a name under results/runs/, or a path), checked
    to hold a run of this very suite."""
    root = Path(run_id) if Path(run_id).is_dir() else RUNS_ROOT / run_id
    if out is not None and Path(out).resolve() != root.resolve():
        raise UserError(f"--resume {run_id}: resumes into {root}; leave out --out (or give that same folder)")
    info = read_suite_info(root) if root.is_dir() else None
    if info is None or info.get("name") is None:
        raise UserError(f"--resume {run_id}: {root} is not the output folder of a suite run (no suite.json); "
                        f"pass a folder name under {RUNS_ROOT} or a path")
    if info.get("suite_hash") not in (None, suite_hash):
        raise UserError(f"{root / SUITE_FILE}: the suite has changed since this run started (suite_hash "
                        f"{info['suite_hash'][:12]}…, now {suite_hash[:12]}…); run it into a new --out instead")
    return root


def _scorer(samples, backbone, inception_weights, device, data_dir):
    from gan_bench.metrics import inception
    from gan_bench.scoring.score_run import BACKBONES, score_run

    if backbone not in BACKBONES:
        raise UserError(f"--backbone: unknown backbone {backbone!r}; valid: {', '.join(BACKBONES)}")
    if backbone == "inception":
        inception.resolve_weights(inception_weights)  # fail before any training, not after
    return lambda run: score_run(run, samples, backbone, inception_weights, device, data_dir=data_dir)


@app.command()
@user_errors
def score(
    runs: list[Path] = typer.Argument(..., help="Run directories, or folders holding them (a suite's --out)."),
    samples: Optional[int] = Samples,
    backbone: str = Backbone,
    inception_weights: Optional[Path] = InceptionWeights,
    device: str = Device,
    data_dir: Optional[Path] = DataDir,
) -> None:
    """Write metrics.json for each run: metrics under named protocols, mode coverage, a verdict."""
    from gan_bench.rundir.layout import find_runs

    dev = devices.resolve(device)
    scorer = _scorer(samples, backbone, inception_weights, dev, data_dir)
    table = Table(title="scores")
    for col in ("run", "verdict", "metric", "value"):
        table.add_column(col)
    for run in find_runs(runs):
        result = scorer(run)
        first = True
        for name, entry in result["metrics"].items():
            table.add_row(str(run.root) if first else "", result["verdict"] if first else "", name,
                          f"{entry['value']:.4g}")
            first = False
        cover = result["coverage"]
        if "modes_covered" in cover:
            table.add_row("", "", "modes covered", f"{cover['modes_covered']}/{cover['modes_total']}")
        if first:
            table.add_row(str(run.root), result["verdict"], "-", result["verdict_reason"])
    out_console.print(table)


# -- report / check / baseline ----------------------------------------------------------------
REPORT_FORMATS = ("rich", "md", "csv", "html")


@app.command()
@user_errors
def report(
    runs: list[Path] = typer.Argument(..., help="Run directories, or folders holding them."),
    format: str = typer.Option("rich", "--format", "-f", help="rich (terminal), md, csv (one row per run, full "
                               "spec as columns) or html (self-contained, with plots)."),
    out: Optional[Path] = typer.Option(None, help="Write to this file instead of standard output."),
) -> None:
    """Comparison tables: recipes x metrics, mean ± std over seeds, best marked, with protocols."""
    from gan_bench.report import render
    from gan_bench.report.collect import collect

    if format not in REPORT_FORMATS:
        raise UserError(f"--format: unknown format {format!r}; valid: {', '.join(REPORT_FORMATS)}")
    df = collect(runs)
    if format == "rich":
        for title, table in render.rich_tables(df):
            out_console.print(render.as_rich(title, table))
        return
    text = {"md": render.markdown, "csv": render.csv, "html": render.html}[format](df)
    if out:
        from gan_bench.rundir import atomic
        atomic.write_text(out, text)
        out_console.print(f"wrote {out}")
    else:
        print(text)


def _suite_for(runs: list[Path], suite: Optional[str]):
    if suite:
        return load_suite(suite)
    for path in runs:
        info = read_suite_info(path)
        if info:
            return load_suite(info["file"] if Path(info["file"]).is_file() else info["name"])
    raise UserError("cannot tell which suite these runs belong to (no suite.json beside them); pass --suite")


@app.command()
@user_errors
def check(
    runs: list[Path] = typer.Argument(..., help="Run directories, or folders holding them."),
    suite: Optional[str] = typer.Option(None, help="Suite whose thresholds apply (default: the runs' suite.json)."),
    baseline: Optional[Path] = typer.Option(None, help="Baseline file for relative thresholds (default: "
                                            "results/baselines/<suite>-<profile>-<device>.json)."),
    junit: Optional[Path] = typer.Option(None, help="Also write a JUnit XML report here."),
) -> None:
    """Gate on the suite's thresholds: exit 1 on any regression or missing metric, 0 when all pass."""
    from gan_bench.gates import check as gate
    from gan_bench.report.collect import collect

    s = _suite_for(runs, suite)
    df = collect(runs)
    base = None
    if baseline or gate.needs_baseline(s):
        base = gate.read_baseline(baseline or gate.baseline_path(s.name, df["profile"].iloc[0], df["device"].iloc[0]))
    verdicts = gate.check(df, s, base)
    table = Table(title=f"ganbench check: suite {s.name}")
    for col in ("recipe", "metric", "value", "rule", "result"):
        table.add_column(col)
    for v in verdicts:
        value = "missing" if v.value is None else f"{v.value:.4g}"
        result = "[green]pass[/]" if v.passed else f"[red]FAIL[/]{' (' + v.note + ')' if v.note else ''}"
        table.add_row(v.recipe, v.metric, value, v.rule, result)
    out_console.print(table)
    if junit:
        gate.junit(verdicts, junit)
    failed = sum(not v.passed for v in verdicts)
    out_console.print(f"{len(verdicts) - failed} passed, {failed} failed", highlight=False)
    if failed:
        raise typer.Exit(1)


@app.command()
@user_errors
def baseline(
    runs: list[Path] = typer.Argument(..., help="Scored run directories of one suite, profile and device."),
    out: Optional[Path] = typer.Option(None, help="Default: results/baselines/<suite>-<profile>-<device>.json."),
) -> None:
    """Write a baseline file (per-recipe metric means) from real runs, for relative thresholds."""
    from gan_bench.rundir import atomic
    from gan_bench.gates import check as gate
    from gan_bench.report.collect import collect

    df = collect(runs)
    if (df["verdict"] == "unscored").any():
        raise UserError("some runs have no metrics.json; score them first with `ganbench score`")
    command = " ".join(["ganbench baseline", *map(str, runs)] + (["--out", str(out)] if out else []))
    data = gate.baseline_from(df, command)
    path = out or gate.baseline_path(data["suite"] or "runs", data["profile"], data["device"])
    atomic.write_json(path, data)
    out_console.print(f"wrote {path}")


# -- data -------------------------------------------------------------------------------------
def _data_table(verify: bool, names: list[str], data_dir: Optional[Path]) -> bool:
    table = Table(title="datasets")
    for col in ("dataset", "file", "state", "path"):
        table.add_column(col)
    all_ok = True
    for name in names:
        for st in catalogue.status(name, data_dir, verify=verify):
            ok = st.state in ("ok", "found")
            all_ok &= ok
            style = "green" if ok else "red"
            table.add_row(name, catalogue.FILENAMES[st.role], f"[{style}]{st.state}[/]", str(st.path or "-"))
    out_console.print(table)
    return all_ok


@data_app.command("list")
@user_errors
def data_list(data_dir: Optional[Path] = DataDir) -> None:
    """Where each dataset's files were found (no hashing; see `data verify`)."""
    _data_table(False, list(catalogue.DATASETS), data_dir)
    for name, ds in catalogue.DATASETS.items():
        looked = ", ".join(f"{loc.label} ({loc.folder})" for loc in catalogue.locations(ds, data_dir) if loc.folder)
        out_console.print(f"{name}: looks in {looked}, then a torchvision download", highlight=False)


@data_app.command("verify")
@user_errors
def data_verify(dataset: Optional[str] = typer.Argument(None, help="One dataset (default: all)."),
                data_dir: Optional[Path] = DataDir) -> None:
    """Check each file's sha256. Exit 1 when a file is missing or corrupt."""
    names = [catalogue.get(dataset).name] if dataset else list(catalogue.DATASETS)
    if not _data_table(True, names, data_dir):
        raise typer.Exit(1)


@data_app.command("fetch")
@user_errors
def data_fetch(dataset: str = typer.Argument(..., help="mnist or fashion-mnist.")) -> None:
    """Download a dataset with torchvision into the user cache, verifying every file."""
    out_console.print(f"saved to {catalogue.fetch(dataset)}")


# -- evaluator --------------------------------------------------------------------------------
@evaluator_app.command("train")
@user_errors
def evaluator_train(dataset: str = typer.Argument(..., help="mnist or fashion-mnist."),
                    out: Optional[Path] = typer.Option(None, help="Weights file (default: the package's own)."),
                    data_dir: Optional[Path] = DataDir) -> None:
    """Train an evaluator deterministically on CPU (train split); print its test accuracy, sha256 and slice sketch."""
    from gan_bench.metrics import evaluators

    pin = evaluators.get_pin(dataset)
    data = catalogue.load(dataset, data_dir)
    with RichReporter(err_console) as reporter:
        reporter.run_started(f"evaluator {dataset}", 1, 0)
        task = reporter.task

        def progress(step, total, loss):
            reporter.progress.update(task, total=total, completed=step, losses=f"loss {loss.item():.4f}")

        model = evaluators.train(data.train_images, data.train_labels, pin.plan, progress=progress)
    digest = evaluators.save(model, out or pin.path)
    sliced = evaluators.train(data.train_images, data.train_labels, pin.plan, max_steps=pin.slice_steps)
    acc = evaluators.accuracy(model, data.test_images, data.test_labels)
    sketch = evaluators.state_sketch(sliced.state_dict())
    out_console.print(f"{dataset}: test accuracy {acc:.4f}\nsha256 {digest}\n"
                      f"slice ({pin.slice_steps} steps) sketch ({', '.join(f'{v:.9g}' for v in sketch)},)\n"
                      f"slice distance from the pinned sketch "
                      f"{evaluators.sketch_distance(sketch, pin.slice_sketch):.2e} "
                      f"(tolerance {evaluators.SLICE_TOLERANCE:g})\n"
                      f"written to {out or pin.path}", highlight=False)


def main() -> None:
    app()
