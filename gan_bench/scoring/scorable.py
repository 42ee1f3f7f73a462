"""What must hold before a run is scored: known options, a finished training run whose final
checkpoint is its own, a readable history with every row its schedule logged, and a modality the
backbone and batch-norm mode apply to."""

from __future__ import annotations

import shlex
from pathlib import Path

from gan_bench import defaults
from gan_bench.data import datasets
from gan_bench.errors import InvalidOption, RunDirError, unknown
from gan_bench.metrics import diagnostics
from gan_bench.rundir import lock
from gan_bench.rundir.layout import RunDir, holds_scored_samples, lock_folder, scored_samples_here
from gan_bench.rundir.trained_data import check_data_here
from gan_bench.scoring.drawing import check_batch_norm
from gan_bench.suite.resume_command import how_to_finish
from gan_bench.training import checkpoint

BACKBONES = defaults.BACKBONES


def check_backbone(backbone: str, inception_weights: Path | None = None) -> None:
    """A known backbone; Inception weights only where the Inception backbone would read them."""
    if backbone not in BACKBONES:
        raise InvalidOption(f"--backbone: {unknown('backbone', backbone, BACKBONES)}")
    if inception_weights is not None and backbone != "inception":
        raise InvalidOption(
            f"--inception-weights: {inception_weights} is read only with --backbone inception, and this "
            f"scores with {backbone}; add --backbone inception or leave the weights out"
        )


def check_scorable(run: RunDir, backbone: str = "lenet", batch_norm: str = "running") -> dict:
    """The run's spec, once nothing keeps ``score_run`` from scoring it with these options."""
    return scorable_parts(run, backbone, batch_norm)[0]


def _how_to_score_again(spec: dict) -> str:
    """The command that scores these samples' input again into a new folder; for samples given in
    memory, which left no path, the API call."""
    given = spec.get("input") if isinstance(spec.get("input"), dict) else {}
    back = given.get("back") if isinstance(given.get("back"), dict) else {}
    if "path" not in given or (back and "path" not in back):
        return "they were given to the Python API in memory: score them again with gan_bench.score_samples"
    command = ["ganbench", "score", "--input", str(given["path"]), "--dataset", str(spec.get("dataset"))]
    command += ["--input-ba", str(back["path"])] if back else []
    command += ["--direction", "BtoA"] if spec.get("direction") == "BtoA" else []
    return f"score the input again into a new folder with `{shlex.join(command)}`"


def scorable_parts(run: RunDir, backbone: str = "lenet", batch_norm: str = "running"):
    """(spec, final checkpoint, history) of a run nothing keeps from being scored with these
    options: a finished training run whose final checkpoint is its own, with a readable history
    holding every row its schedule logged, whose modality the backbone and batch-norm mode apply to."""
    check_backbone(backbone)
    check_batch_norm(batch_norm)
    spec = run.read_spec()
    if holds_scored_samples(spec):
        raise RunDirError(f"{scored_samples_here(run.root)}; {_how_to_score_again(spec)}")
    if not run.complete:
        writing = lock_folder(run)
        holder = lock.held_by(writing)
        if holder is not None:
            raise RunDirError(
                f"{run.root}: the run is still training ({holder} holds {writing / lock.LOCK_NAME}); "
                f"score it once that has finished"
            )
        raise RunDirError(
            f"{run.root}: the run is not complete (no {run.final_checkpoint.name}); finish it before scoring "
            f"with {how_to_finish(run, spec)}"
        )
    final = checkpoint.load(run.final_checkpoint)
    if final.get("spec_hash") != spec["spec_hash"]:
        raise RunDirError(
            f"{run.final_checkpoint}: belongs to another run (its spec_hash is not {run.spec}'s), and the scores "
            f"would be that run's; restore this run's own checkpoint, or train the run again into a new folder"
        )
    history = diagnostics.read_history(run.history)  # a damaged history is named before any scoring, not after
    schedule = spec.get("schedule")  # every run ganbench trains records one; its spec_hash matched
    cut = diagnostics.rows_problem(history, schedule) if isinstance(schedule, dict) else None
    if cut:
        raise RunDirError(
            f"{run.history}: {cut}; the file was cut or edited, and the verdict would read part of the run. "
            f"Restore it, or train the run again into a new folder"
        )
    check_data_here(run, spec["dataset"], "score")
    modality = datasets.modality(spec["dataset"])
    if batch_norm != "running" and modality in ("paired", "unpaired"):
        raise InvalidOption(f"--batch-norm {batch_norm}: for image and point recipes; {spec['dataset']} is {modality}")
    if backbone == "inception" and modality != "gray28":
        raise InvalidOption(f"--backbone inception: only for MNIST-like images, and {spec['dataset']} is {modality}")
    return spec, final, history
