"""Score a finished run: generate, measure, diagnose, and write metrics.json atomically.

Reads only the run directory (spec.json, history.csv, checkpoints/) and the dataset's test split;
writes only metrics.json. Scoring twice gives identical numbers: the samples come from a seed
derived from the run's seed, and torch-fidelity runs with a fixed rng_seed.
"""

from __future__ import annotations

import importlib.metadata
import shlex
from pathlib import Path

import torch

import gan_bench
from gan_bench import defaults
from gan_bench.data import datasets
from gan_bench.errors import InvalidOption, RunDirError, SuiteError
from gan_bench.metrics import coverage as coverage_mod
from gan_bench.metrics import diagnostics, evaluators, fidelity, inception, mixture, stacked
from gan_bench.metrics import names as metric_names
from gan_bench.nets.member_norm import BATCH_NORMS
from gan_bench.rundir import metrics_file
from gan_bench.rundir.layout import SUITE_FILE, RunDir, read_suite_info, run_suite_folder
from gan_bench.rundir.repro import derived_seeds
from gan_bench.scoring import translation as score_translation
from gan_bench.scoring.sample_format import LABELS
from gan_bench.suite.locate import suite_argument
from gan_bench.training import checkpoint
from gan_bench.training.scatter import save_scatter
from gan_bench.variants import build_system, get_recipe, plugins
from gan_bench.variants.base import to_device
from gan_bench.variants.pixels import resized, to_uint8
from gan_bench.variants.recipe import PROVENANCE

METRICS_FORMAT = metrics_file.FORMAT
DEFAULT_SAMPLES = defaults.SAMPLES
QUALITY_SAMPLES = defaults.QUALITY_SAMPLES
REFERENCE_SPLIT = "test"
BACKBONES = defaults.BACKBONES
EVALUATOR_SIZE = 28  # larger samples (dcgan's 64×64) are resized to the evaluator's input
GENERATE_BATCH = 1000


def sample_seed(seed: int) -> int:
    return derived_seeds(seed)["score"]


def _system(run: RunDir, spec: dict, device: torch.device, dataset):
    plugin = spec.get("plugin")
    ref = plugin["ref"] if plugin and "entry_point" not in plugin else spec["recipe"]["name"]
    recipe = get_recipe(ref)
    if recipe.facts() != {k: v for k, v in spec["recipe"].items() if k not in PROVENANCE}:
        raise RunDirError(
            f"{run.spec}: recipe {recipe.name} has changed since this run was trained; "
            f"score it with the ganbench version that trained it"
        )
    changed = plugins.changed_source(plugin, recipe)
    if changed:
        raise RunDirError(
            f"{run.spec}: plug-in recipe {recipe.name}'s source has changed since this run was trained "
            f"({changed}); score it with the plug-in version that trained it"
        )
    return build_system(recipe, device, dataset)


BATCH_NORM_MODES = ("running", "batch")


def _batch_norms(net: torch.nn.Module) -> list[torch.nn.Module]:
    return [m for m in net.modules() if isinstance(m, BATCH_NORMS)]


NO_BATCH_NORM, BATCH_STATISTICS, RUNNING_STATISTICS = "none in G", "batch statistics", "running statistics"


def batch_norm_protocol(system, mode: str) -> str:
    """How G's batch norm ran while drawing the scored samples, as metrics.json's protocol names it."""
    if not _batch_norms(system.G):
        return NO_BATCH_NORM
    if mode == "batch":
        return f"{BATCH_STATISTICS} (training mode), batches of {system.recipe.batch_size}"
    return f"{RUNNING_STATISTICS} (eval mode)"


def batch_norm_mode(protocol: str | None) -> str | None:
    """The --batch-norm mode a recorded ``g_batch_norm`` came from (None: G has none, so either
    mode; absent, as translation runs record it: G maps images in eval mode)."""
    if protocol == NO_BATCH_NORM:
        return None
    return "batch" if protocol is not None and protocol.startswith(BATCH_STATISTICS) else "running"


def sample_count(spec: dict, samples: int | None) -> int:
    """The samples a scoring of the run draws: ``samples``, else its modality and profile's default."""
    return samples or DEFAULT_SAMPLES[datasets.modality(spec["dataset"])][spec["profile"]]


@torch.no_grad()
def generate(
    system, n: int, seed: int, device: torch.device, batch: int = GENERATE_BATCH, batch_norm: str = "running"
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """n samples (images [n, C, H, W] in [0, 1], or points) from a fixed input stream, and the class
    labels they were asked for (conditional recipes) or None. NaN stays visible as NaN floats.

    G runs in eval mode; with ``batch_norm="batch"`` its batch norm layers normalise by each batch's
    own statistics instead (batches of the recipe's training batch size), as a tutorial that never
    switches G to inference draws its samples. Their running statistics stay as they are."""
    g = torch.Generator().manual_seed(seed)
    system.G.eval()
    if batch_norm == "batch":
        batch = system.recipe.batch_size
        for bn in _batch_norms(system.G):
            bn.train()
            bn.momentum = 0.0  # running ← running: drawing leaves the checkpoint's statistics alone
    outputs, labels = [], []
    for i in range(0, n, batch):
        inputs = system.inputs(min(batch, n - i), g)
        if isinstance(inputs, tuple):
            labels.append(inputs[1])
        outputs.append(system.generate(to_device(inputs, device)).cpu())
    return torch.cat(outputs), (torch.cat(labels) if labels else None)


def _snapshots(run: RunDir, system):
    return checkpoint.g_snapshots(run, system.G)


def draws_batch(system, batch_norm: str) -> int:
    """The batch ``generate`` draws in (its default, or the recipe's with batch statistics)."""
    return system.recipe.batch_size if batch_norm == "batch" else GENERATE_BATCH


def same_draw(system, final_g: dict, count: int, n: int, batch_norm: str) -> bool:
    """Whether ``generate(count)`` with G as it is now gives the first ``count`` of the n samples
    the final G drew: G holds the final weights, and the draws split into the same batches."""
    state = system.G.state_dict()
    same_g = state.keys() == final_g.keys() and all(torch.equal(state[k], final_g[k]) for k in state)
    return same_g and (count == n or count % draws_batch(system, batch_norm) == 0)


def quality_samples(n: int) -> int:
    """Samples per G snapshot for quality over time: QUALITY_SAMPLES, never more than the run's own
    scoring draws, so a curve is never dearer than the score and its last point matches it."""
    return min(QUALITY_SAMPLES, n)


def _entry(value: float, protocol: dict) -> dict:
    return {"value": float(value), **protocol}


def cond_accuracy(
    logits: torch.Tensor, labels: torch.Tensor, evaluator_sha: str, labels_protocol: str = LABELS
) -> dict[str, dict]:
    """A conditional generator's samples: the share the evaluator puts in the class each was asked
    for (by default labels balanced, sample i asking for class i mod 10)."""
    n = len(labels)
    protocol = {
        "samples": n,
        "labels": labels_protocol,
        "backbone": fidelity.BACKBONE,
        "backbone_sha256": evaluator_sha,
    }
    return {
        metric_names.name("cond_accuracy", n): _entry((logits.argmax(dim=1) == labels.cpu()).double().mean(), protocol)
    }


def measure_images(generated: torch.Tensor, name: str, dataset, opts: dict, device: torch.device):
    """(metrics, coverage, evaluator logits) of uint8 images [N, 1, 28, 28] against ``dataset``'s
    test split: FID, IS, KID, precision/recall on the pinned evaluator (and Inception when asked)."""
    reference = dataset.test_images[:, None]
    cuda = device.type == "cuda"
    metrics, logits = fidelity.evaluator_scores(generated, reference, name, REFERENCE_SPLIT, cuda)
    if opts["backbone"] == "inception":
        metrics.update(
            inception.inception_metrics(generated, reference, REFERENCE_SPLIT, cuda, opts["inception_weights"])
        )
    cover = {
        **coverage_mod.coverage(logits, dataset.test_labels),
        "nonfinite_samples": False,
        "evaluator_sha256": evaluators.load(name)[1],
    }
    return metrics, cover, logits


# -- per modality: (metrics, coverage, quality over time, protocol) -----------------------------
def image_scores(run: RunDir, system, spec: dict, dataset, n: int, opts: dict, device: torch.device):
    """FID, IS, KID, precision/recall (evaluator, optionally Inception), class coverage, and for
    conditional recipes the evaluator's accuracy on the class each sample was asked for."""
    final_g = {k: v.clone() for k, v in system.G.state_dict().items()}  # before drawing moves a BN counter
    images, labels = generate(system, n, sample_seed(spec["seed"]), device, batch_norm=opts["batch_norm"])
    images = resized(images, EVALUATOR_SIZE)
    reference = dataset.test_images[:, None]
    evaluator_sha = evaluators.load(spec["dataset"])[1]
    metrics, cover, points = {}, {"nonfinite_samples": not bool(torch.isfinite(images).all())}, []
    if not cover["nonfinite_samples"]:
        generated = to_uint8(images)
        metrics, cover, logits = measure_images(generated, spec["dataset"], dataset, opts, device)
        if labels is not None:
            metrics.update(cond_accuracy(logits, labels, evaluator_sha))
    if opts["over_time"]:
        ref_stats = fidelity.reference_statistics(reference, spec["dataset"], REFERENCE_SPLIT, device)
        q = quality_samples(n)
        name = fidelity.metric_name("fid", fidelity.BACKBONE, q, REFERENCE_SPLIT)
        for step in _snapshots(run, system):
            if same_draw(system, final_g, q, n, opts["batch_norm"]):
                snap = images[:q]  # the final G's snapshot: its samples are drawn already
            else:
                snap = generate(system, q, sample_seed(spec["seed"]), device, batch_norm=opts["batch_norm"])[0]
                snap = resized(snap, EVALUATOR_SIZE)
            value, covered = None, None
            if torch.isfinite(snap).all():
                logits, features = fidelity.evaluator_outputs(to_uint8(snap), spec["dataset"], device)
                value = fidelity.fid_between(fidelity.fid_statistics(features), ref_stats)
                covered = coverage_mod.coverage(logits, dataset.test_labels)["modes_covered"]
            points.append({"step": step, name: value, "modes_covered": covered})
    protocol = {
        "reference_split": REFERENCE_SPLIT,
        "reference_samples": len(reference),
        "evaluator_sha256": evaluator_sha,
    }
    return metrics, cover, points, protocol


def stacked_scores(run: RunDir, system, spec: dict, dataset, n: int, opts: dict, device: torch.device):
    """Modes captured of 1000 and KL(p_gen ‖ uniform), each channel classified by the MNIST evaluator."""
    evaluator_sha = evaluators.load(stacked.EVALUATOR)[1]
    protocol = {
        "samples": n,
        "modes_total": stacked.MODES,
        "protocol": "VEEGAN/PacGAN Table 2: each channel "
        "classified by the MNIST evaluator, mode = digit triple, captured with >= 1 sample",
        "backbone": fidelity.BACKBONE,
        "backbone_sha256": evaluator_sha,
    }

    def measure(count: int) -> tuple[dict, dict] | None:
        images, _ = generate(system, count, sample_seed(spec["seed"]), device, batch_norm=opts["batch_norm"])
        if not torch.isfinite(images).all():
            return None
        numbers = stacked.scores(to_uint8(images), device)
        return {stacked.metric_names(count)[k]: numbers[k] for k in ("modes", "kl")}, numbers

    measured = measure(n)
    metrics, cover = {}, {"nonfinite_samples": measured is None}
    if measured is not None:
        metrics = {k: _entry(v, protocol) for k, v in measured[0].items()}
        cover = {
            "modes_covered": measured[1]["modes"],
            "modes_total": stacked.MODES,
            "nonfinite_samples": False,
            "evaluator_sha256": evaluator_sha,
        }
    points = []
    if opts["over_time"]:
        for step in _snapshots(run, system):
            snap = measure(quality_samples(n))
            name = stacked.metric_names(quality_samples(n))["modes"]
            points.append({"step": step, name: snap[0][name] if snap else None})
    return metrics, cover, points, {"evaluator_sha256": evaluator_sha}


def mixture_scores(run: RunDir, system, spec: dict, dataset, n: int, opts: dict, device: torch.device):
    """Modes captured, % high quality and reverse KL against the mixture's true means (PacGAN Table 1)."""
    means, std = torch.tensor(dataset.modes["means"]), dataset.modes["std"]
    protocol = {
        "samples": n,
        "modes_total": len(means),
        "high_quality_radius_std": mixture.QUALITY_STDS,
        "protocol": "PacGAN Table 1: high quality within 3 std of the nearest mean; a mode is captured "
        "by >= 1 high-quality sample; reverse_kl: nearest-mode shares of all samples against uniform; "
        "reverse_kl_hq (PacGAN's): nearest-mode shares of the high-quality samples against uniform",
    }

    def measure(count: int) -> tuple[dict, torch.Tensor]:
        points, _ = generate(system, count, sample_seed(spec["seed"]), device, batch_norm=opts["batch_norm"])
        return {**mixture.scores(points, means, std), "nonfinite": not bool(torch.isfinite(points).all())}, points

    numbers, scored = measure(n)
    save_scatter(
        run.scored_scatter, scored, dataset.modes, f"{spec['recipe']['name']}, seed {spec['seed']}: the scored points"
    )  # counted as metrics.json counts them, unlike the training z's grids
    names = mixture.metric_names(n)
    metrics = {names[k]: _entry(numbers[k], protocol) for k in ("modes", "high_quality", "reverse_kl", "reverse_kl_hq")}
    cover = {
        "modes_covered": numbers["modes"],
        "modes_total": numbers["modes_total"],
        "mode_histogram": numbers["mode_histogram"],
        "nonfinite_samples": numbers["nonfinite"],
    }
    points = (
        [{"step": step, names["modes"]: measure(n)[0]["modes"]} for step in _snapshots(run, system)]
        if opts["over_time"]
        else []
    )
    return metrics, cover, points, {}


SCORERS = {
    "gray28": image_scores,
    "rgb28": stacked_scores,
    "points": mixture_scores,
    "paired": score_translation.paired_scores,
    "unpaired": score_translation.unpaired_scores,
}


def check_backbone(backbone: str, inception_weights: Path | None = None) -> None:
    """A known backbone; Inception weights only where the Inception backbone would read them."""
    if backbone not in BACKBONES:
        raise InvalidOption(f"--backbone: unknown backbone {backbone!r}; valid: {', '.join(BACKBONES)}")
    if inception_weights is not None and backbone != "inception":
        raise InvalidOption(
            f"--inception-weights: {inception_weights} is read only with --backbone inception, and this "
            f"scores with {backbone}; add --backbone inception or leave the weights out"
        )


def check_batch_norm(mode: str) -> None:
    if mode not in BATCH_NORM_MODES:
        raise InvalidOption(f"--batch-norm: unknown mode {mode!r}; valid: {', '.join(BATCH_NORM_MODES)}")


def how_to_finish(run: RunDir, spec: dict) -> str:
    """The command that finishes an interrupted run: its suite run resumed for this recipe and seed,
    when it lies in one."""
    folder = run_suite_folder(run)
    info = read_suite_info(folder) if folder is not None else None
    if info:
        try:
            suite = suite_argument(info, folder / SUITE_FILE)
        except SuiteError:  # the suite file is gone: the command is still the right one, given it
            suite = "<its suite file>"
        only = f"--recipes {shlex.quote(spec['recipe']['name'])} --seeds {spec['seed']}"
        return f"`ganbench run --suite {shlex.quote(suite)} --resume {shlex.quote(str(folder))} {only}`"
    return f"the `ganbench train` command that started it, adding `--resume --out {shlex.quote(str(run.root))}`"


def check_scorable(run: RunDir, backbone: str = "lenet", batch_norm: str = "running") -> dict:
    """The run's spec, once nothing keeps ``score_run`` from scoring it with these options: a
    finished training run with a readable history, whose modality the backbone and batch-norm mode
    apply to."""
    check_backbone(backbone)
    check_batch_norm(batch_norm)
    spec = run.read_spec()
    if spec.get("kind") == "samples":
        raise RunDirError(
            f"{run.root}: holds samples scored with --input, not a training run; "
            f"score the input again with `ganbench score --input {spec['input']['path']} --dataset {spec['dataset']}`"
        )
    if not run.complete:
        raise RunDirError(
            f"{run.root}: the run is not complete (no {run.final_checkpoint.name}); finish it before scoring "
            f"with {how_to_finish(run, spec)}"
        )
    diagnostics.read_history(run.history)  # a damaged history is named before any scoring, not after
    modality = datasets.modality(spec["dataset"])
    if batch_norm != "running" and modality in ("paired", "unpaired"):
        raise InvalidOption(f"--batch-norm {batch_norm}: for image and point recipes; {spec['dataset']} is {modality}")
    if backbone == "inception" and modality != "gray28":
        raise InvalidOption(f"--backbone inception: only for MNIST-like images, and {spec['dataset']} is {modality}")
    return spec


def score_run(
    run: RunDir,
    samples: int | None = None,
    backbone: str = "lenet",
    inception_weights: Path | None = None,
    device: torch.device = torch.device("cpu"),
    over_time: bool = True,
    data_dir: Path | None = None,
    batch_norm: str = "running",
) -> dict:
    spec = check_scorable(run, backbone, batch_norm)
    modality = datasets.modality(spec["dataset"])
    draws = modality not in ("paired", "unpaired")  # G draws from noise (translation maps test images)
    n = sample_count(spec, samples)
    dataset = datasets.load(spec["dataset"], data_dir, spec.get("direction", "AtoB"))
    system = _system(run, spec, device, dataset)
    system.G.load_state_dict(checkpoint.load(run.final_checkpoint)["system"]["G"])
    opts = {
        "backbone": backbone,
        "inception_weights": inception_weights,
        "over_time": over_time,
        "batch_norm": batch_norm,
    }
    metrics, cover, points, protocol = SCORERS[modality](run, system, spec, dataset, n, opts, device)
    numbers = diagnostics.history_numbers(diagnostics.read_history(run.history))
    if over_time:
        numbers["quality_over_time"] = points
    verdict, reason = diagnostics.verdict(numbers, cover, diagnostics.targets(spec["recipe"]))
    result = {
        "format": METRICS_FORMAT,
        "spec_hash": spec["spec_hash"],
        "recipe": spec["recipe"]["name"],
        "dataset": spec["dataset"],
        "seed": spec["seed"],
        "profile": spec["profile"],
        "protocol": {
            "samples": n,
            "sample_seed": sample_seed(spec["seed"]),
            **({"g_batch_norm": batch_norm_protocol(system, batch_norm)} if draws else {}),
            **protocol,
            "torch_fidelity": importlib.metadata.version("torch-fidelity"),
            "ganbench": gan_bench.__version__,
        },
        "metrics": metrics,
        "coverage": cover,
        "diagnostics": {**numbers, "rules": diagnostics.RULES},
        "verdict": verdict,
        "verdict_reason": reason,
    }
    return metrics_file.write(run, result)
