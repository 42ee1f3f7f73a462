"""`ganbench data` and `ganbench evaluator`: the datasets and the pinned evaluator classifiers."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.text import Text

from gan_bench.cli.app import DataDir, data_app, err_console, evaluator_app, out_console, user_errors
from gan_bench.cli.tables import terminal_table
from gan_bench.data import catalogue
from gan_bench.training.progress import RichReporter


# -- data -------------------------------------------------------------------------------------
def _data_table(verify: bool, names: list[str], data_dir: Optional[Path], optional_ok: bool = True) -> bool:
    """Print each file's state; False when a file is corrupt, or missing from a dataset that is
    required (ships with ganbench) or partly there. An optional dataset with none of its files is
    reported as not installed and is no failure (unless ``optional_ok`` is False: asked for by name)."""
    table = terminal_table("datasets", ("dataset", "file", "state", "path"), whole=("dataset", "file"))
    all_ok = True
    for name in names:
        states = catalogue.status(name, data_dir, verify=verify)
        absent = all(st.state == "missing" for st in states) and not catalogue.get(name).packaged
        for st in states:
            if absent and optional_ok:
                st = catalogue.FileStatus(st.role, None, "not installed (optional)")
            ok = st.state in ("ok", "found") or st.state.startswith("not installed")
            all_ok &= ok
            style = "green" if ok else "red"
            table.add_row(name, catalogue.FILENAMES[st.role], Text(st.state, style), str(st.path or "-"))
    out_console.print(table)
    return all_ok


@data_app.command("list")
@user_errors
def data_list(data_dir: Optional[Path] = DataDir) -> None:
    """Where each dataset's files were found (no hashing; see `data verify`)."""
    data_dir = catalogue.data_folder(data_dir)
    _data_table(False, list(catalogue.DATASETS), data_dir)
    for name, ds in catalogue.DATASETS.items():
        looked = ", ".join(f"{loc.label} ({loc.where})" for loc in catalogue.locations(ds, data_dir) if loc.folder)
        out_console.print(f"{name}: looks in {looked}, then a torchvision download", highlight=False)


@data_app.command("verify")
@user_errors
def data_verify(
    dataset: Optional[str] = typer.Argument(None, help="One dataset (default: all)."),
    data_dir: Optional[Path] = DataDir,
) -> None:
    """Check each file's sha256; exit 1 when a file is corrupt or a required one missing.

    An optional dataset that is not installed is reported as such; named, it must be there."""
    names = [catalogue.get(dataset).name] if dataset else list(catalogue.DATASETS)
    data_dir = catalogue.data_folder(data_dir)
    if not _data_table(True, names, data_dir, optional_ok=dataset is None):
        raise typer.Exit(1)


@data_app.command("fetch")
@user_errors
def data_fetch(dataset: str = typer.Argument(..., help="mnist or fashion-mnist.")) -> None:
    """Download a dataset with torchvision into the user cache and verify every file.

    When every file is found already and verifies, nothing is downloaded."""
    here = catalogue.verified_folders(dataset)
    if here:
        where = ", ".join(map(str, here))
        out_console.print(
            f"{catalogue.get(dataset).title}: every file is found and verifies in {where}; nothing to fetch"
        )
        return
    out_console.print(f"saved to {catalogue.fetch(dataset)}")


# -- evaluator --------------------------------------------------------------------------------
@evaluator_app.command("train")
@user_errors
def evaluator_train(
    dataset: str = typer.Argument(..., help="mnist or fashion-mnist."),
    out: Optional[Path] = typer.Option(
        None, help="A new weights file (default: the package's own, when missing or damaged)."
    ),
    data_dir: Optional[Path] = DataDir,
) -> None:
    """Train an evaluator deterministically on CPU (train split); print its test accuracy, sha256 and slice sketch."""
    from gan_bench.metrics import evaluators

    pin = evaluators.get_pin(dataset)
    evaluators.check_target(dataset, out or pin.path)  # minutes of training are not spent on a refusal
    data = catalogue.load(dataset, catalogue.data_folder(data_dir))
    if err_console.is_terminal:
        with RichReporter(err_console) as reporter:
            reporter.run_started(f"evaluator {dataset}", 1, 0)
            task = reporter.task

            def progress(step, total, loss):
                reporter.progress.update(task, total=total, completed=step, losses=f"loss {loss.item():.4f}")

            model = evaluators.train(data.train_images, data.train_labels, pin.plan, progress=progress)
    else:  # a CI log: a line every tenth of the way, not a redrawn bar

        def progress(step, total, loss):
            if step == total or step % max(1, total // 10) == 0:
                err_console.print(
                    f"evaluator {dataset}: step {step:,}/{total:,}, loss {loss.item():.4f}", highlight=False
                )

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
