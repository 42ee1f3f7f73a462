"""Runs as TensorBoard event files: history scalars, final metrics, quality over time, sample grids.

Each run becomes ``<logdir>/<dataset>/<recipe>/seed-<n>``, written by torch's SummaryWriter (the
optional ``ganbench[tensorboard]`` extra). Walltimes are the run's own wall clock from timing.csv,
so an old run opens as it ran. Nothing is written into the run directory, an existing event
folder is never written over, and runs a ganbench process is still writing are not exported.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from gan_bench.errors import InvalidOption, RunDirError
from gan_bench.metrics.diagnostics import read_history
from gan_bench.rundir import lock, metrics_file, paths
from gan_bench.rundir.layout import RunDir, find_runs, held_folders

EVENTS_PREFIX = "events.out.tfevents"  # how TensorBoard's event files are named


def _writer_class():
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:
        raise InvalidOption(
            "export tensorboard: needs the tensorboard package; pip install 'ganbench[tensorboard]'"
        ) from None
    return SummaryWriter


def _wall_times(run: RunDir) -> dict[int, float]:
    """Each logged step's wall time from timing.csv (none when the file is absent); a damaged file
    is named, before any event is written."""
    if not run.timing.is_file():
        return {}
    try:
        with open(run.timing, newline="", encoding="utf-8") as f:
            rows = [row for row in csv.DictReader(f) if (row.get("step") or "").isdigit()]
        return {int(row["step"]): float(row["wall_time_s"]) for row in rows}
    except (OSError, UnicodeDecodeError, csv.Error, KeyError, TypeError, ValueError) as e:
        raise RunDirError(
            f"{run.timing}: unreadable ({type(e).__name__}: {e}); restore it, or delete it to export without wall times"
        ) from None


def _pictures(run: RunDir, last: int) -> list[tuple[str, int, Path]]:
    """(tag, step, path) of each sample grid, and of the picture of what score measured (the points,
    or samples scored with --input), shown at the last step."""
    pictures = [("samples", step, path) for step, path in run.sample_grids()]
    return pictures + ([("scored_samples", last, run.scored_samples)] if run.scored_samples.is_file() else [])


def _check_grids(run: RunDir) -> None:
    """Every sample grid and picture opens as an image, before any event is written."""
    from PIL import Image, UnidentifiedImageError

    for _, _, path in _pictures(run, 0):
        try:
            with Image.open(path) as image:
                image.verify()
        except (OSError, UnidentifiedImageError, SyntaxError) as e:  # PIL raises SyntaxError for broken PNG chunks
            raise RunDirError(
                f"{path}: not a readable image ({e}); restore it, or delete it to export without it"
            ) from None


def _label(spec: dict) -> str:
    return f"{spec['dataset'].strip('/').replace('/', '_')}/{spec['recipe']['name']}/seed-{spec['seed']}"


def _run_holding(path: Path) -> Path | None:
    """The run directory that ``path`` is or lies in, else None: a folder whose spec.json is
    ganbench's (has a spec_hash) or unreadable, not another tool's spec.json in a folder above."""
    for folder in (path, *path.absolute().parents):
        spec = folder / "spec.json"
        if not spec.is_file():
            continue
        try:
            ours = "spec_hash" in json.loads(spec.read_bytes())
        except (OSError, ValueError, TypeError):  # a damaged run's spec.json is still a run's
            ours = True
        if ours:
            return folder
    return None


def plan_export(runs: list[RunDir], logdir: Path) -> dict[Path, RunDir]:
    """Each run's event folder, checked before anything is written."""
    paths.output_folder(logdir, "--logdir")
    # events are never written over, so a run exported mid-training would stay cut short in the logdir
    lock.refuse_while_held(held_folders(runs), "the export")
    targets: dict[Path, RunDir] = {}
    for run in runs:
        if logdir.resolve().is_relative_to(run.root.resolve()):
            raise RunDirError(
                f"--logdir: {logdir} lies inside {run.root}, a run directory this exports, and an export "
                "writes nothing into a run; choose a folder outside it"
            )
        target = logdir / _label(run.read_spec())
        if target in targets:
            raise RunDirError(f"{run.root} and {targets[target].root} are the same run label; export them apart")
        if (holder := _run_holding(target)) is not None:  # another run's, or one a multi-dataset suite laid out there
            where = "is a run directory" if holder == target else f"lies in the run directory {holder}"
            raise RunDirError(
                f"--logdir: {target} {where}, and an export writes nothing into a run; choose a folder that holds no runs"
            )
        if target.exists() and (held := sorted(p.name for p in target.iterdir())):
            what = "events" if all(n.startswith(EVENTS_PREFIX) for n in held) else "files (" + ", ".join(held) + ")"
            raise RunDirError(f"--logdir: {target} already holds {what}; choose another --logdir")
        _wall_times(run)
        _check_grids(run)
        targets[target] = run
    return targets


def export_run(run: RunDir, target: Path, writer_class) -> dict:
    """Write one run's events; returns what was written (counts per kind)."""
    spec = run.read_spec()
    times = _wall_times(run)
    written = {"scalars": 0, "images": 0}
    writer = writer_class(log_dir=str(target))
    try:
        writer.add_text("spec", f"```\n{json.dumps(spec, indent=2)}\n```", 0, walltime=0.0)
        last = 0
        history = read_history(run.history) if run.history.is_file() else None  # scored samples have none
        for row in [] if history is None else history.to_dict("records"):
            step = last = int(row["step"])
            for name, value in row.items():
                if name not in ("step", "epoch"):
                    writer.add_scalar(f"history/{name}", value, step, walltime=times.get(step, 0.0))
                    written["scalars"] += 1
        metrics = metrics_file.read(run)
        if metrics is not None:
            for point in metrics["diagnostics"].get("quality_over_time", []):
                for name, value in point.items():
                    if name != "step" and value is not None:
                        writer.add_scalar(
                            f"quality/{name}", value, point["step"], walltime=times.get(point["step"], 0.0)
                        )
                        written["scalars"] += 1
            final = {name: entry["value"] for name, entry in metrics["metrics"].items()}
            final.update({k: metrics["coverage"][k] for k in ("modes_covered",) if k in metrics["coverage"]})
            for name, value in final.items():
                if value is not None:
                    writer.add_scalar(f"metrics/{name}", value, last, walltime=times.get(last, 0.0))
                    written["scalars"] += 1
            writer.add_text("verdict", f"{metrics['verdict']}: {metrics['verdict_reason']}", last, walltime=0.0)
        for tag, step, path in _pictures(run, last):
            from PIL import Image

            with Image.open(path) as image:
                pixels = np.asarray(image.convert("RGB"))
            writer.add_image(tag, pixels, step, walltime=times.get(step, 0.0), dataformats="HWC")
            written["images"] += 1
    finally:
        writer.close()
    return written


def export_tensorboard(paths: list[Path], logdir: Path) -> dict[Path, dict]:
    """Export every run found under ``paths`` into ``logdir``; returns {event folder: counts}."""
    writer_class = _writer_class()
    targets = plan_export(find_runs(paths), Path(logdir))
    return {target: export_run(run, target, writer_class) for target, run in targets.items()}
