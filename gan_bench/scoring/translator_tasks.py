"""The translation tasks a translator made elsewhere is scored on (scoring/score_samples.py): a
built-in task or a translation folder, its direction, a CycleGAN's translator back, what is refused,
and how the translations are measured, as a pix2pix or cyclegan run's are (scoring/translation.py)."""

from __future__ import annotations

from pathlib import Path

import torch

from gan_bench.data import datasets, folders
from gan_bench.errors import InvalidOption
from gan_bench.scoring import sample_inputs, translation
from gan_bench.scoring.modality_scores import REFERENCE_SPLIT
from gan_bench.scoring.sample_generators import GENERATOR_SUFFIXES

TRANSLATION = tuple(datasets.TRANSLATION_TASKS)  # a translator's outputs for the test A images, against the true B


def check_folder(dataset: str, back) -> None:
    """A translation folder a translator can be scored on: the pix2pix layout, whose test pairs give
    each test A image its true B, or the CycleGAN layout given the translator back too."""
    if datasets.modality(dataset) != "paired" and back is None:
        raise InvalidOption(
            f"--dataset: {dataset} has the CycleGAN layout, whose test domains are unaligned and have no "
            "evaluator, so one direction of a translator has nothing to be measured against there; give the "
            "translator back too (--input-ba), whose round trips are scored as a cyclegan run's (cycle L1)"
        )


def checked_back(dataset: str, back):
    """The B-to-A translator of a CycleGAN pair (a path or a module), or None; only an unpaired task
    takes one."""
    if back is None:
        return None
    translating = datasets.is_translation(dataset)
    if not translating or datasets.modality(dataset) == "paired":
        unpaired = [name for name, kind in datasets.TRANSLATION_TASKS.items() if kind == "unpaired"]
        what = "a paired task, scored one way as pix2pix is" if translating else "no translation task"
        raise InvalidOption(
            f"--input-ba: a CycleGAN's translator back applies to an unpaired translation task "
            f"({', '.join(unpaired)}, or a CycleGAN-layout folder); {dataset} is {what}"
        )
    if isinstance(back, torch.nn.Module):
        return back
    back = Path(back)
    if sample_inputs.kind_of(back, "--input-ba") != "generator":
        raise InvalidOption(
            f"--input-ba: {back} is not a translator file; give it as TorchScript or torch.export "
            f"({', '.join(GENERATOR_SUFFIXES)})"
        )
    return back


def check_direction(dataset: str, direction: str | None) -> None:
    if direction is None:
        return
    if direction not in datasets.DIRECTIONS:
        raise InvalidOption(f"--direction: {direction!r}; valid: {', '.join(datasets.DIRECTIONS)}")
    if not datasets.is_translation(dataset):
        raise InvalidOption(
            f"--direction: applies to a translation task ({', '.join(TRANSLATION)} or a folder's path); "
            f"{dataset} is not one"
        )


def dataset_label(dataset: str, direction: str) -> str:
    """The dataset's part of the default output folder's name: a folder's own name, and BtoA when
    the domains are swapped."""
    label = Path(dataset).expanduser().resolve().name if folders.is_folder_name(dataset) else dataset
    return label + ("-BtoA" if direction == "BtoA" else "")


def check_translator(dataset: str, generator: bool, z_dim: int | None, z_dist: str | None) -> None:
    """A translation task scores a translator, which takes the task's test images, not noise."""
    if not generator:
        raise InvalidOption(
            f"--input: {dataset} scores a translator, a generator given the task's test A images, not samples: "
            f"give it as a TorchScript or torch.export file ({', '.join(GENERATOR_SUFFIXES)}), or as a module "
            "to the Python API"
        )
    if z_dim is not None or z_dist is not None:
        raise InvalidOption(f"--z-dim and --z-dist: a translator of {dataset} takes its test A images, not noise")


def measured(read, data, device: torch.device) -> tuple[dict, dict, dict]:
    """(metrics, coverage, the protocol's reference) of a translator's outputs for the first
    len(outputs) test A images, as a translation run's first direction (A to B, or B to A with the
    domains swapped) is scored; of a CycleGAN pair's, as a cyclegan run is. A folder's images are
    recorded by their sha256: they may change."""
    outputs = read.images
    if data.paired:
        metrics, cover = translation.paired_measured(outputs, data, device)
    elif read.cycle is not None:
        metrics, cover = translation.cycle_measured({"ab": outputs, **read.cycle}, data, device)
    else:
        metrics, way_cover = translation.way_measured("ab", outputs, data, device)
        cover = {**(way_cover or {}), "nonfinite_samples": False}
    reference = {"task": data.name, "direction": data.direction, "reference_split": REFERENCE_SPLIT}
    files = {"images_sha256": data.sha256["images"]} if "root" in data.files else {}  # a folder's
    return metrics, cover, {**reference, "test_images": len(data.test_a), **files}


def checked(dataset: str, generator: bool, back, z_dim: int | None, z_dist: str | None):
    """Everything about a translator's task checked before it is read; returns the translator back
    (a path or module), or None."""
    back = checked_back(dataset, back)
    if datasets.is_translation(dataset):
        check_translator(dataset, generator, z_dim, z_dist)
        if dataset not in TRANSLATION:
            check_folder(dataset, back)
    return back
