"""`ganbench data` and `ganbench evaluator`: the datasets and the pinned evaluator classifiers."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from gan_bench.cli.app import DataDir, data_app, err_console, evaluator_app, out_console, user_errors
from gan_bench.data import catalogue
from gan_bench.training.progress import RichReporter


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
def data_verify(
    dataset: Optional[str] = typer.Argument(None, help="One dataset (default: all)."),
    data_dir: Optional[Path] = DataDir,
) -> None:
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
def evaluator_train(
    dataset: str = typer.Argument(..., help="mnist or fashion-mnist."),
    out: Optional[Path] = typer.Option(None, help="Weights file (default: the package's own)."),
    data_dir: Optional[Path] = DataDir,
) -> None:
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
    out_console.print(
        f"{dataset}: test accuracy {acc:.4f}\nsha256 {digest}\n"
        f"slice ({pin.slice_steps} steps) sketch ({', '.join(f'{v:.9g}' for v in sketch)},)\n"
        f"slice distance from the pinned sketch "
        f"{evaluators.sketch_distance(sketch, pin.slice_sketch):.2e} "
        f"(tolerance {evaluators.SLICE_TOLERANCE:g})\n"
        f"written to {out or pin.path}",
        highlight=False,
    )
