"""torch-fidelity glue: the metric protocol, and the calls that compute IS, FID, KID and precision/recall.

Metric names carry the protocol: ``<metric>_<backbone>_<samples>[_<reference split>]``, e.g.
``fid_lenet_10k_test``, ``is_lenet_10k``. Each value in metrics.json sits next to its sample count,
reference split, backbone and the backbone's weights sha256.

torch-fidelity is imported inside the functions that call it: importing it loads torchvision.models
and torch._dynamo (about 2 s), which commands that score nothing (help, report, check) should not pay.
"""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path

import torch
from torch.utils.data import Dataset

from gan_bench.data.catalogue import cache_dir, cache_problem
from gan_bench.errors import CacheWarning, InvalidOption
from gan_bench.metrics import evaluators, names
from gan_bench.rundir.repro import bit_environment_digest
from gan_bench.training.signals import stop_scoring_if_requested

BACKBONE = "lenet"  # the LeNet-style evaluator CNN of gan_bench/nets/evaluator.py
# Layer names the evaluator extractor provides: logits feed IS; penultimate features feed the rest.
LOGITS, FEATURES = "logits", "features"
KID_SUBSET_SIZE = 1000
KID_SUBSETS = 100
PRC_NEIGHBORHOOD = 3
ISC_SPLITS = 10
# The fewest samples every metric can be computed on: IS's splits, precision/recall's k + 1 neighbours
# (KID's subsets shrink to the sample count).
MIN_SAMPLES = max(ISC_SPLITS, PRC_NEIGHBORHOOD + 1)
# The most: scoring holds every sample (and its features) in memory at once; 100k is twice the
# largest published protocol (FID on 50k samples), and a million 28×28 floats would need ~3 GB more.
MAX_SAMPLES = 100_000
RNG_SEED = 2020  # torch-fidelity's own default, fixed so a second scoring gives the same numbers


def check_sample_count(samples: int | None) -> None:
    """Refuse a ``--samples`` the metrics cannot use (None: the protocol's default count)."""
    if samples is not None and not MIN_SAMPLES <= samples <= MAX_SAMPLES:
        raise InvalidOption(
            f"--samples: {samples:,} is too {'few' if samples < MIN_SAMPLES else 'many'}; "
            f"valid: {MIN_SAMPLES} to {MAX_SAMPLES:,} (all samples are held in memory while scoring)"
        )


def metric_name(metric: str, backbone: str, samples: int, split: str | None) -> str:
    """The protocol name of torch-fidelity metric ``metric`` (is, fid, kid, precision, recall)."""
    return names.name(metric, samples, backbone=backbone, split=split)


class ImageTensors(Dataset):
    """In-memory uint8 images [N, C, H, W] as the Dataset torch-fidelity reads."""

    def __init__(self, images: torch.Tensor):
        assert images.dtype == torch.uint8 and images.dim() == 4
        self.images = images

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i: int) -> torch.Tensor:
        stop_scoring_if_requested()  # torch-fidelity reads its batches here, in this process (save_cpu_ram)
        return self.images[i]


def reference_cache(dataset: str, split: str, reference: torch.Tensor, cuda: bool) -> dict:
    """torch-fidelity's own feature cache for a reference split, named by evaluator, content and
    the environment that computes the features: they differ in the last bits with the CPU thread
    count and between CPU and GPU, and scores must not depend on which process filled the cache."""
    digest = hashlib.sha256(reference.numpy().tobytes()).hexdigest()[:16]
    name = (
        f"ganbench-{dataset}-{split}-{len(reference)}-{digest}-{evaluators.get_pin(dataset).sha256[:16]}"
        f"-{bit_environment_digest(cuda)}"
    )
    root = cache_dir() / "fidelity"
    problem = cache_problem(root)
    if problem:  # the features are computed all the same, each time: slower, never wrong
        warnings.warn(f"reference features are not cached: {problem}", CacheWarning, stacklevel=2)
        return {"cache": False, "input2_cache_name": name}
    drop_unreadable_entries(root, name)
    return {"cache": True, "cache_root": str(root), "input2_cache_name": name}


_CHECKED_ENTRIES: set[str] = set()


def drop_unreadable_entries(root: Path, name: str) -> None:
    """Delete the cache entries of reference ``name`` that do not load here, once per process:
    torch-fidelity would stop in a traceback on them, and without them it computes them again.
    A file damaged on disk is one; one pickled by numpy 2 is another, under a numpy 1 that cannot
    read numpy 2 pickles (two environments sharing one user cache)."""
    key = str(root / name)
    if key in _CHECKED_ENTRIES:
        return
    for path in sorted(root.glob(f"{name}-*.pt")):
        try:
            torch.load(path, map_location="cpu", weights_only=False)  # as torch-fidelity loads it
        except Exception:  # whatever unpickling a damaged or foreign file raises: the entry goes
            path.unlink(missing_ok=True)
    _CHECKED_ENTRIES.add(key)


def kept_radii(options: dict, features: torch.Tensor) -> Path | None:
    """The cache file for the precision/recall radii of the reference's ``features``, beside them
    (their name: evaluator, content and the environment that computed them), and named for the
    environment that measures the radii (on CUDA the features' is the GPU's, the radii's the CPU's);
    None where the cache is off."""
    if not options.get("cache"):
        return None
    from gan_bench.metrics.precision_recall import radii_environment

    name = f"{options['input2_cache_name']}-ganbench-radii-k{PRC_NEIGHBORHOOD}-{radii_environment(features)}.pt"
    return Path(options["cache_root"]) / name


def reference_options(dataset: str, split: str, reference: torch.Tensor, cuda: bool) -> dict:
    """torch-fidelity's options for a reference split, shared by the final metrics and the
    statistics over time, so both read and write the one cache entry."""
    return {
        "input2": ImageTensors(reference),
        "batch_size": 500,
        "save_cpu_ram": True,
        "verbose": False,
        **reference_cache(dataset, split, reference, cuda),
    }


def evaluator_metrics(
    generated: torch.Tensor, reference: torch.Tensor, dataset: str, split: str, cuda: bool
) -> dict[str, dict]:
    """IS, FID, KID and precision/recall of uint8 ``generated`` against ``reference``, with protocols."""
    return evaluator_scores(generated, reference, dataset, split, cuda)[0]


def evaluator_scores(
    generated: torch.Tensor, reference: torch.Tensor, dataset: str, split: str, cuda: bool, *, fid_only: bool = False
) -> tuple[dict[str, dict], torch.Tensor]:
    """(IS, FID, KID and precision/recall of uint8 ``generated`` against ``reference``, with
    protocols; the evaluator's logits on ``generated``), from one pass of the evaluator.
    ``fid_only`` leaves out the others (KID's 100 subsets alone take seconds on a CPU)."""
    from torch_fidelity.metric_fid import fid_featuresdict_to_statistics_cached, fid_statistics_to_metric
    from torch_fidelity.metric_isc import isc_featuresdict_to_metric
    from torch_fidelity.metric_kid import kid_featuresdict_to_metric
    from torch_fidelity.utils import (
        create_feature_extractor,
        extract_featuresdict_from_input_id_cached,
        get_cacheable_input_name,
    )

    from gan_bench.metrics.evaluator_extractor import extractor_name
    from gan_bench.metrics.precision_recall import precision_recall

    n = len(generated)
    subset = min(KID_SUBSET_SIZE, n, len(reference))  # KID's subsets cannot outgrow either set
    options = {
        "input1": ImageTensors(generated),
        "cuda": cuda,
        "isc_splits": ISC_SPLITS,
        "kid_subsets": KID_SUBSETS,
        "kid_subset_size": subset,
        "prc_neighborhood": PRC_NEIGHBORHOOD,
        "samples_shuffle": False,
        "rng_seed": RNG_SEED,
        **reference_options(dataset, split, reference, cuda),
    }
    # The steps of torch_fidelity.calculate_metrics for one extractor, which keeps the features to
    # itself: coverage needs these logits, and a second evaluator pass cost ~4 s a run on 2 cores.
    extractor = create_feature_extractor(extractor_name(dataset), [LOGITS, FEATURES], **options)
    ours, theirs = (extract_featuresdict_from_input_id_cached(i, extractor, **options) for i in (1, 2))
    fid_stats = [
        fid_featuresdict_to_statistics_cached(f, get_cacheable_input_name(i, **options), extractor, FEATURES, **options)
        for i, f in ((1, ours), (2, theirs))
    ]
    raw = fid_statistics_to_metric(*fid_stats, False)
    if not fid_only:
        raw |= {
            **isc_featuresdict_to_metric(ours, LOGITS, **options),
            **kid_featuresdict_to_metric(ours, theirs, FEATURES, **options),
            **precision_recall(
                ours[FEATURES], theirs[FEATURES], PRC_NEIGHBORHOOD, kept=kept_radii(options, theirs[FEATURES])
            ),
        }
    sha = evaluators.get_pin(dataset).sha256
    protocol = {
        "samples": n,
        "reference_split": split,
        "reference_samples": len(reference),
        "backbone": BACKBONE,
        "backbone_sha256": sha,
    }

    def entry(value, std=None, with_reference=True, **extra):
        p = dict(protocol) if with_reference else {k: v for k, v in protocol.items() if "reference" not in k}
        return {"value": float(value), **({"std": float(std)} if std is not None else {}), **p, **extra}

    fid = {metric_name("fid", BACKBONE, n, split): entry(raw["frechet_inception_distance"])}
    if fid_only:
        return fid, ours[LOGITS]
    metrics = {
        metric_name("is", BACKBONE, n, None): entry(
            raw["inception_score_mean"], raw["inception_score_std"], with_reference=False, splits=ISC_SPLITS
        ),
        **fid,
        metric_name("kid", BACKBONE, n, split): entry(
            raw["kernel_inception_distance_mean"],
            raw["kernel_inception_distance_std"],
            subsets=KID_SUBSETS,
            subset_size=subset,
        ),
        metric_name("precision", BACKBONE, n, split): entry(raw["precision"], neighborhood=PRC_NEIGHBORHOOD),
        metric_name("recall", BACKBONE, n, split): entry(raw["recall"], neighborhood=PRC_NEIGHBORHOOD),
    }
    return metrics, ours[LOGITS]


@torch.no_grad()
def evaluator_outputs(
    images: torch.Tensor, dataset: str, device: torch.device, batch: int = 1000
) -> tuple[torch.Tensor, torch.Tensor]:
    """(logits, features) of the pinned evaluator on uint8 images, batch by batch."""
    model, _ = evaluators.load(dataset, device)
    outs = []
    for i in range(0, len(images), batch):
        stop_scoring_if_requested()
        outs.append(model(images[i : i + batch, :1].to(device)))
    return torch.cat([o[0] for o in outs]).cpu(), torch.cat([o[1] for o in outs]).cpu()


_REFERENCE_STATS: dict[str, dict] = {}


def reference_statistics(reference: torch.Tensor, dataset: str, split: str, device: torch.device) -> dict:
    """FID statistics of the evaluator's features on a reference split: the very statistics FID is
    computed against, from torch-fidelity's cache on disk (computed and cached on a miss), kept
    for the rest of the process. A new process (a --jobs worker, a Ray task) reads them, not
    10,000 images through the evaluator."""
    from torch_fidelity.metric_fid import fid_input_id_to_statistics_cached
    from torch_fidelity.utils import create_feature_extractor

    from gan_bench.metrics.evaluator_extractor import extractor_name

    cuda = device.type == "cuda"
    options = reference_options(dataset, split, reference, cuda)
    key = options["input2_cache_name"]
    if key not in _REFERENCE_STATS:
        extractor = create_feature_extractor(extractor_name(dataset), [FEATURES], cuda=cuda, **options)
        _REFERENCE_STATS[key] = fid_input_id_to_statistics_cached(2, extractor, FEATURES, cuda=cuda, **options)
    return _REFERENCE_STATS[key]


def fid_statistics(features: torch.Tensor) -> dict:
    """Mean and covariance as torch-fidelity takes them for FID (the mean in the features' dtype),
    so a snapshot's FID against ``reference_statistics`` is computed as the final FID is."""
    from torch_fidelity.metric_fid import fid_features_to_statistics

    return fid_features_to_statistics(features)


def fid_between(stats_a: dict, stats_b: dict) -> float:
    from torch_fidelity.metric_fid import fid_statistics_to_metric

    return float(fid_statistics_to_metric(stats_a, stats_b, verbose=False)["frechet_inception_distance"])
