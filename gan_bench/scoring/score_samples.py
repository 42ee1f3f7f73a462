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
from gan_bench.errors import DataError, InvalidOption, RunDirError, did_you_mean
from gan_bench.metrics import diagnostics, evaluators, fidelity
from gan_bench.rundir import atomic, metrics_file, outputs, paths
from gan_bench.rundir.identity import spec_hash
from gan_bench.rundir.layout import SAMPLES_KIND, RunDir
from gan_bench.rundir.lock import has_content, output_lock
from gan_bench.scoring import (
    sample_files,
    sample_generators,
    sample_inputs,
    sample_points,
    sample_translators,
    translation,
    translator_tasks,
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

KIND = SAMPLES_KIND
PROFILE = "full"  # by default, the profile scored samples are tabled and gated with ([thresholds.full])


def scorable() -> dict[str, Expected]:
    """The image datasets samples can be scored against: the 28×28 grayscale ones with a pinned
    evaluator, and Stacked MNIST (each channel read by the MNIST evaluator)."""
    return {
        **{name: Expected(name, 1, 28) for name in catalogue.DATASETS},
        "stacked-mnist": Expected("stacked-mnist", 3, 28),
    }


POINTS = mixtures.MIXTURES  # 2D points, scored against the mixture's true means
TRANSLATION = translator_tasks.TRANSLATION
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
    input_ba=None,
    profile: str | None = None,
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
    elif module and not datasets.is_translation(dataset) and (z_dim is None or isinstance(z_dim, bool) or z_dim < 1):
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
            + datasets.folder_hint(dataset, "score")
        )
    dataset = folders.spelled(dataset)
    profile = profile or PROFILE
    if profile not in defaults.PROFILES:
        raise InvalidOption(f"--profile: {profile!r}; valid: {', '.join(defaults.PROFILES)}")
    translating = datasets.is_translation(dataset)
    translator_tasks.check_direction(dataset, direction)
    direction = (direction or defaults.DIRECTION) if translating else None
    if dataset not in CLASSIFIED and conditional:
        raise InvalidOption(f"--conditional: {dataset} has no classes to ask for; valid with {', '.join(CLASSIFIED)}")
    if dataset not in CLASSIFIED and (backbone != defaults.BACKBONE or inception_weights is not None):
        how = {
            "stacked-mnist": "by the MNIST evaluator, channel by channel",
            **dict.fromkeys(TRANSLATION, "against its true B images and by its task's evaluator"),
        }.get(
            dataset,
            "against its true B images" if translating else "against its true means",
        )
        raise InvalidOption(f"--backbone: {dataset} samples are scored {how}; no backbone applies")
    generator = module or (not in_memory and sample_inputs.kind_of(input) == "generator")
    if dataset in POINTS and not generator and (z_dim is not None or z_dist is not None):
        raise InvalidOption(f"--z-dim and --z-dist apply to a generator ({', '.join(GENERATOR_SUFFIXES)}) only")
    input_ba = translator_tasks.checked(dataset, generator, input_ba, z_dim, z_dist)
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
    out = (
        Path(out)
        if out is not None
        else defaults.SCORED_ROOT / f"{name}-{translator_tasks.dataset_label(dataset, direction)}"
    )
    check_out(out)
    drawn = samples if samples is not None else defaults.SAMPLES[datasets.modality(dataset)][profile]
    want = points_of(dataset) if dataset in POINTS else valid.get(dataset)  # None for a translator's task
    if translating:
        data = datasets.load(dataset, data_dir, direction)
        n = min(drawn, len(data.test_a)) if data.paired else translation.unpaired_count(drawn, data)
        read = sample_translators.read_translators(input, input_ba, data, n, device)
    elif dataset in POINTS and not generator:
        read = sample_inputs.first(sample_points.read_points(input, dataset), samples, where_of(input))
    elif module:
        read = sample_generators.read_module(input, want, drawn, z_dim, z_dist or "normal", conditional)
    elif in_memory:
        read = sample_inputs.first(sample_files.read_memory(input, want), samples, "the array")
    else:
        read = sample_inputs.read(input, want, drawn if generator else samples, z_dim, z_dist, device, conditional)
    images = read.images
    if not translating and len(images) < fidelity.MIN_SAMPLES:  # a task's test split is all there is
        raise DataError(f"{where_of(input)}: {len(images)} samples; the metrics need at least {fidelity.MIN_SAMPLES}")
    opts = {"backbone": backbone, "inception_weights": inception_weights}
    if translating:
        metrics, cover, reference = translator_tasks.measured(read, data, device)
        reference = {**reference, **translation.counted(drawn, len(images))}
    else:
        metrics, cover, reference = _measured(read, dataset, data_dir, opts, device)
    if dataset in POINTS:
        extent = {"value_range": [images.min().item(), images.max().item()]}
    elif translating:
        extent = {}  # floats in [0, 1]; read.info records the translator's own output range
    else:
        extent = {"dtype": "uint8", "value_range": [int(images.min()), int(images.max())]}
    described = {
        **({} if in_memory else {"path": str(input.resolve())}),
        **read.info,
        "shape": list(images.shape),
        **extent,
    }
    spec = {"kind": KIND, "recipe": {"name": name}, "dataset": dataset, "seed": 0, "profile": profile}
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
        "profile": profile,
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
        save_picture(run.scored_samples, dataset, read, name, data if translating else None)
        atomic.write_json(run.spec, spec)
        return out, metrics_file.write(run, result)
