"""Metric names and their protocol grammar, defined once.

A name carries its protocol: ``fid_lenet_10k_test`` is FID on the LeNet evaluator's features, 10,000
generated samples, against the test split. Every family below says how its names are built, whether
lower or higher is better, and whether the name carries a backbone. Scoring builds names with
:func:`name`; suite thresholds are checked with :func:`is_metric`; reports and gates read
:func:`direction`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

BACKBONES = ("lenet", "inception")
SPLITS = ("test", "train")
COUNT = r"\d+k?"  # count_name's output: 10k, 2500


@dataclass(frozen=True)
class Family:
    """One kind of metric: its name template and which way is better.

    ``template`` fields: {backbone} (a feature extractor), {n} (the sample count, as count_name
    writes it), {split} (the reference split), {way} (ab or ba, a translation direction)."""

    template: str
    better: int  # -1: lower is better, +1: higher is better

    @property
    def pattern(self) -> str:
        fields = {
            "backbone": f"(?:{'|'.join(BACKBONES)})",
            "n": f"({COUNT})",  # the one group: family() checks it is written as count_name writes it
            "split": f"(?:{'|'.join(SPLITS)})",
            "way": "(?:ab|ba)",
        }
        return re.escape(self.template).replace(r"\{", "{").replace(r"\}", "}").format(**fields)


LOWER, HIGHER = -1, 1
FAMILIES: dict[str, Family] = {
    # image generation: torch-fidelity's metrics on a backbone's features; the class-based metrics
    # below name the LeNet evaluator, the only classifier they use
    "is": Family("is_{backbone}_{n}", HIGHER),
    "fid": Family("fid_{backbone}_{n}_{split}", LOWER),
    "kid": Family("kid_{backbone}_{n}_{split}", LOWER),
    "precision": Family("precision_{backbone}_{n}_{split}", HIGHER),
    "recall": Family("recall_{backbone}_{n}_{split}", HIGHER),
    "cond_accuracy": Family("cond_accuracy_lenet_{n}", HIGHER),
    # class coverage of the generated samples (no protocol in the name: same evaluator, same samples)
    "modes_covered": Family("modes_covered", HIGHER),
    "kl_generated_data": Family("kl_generated_data", LOWER),
    "mean_confidence": Family("mean_confidence", HIGHER),
    # PacGAN's 2D mixtures and Stacked MNIST
    "modes_2d": Family("modes_2d_{n}", HIGHER),
    "high_quality_2d": Family("high_quality_2d_{n}", HIGHER),
    "reverse_kl_2d": Family("reverse_kl_2d_{n}", LOWER),  # over every sample's nearest mode
    "reverse_kl_hq_2d": Family("reverse_kl_hq_2d_{n}", LOWER),  # PacGAN's: over the high-quality samples
    "modes_stacked": Family("modes_stacked_lenet_{n}", HIGHER),
    "kl_stacked": Family("kl_stacked_lenet_{n}", LOWER),
    # translation
    "l1": Family("l1_{n}_test", LOWER),
    "psnr": Family("psnr_{n}_test", HIGHER),
    "ssim": Family("ssim_{n}_test", HIGHER),
    "cycle_l1": Family("cycle_l1_{n}_test", LOWER),
    "mapping_l1_ab": Family("mapping_l1_ab_{n}_test", LOWER),
    "mapping_l1_ba": Family("mapping_l1_ba_{n}_test", LOWER),
    "fid_way": Family("fid_{way}_lenet_{n}_test", LOWER),
    "label_acc": Family("label_acc_lenet_{n}", HIGHER),
    "label_acc_way": Family("label_acc_{way}_lenet_{n}", HIGHER),
}
_MATCHERS = [(re.compile(f"^{f.pattern}$"), key) for key, f in FAMILIES.items()]
# torch-fidelity's metrics: the report names their backbone in a column of its own
WITH_BACKBONE = ("is", "fid", "kid", "precision", "recall")


def count_name(n: int) -> str:
    """A sample count as names write it: 10000 → 10k, 2500 → 2500."""
    return f"{n // 1000}k" if n % 1000 == 0 and n >= 1000 else str(n)


def name(
    family: str, n: int | None = None, backbone: str | None = None, split: str | None = None, way: str | None = None
) -> str:
    """The protocol name of a metric of ``family`` (a key of FAMILIES)."""
    values = {"n": count_name(n) if n is not None else None, "backbone": backbone, "split": split, "way": way}
    return FAMILIES[family].template.format(**{k: v for k, v in values.items() if v is not None})


def _count(written: str) -> int:
    return int(written[:-1]) * 1000 if written.endswith("k") else int(written)


def family(metric: str) -> str | None:
    """The family a metric name belongs to, or None when it is not a metric name (nor one whose
    sample count is written otherwise than count_name writes it: fid_lenet_10000_test)."""
    for pattern, key in _MATCHERS:
        match = pattern.match(metric)
        if match:
            return key if all(count_name(_count(c)) == c for c in match.groups()) else None
    return None


def is_metric(metric: str) -> bool:
    return family(metric) is not None


def closest(metric: str) -> str | None:
    """The metric name a misspelt ``metric`` most likely meant (its sample counts kept), or None."""
    metric = metric.lower()
    counts = {count_name(_count(c)) for c in re.findall(COUNT, metric) if _count(c) > 0} or {"10k"}
    names = {
        f.template.format(backbone=b, n=n, split=s, way=w)
        for f in FAMILIES.values()
        for b in BACKBONES
        for n in counts
        for s in SPLITS
        for w in ("ab", "ba")
    }
    stem = [n for n in names if n.split("_")[0] == metric.split("_")[0]]  # fid_lenet_10k: a fid, not is_lenet_10k
    match = difflib.get_close_matches(metric, sorted(stem)) or difflib.get_close_matches(
        metric, sorted(names), cutoff=0.8
    )
    return match[0] if match else None  # the closest first


def direction(metric: str) -> int:
    """-1 when lower is better, +1 when higher is better, 0 when it is not a metric name."""
    key = family(metric)
    return 0 if key is None else FAMILIES[key].better


def backbone_of(metric: str) -> str | None:
    """The feature extractor in a torch-fidelity metric's name (is, fid, kid, precision, recall)."""
    return metric.split("_")[1] if family(metric) in WITH_BACKBONE else None


EXAMPLES = (
    "fid_lenet_10k_test, is_lenet_1k, precision_lenet_10k_test, modes_covered, kl_generated_data, "
    "mean_confidence, modes_2d_2500, high_quality_2d_2500, reverse_kl_2d_2500, modes_stacked_lenet_26k, "
    "kl_stacked_lenet_26k, cond_accuracy_lenet_10k, l1_10k_test, psnr_10k_test, ssim_10k_test, "
    "label_acc_lenet_10k, fid_ab_lenet_10k_test, cycle_l1_10k_test, mapping_l1_ab_10k_test"
)
