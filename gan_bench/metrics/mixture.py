"""2D-mixture scores under PacGAN's protocol (Lin et al. 2018, Table 1): modes captured,
% high-quality samples and reverse KL, from generated points and the mixture's true means."""

from __future__ import annotations

import math

import torch

from gan_bench.metrics import names
from gan_bench.metrics.coverage import kl

QUALITY_STDS = 3.0


def metric_names(n: int) -> dict[str, str]:
    return {k: names.name(f"{k}_2d", n) for k in ("modes", "high_quality", "reverse_kl", "reverse_kl_hq")}


def scores(points: torch.Tensor, means: torch.Tensor, std: float) -> dict:
    """A sample is high quality within QUALITY_STDS·std (Euclidean) of its nearest mean; a mode is
    captured when at least one high-quality sample falls to it; reverse KL is KL(p_gen ‖ uniform)
    with p_gen the share of samples whose nearest mean is each mode (all finite samples); PacGAN's
    reverse KL (``reverse_kl_hq``) takes p_gen over the high-quality samples only, log K when there
    are none."""
    points, means = points.double(), means.double()
    finite = torch.isfinite(points).all(dim=1)
    dist, nearest = torch.cdist(points[finite], means).min(dim=1)
    high = dist <= QUALITY_STDS * std
    captured = torch.bincount(nearest[high], minlength=len(means)) > 0
    counts = torch.bincount(nearest, minlength=len(means)).double()
    uniform = torch.full((len(means),), 1.0 / len(means), dtype=torch.float64)
    p_gen = counts / counts.sum() if counts.sum() > 0 else None
    hq_counts = torch.bincount(nearest[high], minlength=len(means)).double()
    p_hq = hq_counts / hq_counts.sum() if hq_counts.sum() > 0 else None
    return {
        "modes": int(captured.sum()),
        "modes_total": len(means),
        "high_quality": 100.0 * float(high.sum()) / len(points),
        "reverse_kl": kl(p_gen, uniform) if p_gen is not None else math.log(len(means)),
        "reverse_kl_hq": kl(p_hq, uniform) if p_hq is not None else math.log(len(means)),
        "mode_histogram": [int(c) for c in counts.tolist()],
        "captured": captured.tolist(),
    }
