"""Score samples made elsewhere under ganbench's protocols, into a run-like directory.

The input (a folder of images, an .npy/.npz array, a TorchScript or torch.export generator, or
images or a generator module handed to the Python API) is read and validated in full
(scoring/sample_inputs.py and its readers), then scored against the dataset's test split as a
trained run's samples are. Only then is the output written: spec.json (what was scored: the
input's sha256, shape and value range) and metrics.json, which ``report``, ``baseline`` and
``check`` read as they read a trained run's.
"""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

import numpy as np
import torch

import gan_bench
from gan_bench import defaults
from gan_bench.data import catalogue, datasets, folders, mixtures
from gan_bench.data import translation as translation_data
from gan_bench.errors import DataError, InvalidOption, RunDirError, did_you_mean
from gan_bench.metrics import diagnostics, evaluators, fidelity
from gan_bench.rundir import atomic, metrics_file, outputs, paths
from gan_bench.rundir.identity import spec_hash
from gan_bench.rundir.layout import RunDir
from gan_bench.rundir.lock import has_content, output_lock
from gan_bench.scoring import (
    sample_files,
    sample_generators,
    sample_inputs,
    sample_points,
    sample_translators,
    translation,
)
from gan_bench.scoring.modality_scores import (
    REFERENCE_SPLIT,
    cond_accuracy,
    measure_images,
    mixture_measured,
    stacked_measured,
)
from gan_bench.scoring.sample_format import Expected, points_of
from gan_bench.scoring.sample_generators import GENERATOR_SUFFIXES
from gan_bench.scoring.sample_pictures import save_picture
from gan_bench.scoring.scorable import check_backbone
from gan_bench.variants import is_recipe

KIND = "samples"  # spec.json's "kind" for scored samples (a trained run has none)
PROFILE = "full"  # the thresholds table that gates scored samples: [thresholds.full]


def scorable() -> dict[str, Expected]:
    """The image datasets samples can be scored against: the 28×28 grayscale ones with a pinned
    evaluator, and Stacked MNIST (each channel read by the MNIST evaluator)."""
    return {
        **{name: Expected(name, 1, 28) for name in catalogue.DATASETS},
        "stacked-mnist": Expected("stacked-mnist", 3, 28),
    }


POINTS = mixtures.MIXTURES  # 2D points, scored against the mixture's true means
TRANSLATION = tuple(translation_data.TASKS)  # a translator's outputs for the test A images, against the true B
CLASSIFIED = tuple(catalogue.DATASETS)  # the datasets whose samples a class coverage and FID describe


def default_name(path: Path) -> str:
    """The input's file name as a name; one that is a recipe's (dcgan.npz) gets "-samples", so the
    samples are never counted among that recipe's runs."""
    name = re.sub(r"[^a-z0-9._-]+", "-", (path.stem or path.name).lower()).strip("-.") or "samples"
    return f"{name}-samples" if is_recipe(name) else name


def check_out(out: Path) -> None:
    """Refuse an output folder that cannot be written, holds anything (nothing is overwritten) or
    lies inside a suite's folder or a run directory (whose report would count it as their own)."""
    paths.output_folder(out, "--out")
    outputs.check_run_not_nested(out, "these samples")
    if has_content(out):
        raise RunDirError(f"--out: {out} is not empty; scored samples go into a new or empty folder")


def _verdict(cover: dict, dataset: str) -> tuple[str, str]:
    if "modes_total" in cover and cover["modes_covered"] < diagnostics.COLLAPSE_MIN_MODES * cover["modes_total"]:
        kind = "classes" if dataset in CLASSIFIED else "modes"
        return "mode-collapse", f"{cover['modes_covered']} of {cover['modes_total']} {kind} covered"
    return "no-history", "scored samples: no training history to diagnose; the coverage rule passed"


def _measured(read, dataset: str, data_dir: Path | None, opts: dict, device: torch.device) -> tuple[dict, dict, dict]:
    """(metrics, coverage, the protocol's reference) of the samples read, as a run of ``dataset`` is scored."""
    if dataset in POINTS:
        means = torch.tensor(mixtures.means(dataset).tolist())
        metrics, cover = mixture_measured(read.images, means, mixtures.STD[dataset])
        return metrics, cover, {"reference": f"the {len(means)} true means of the {dataset} mixture"}
    if dataset == "stacked-mnist":
        metrics, cover = stacked_measured(read.images, device)
        return metrics, cover, {"reference": "uniform over the 1,000 digit triples"}
    data = datasets.load(dataset, data_dir)
    metrics, cover, logits = measure_images(read.images, dataset, data, opts, device)
    if read.labels is not None:  # a conditional generator: how often the evaluator sees the class asked for
        metrics.update(cond_accuracy(logits, read.labels, evaluators.load(dataset)[1], read.labels_protocol))
    return metrics, cover, {"reference_split": REFERENCE_SPLIT, "reference_samples": len(data.test_images)}


def is_translation(dataset: str) -> bool:
    """A built-in translation task, or a translation folder named by its path."""
    return dataset in TRANSLATION or folders.is_folder_name(dataset)


def _check_folder(dataset: str) -> None:
    """A translation folder a translator can be scored on: the pix2pix layout, whose test pairs give
    each test A image its true B."""
    if datasets.modality(dataset) != "paired":
        raise InvalidOption(
            f"--dataset: {dataset} has the CycleGAN layout, whose test domains are unaligned and have no "
            "evaluator, so one direction of a translator has nothing to be measured against there; give a "
            "pix2pix-layout folder (train/ and test/ of A|B pairs), or train cyclegan on this one"
        )


def _check_direction(dataset: str, direction: str | None) -> None:
    if direction is None:
        return
    if direction not in datasets.DIRECTIONS:
        raise InvalidOption(f"--direction: {direction!r}; valid: {', '.join(datasets.DIRECTIONS)}")
    if not is_translation(dataset):
        raise InvalidOption(
            f"--direction: applies to a translation task ({', '.join(TRANSLATION)} or a folder's path); "
            f"{dataset} is not one"
        )


def _out_label(dataset: str, direction: str) -> str:
    """The dataset's part of the default output folder's name: a folder's own name, and BtoA when
    the domains are swapped."""
    label = Path(dataset).expanduser().resolve().name if folders.is_folder_name(dataset) else dataset
    return label + ("-BtoA" if direction == "BtoA" else "")


def _check_translator(dataset: str, generator: bool, z_dim: int | None, z_dist: str | None) -> None:
    """A translation task scores a translator, which takes the task's test images, not noise."""
    if not generator:
        raise InvalidOption(
            f"--input: {dataset} scores a translator, a generator given the task's test A images, not samples: "
            f"give it as a TorchScript or torch.export file ({', '.join(GENERATOR_SUFFIXES)}), or as a module "
            "to the Python API"
        )
    if z_dim is not None or z_dist is not None:
        raise InvalidOption(f"--z-dim and --z-dist: a translator of {dataset} takes its test A images, not noise")


def _translation_measured(outputs: torch.Tensor, data, device: torch.device) -> tuple[dict, dict, dict]:
    """(metrics, coverage, the protocol's reference) of a translator's outputs for the first
    len(outputs) test A images, as a translation run's first direction (A to B, or B to A with the
    domains swapped) is scored. A folder's images are recorded by their sha256: they may change."""
    if data.paired:
        metrics, cover = translation.paired_measured(outputs, data, device)
    else:
        metrics, way_cover = translation.way_measured("ab", outputs, data, device)
        cover = {**(way_cover or {}), "nonfinite_samples": False}
    reference = {"task": data.name, "direction": data.direction, "reference_split": REFERENCE_SPLIT}
    files = {"images_sha256": data.sha256["images"]} if folders.is_folder_name(data.name) else {}
    return metrics, cover, {**reference, "test_images": len(data.test_a), **files}


def where_of(input) -> str:
    """How messages name the input: its path, or the samples handed to the Python API."""
    return str(input) if isinstance(input, Path) else sample_files.IN_MEMORY


def score_samples(
    input: Path,
    dataset: str,
    *,
    out: Path | None = None,
    name: str | None = None,
    samples: int | None = None,
    z_dim: int | None = None,
    z_dist: str | None = None,
    conditional: bool = False,
    direction: str | None = None,
    backbone: str = defaults.BACKBONE,
    inception_weights: Path | None = None,
    device: torch.device = torch.device("cpu"),
    data_dir: Path | None = None,
) -> tuple[Path, dict]:
    """Score ``input`` (a path, a numpy array or torch tensor of uint8 images, or a generator
    module) against ``dataset``'s test split; returns (the output folder, metrics.json)."""
    module = isinstance(input, torch.nn.Module)
    in_memory = module or isinstance(input, (np.ndarray, torch.Tensor))
    if not in_memory:
        input = Path(input)
    elif name is None:
        given = "a generator module needs" if module else "samples given as an array need"
        raise InvalidOption(f"name: {given} a name, the one reports show them under")
    elif module and not is_translation(dataset) and (z_dim is None or isinstance(z_dim, bool) or z_dim < 1):
        raise InvalidOption(f"z_dim: a generator module needs its noise size, a positive integer (got {z_dim!r})")
    elif not module and (z_dim is not None or z_dist is not None):
        raise InvalidOption("z_dim and z_dist apply to a generator, not to samples given as an array")
    elif not module and conditional:
        raise InvalidOption(
            "conditional: samples given as an array carry no labels; save them with "
            "np.savez(PATH, images=..., labels=...) and give the path"
        )
    if module:
        sample_generators.check_z_dist(z_dist, "z_dist")
    valid = scorable()
    names = [*valid, *POINTS, *TRANSLATION]
    if dataset not in names and not folders.is_folder_name(dataset):
        raise InvalidOption(
            f"--dataset: samples are not scored against {dataset!r}; {did_you_mean(dataset, names)}"
            f"valid: {', '.join(names)}, or a translation folder's path (with a '/')"
        )
    _check_direction(dataset, direction)
    direction = (direction or defaults.DIRECTION) if is_translation(dataset) else None
    if dataset not in CLASSIFIED and conditional:
        raise InvalidOption(f"--conditional: {dataset} has no classes to ask for; valid with {', '.join(CLASSIFIED)}")
    if dataset not in CLASSIFIED and (backbone != defaults.BACKBONE or inception_weights is not None):
        how = {
            "stacked-mnist": "by the MNIST evaluator, channel by channel",
            **dict.fromkeys(TRANSLATION, "against its true B images and by its task's evaluator"),
        }.get(dataset, "against its true B images" if is_translation(dataset) else "against its true means")
        raise InvalidOption(f"--backbone: {dataset} samples are scored {how}; no backbone applies")
    generator = module or (not in_memory and sample_inputs.kind_of(input) == "generator")
    if dataset in POINTS and not generator and (z_dim is not None or z_dist is not None):
        raise InvalidOption(f"--z-dim and --z-dist apply to a generator ({', '.join(GENERATOR_SUFFIXES)}) only")
    if is_translation(dataset):
        _check_translator(dataset, generator, z_dim, z_dist)
        if dataset not in TRANSLATION:
            _check_folder(dataset)
    check_backbone(backbone, inception_weights)
    fidelity.check_sample_count(samples)
    name = name or default_name(input)
    if not paths.is_name(name):
        raise InvalidOption(f"--name: {name!r}; use {paths.NAME_RULE}")
    if is_recipe(name):
        raise InvalidOption(
            f"--name: {name!r} is a recipe's name, and reports and checks would count these samples among "
            f"its runs; give them a name of their own, such as {name}-samples"
        )
    out = Path(out) if out is not None else defaults.SCORED_ROOT / f"{name}-{_out_label(dataset, direction)}"
    check_out(out)
    drawn = samples if samples is not None else defaults.SAMPLES[datasets.modality(dataset)]["full"]
    want = points_of(dataset) if dataset in POINTS else valid.get(dataset)  # None for a translator's task
    if is_translation(dataset):
        data = datasets.load(dataset, data_dir, direction)
        n = min(drawn, len(data.test_a)) if data.paired else translation.unpaired_count(drawn, data)
        if module:
            read = sample_translators.read_translator_module(input, data, n)
        else:
            read = sample_translators.read_translator(input, data, n, device)
    elif dataset in POINTS and not generator:
        read = sample_inputs.first(sample_points.read_points(input, dataset), samples, where_of(input))
    elif module:
        read = sample_generators.read_module(input, want, drawn, z_dim, z_dist or "normal", conditional)
    elif in_memory:
        read = sample_inputs.first(sample_files.read_memory(input, want), samples, "the array")
    else:
        read = sample_inputs.read(input, want, drawn if generator else samples, z_dim, z_dist, device, conditional)
    images = read.images
    if not is_translation(dataset) and len(images) < fidelity.MIN_SAMPLES:  # a task's test split is all there is
        raise DataError(f"{where_of(input)}: {len(images)} samples; the metrics need at least {fidelity.MIN_SAMPLES}")
    opts = {"backbone": backbone, "inception_weights": inception_weights}
    if is_translation(dataset):
        metrics, cover, reference = _translation_measured(read.images, data, device)
        reference = {**reference, **translation.counted(drawn, len(images))}
    else:
        metrics, cover, reference = _measured(read, dataset, data_dir, opts, device)
    if dataset in POINTS:
        extent = {"value_range": [images.min().item(), images.max().item()]}
    elif is_translation(dataset):
        extent = {}  # floats in [0, 1]; read.info records the translator's own output range
    else:
        extent = {"dtype": "uint8", "value_range": [int(images.min()), int(images.max())]}
    described = {
        **({} if in_memory else {"path": str(input.resolve())}),
        **read.info,
        "shape": list(images.shape),
        **extent,
    }
    spec = {"kind": KIND, "recipe": {"name": name}, "dataset": dataset, "seed": 0, "profile": PROFILE}
    spec = {**spec, **({"direction": direction} if direction else {})}  # as a translation run's spec says
    spec = {**spec, "device": device.type, "input": described}
    spec["spec_hash"] = spec_hash(spec)
    verdict, reason = _verdict(cover, dataset)
    result = {
        "format": metrics_file.FORMAT,
        "spec_hash": spec["spec_hash"],
        "recipe": name,
        "dataset": dataset,
        "seed": 0,
        "profile": PROFILE,
        "input": described,
        "protocol": {
            "samples": len(images),
            **reference,
            "torch_fidelity": importlib.metadata.version("torch-fidelity"),
            "ganbench": gan_bench.__version__,
        },
        "metrics": metrics,
        "coverage": cover,
        "diagnostics": {"rules": diagnostics.RULES},
        "verdict": verdict,
        "verdict_reason": reason,
    }
    run = RunDir(out)
    with output_lock(out):  # two scorings into one folder: the first to finish writes, the other is refused
        check_out(out)
        save_picture(run.scored_samples, dataset, images, name, data if is_translation(dataset) else None)
        atomic.write_json(run.spec, spec)
        return out, metrics_file.write(run, result)
