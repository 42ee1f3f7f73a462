"""Sample plots for 2D mixtures: G's points over the true means, with the 3-std circles that
count a sample as high quality."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402

from gan_bench import atomic  # noqa: E402

QUALITY_STDS = 3.0  # the high-quality radius, in standard deviations (PacGAN's protocol)


def save_scatter(path: Path, points: torch.Tensor, modes: dict, title: str) -> None:
    means = torch.tensor(modes["means"])
    span = float(means.abs().max()) * 1.5 + 0.5
    fig, ax = plt.subplots(figsize=(4, 4), dpi=100)
    xy = points.detach().float().cpu().clamp(-span, span)
    ax.scatter(xy[:, 0], xy[:, 1], s=3, alpha=0.5, color="#1f77b4", linewidths=0, label="generated")
    ax.scatter(means[:, 0], means[:, 1], s=30, marker="x", color="#d62728", label="true means")
    for mx, my in means.tolist():
        ax.add_patch(plt.Circle((mx, my), QUALITY_STDS * modes["std"], fill=False, color="#d62728", lw=0.5))
    ax.set_xlim(-span, span)
    ax.set_ylim(-span, span)
    ax.set_aspect("equal")
    ax.set_title(title, fontsize=9)
    ax.legend(loc="upper right", fontsize=6)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    atomic.write_bytes(path, buffer.getvalue())
