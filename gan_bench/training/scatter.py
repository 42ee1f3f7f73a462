"""Sample plots for 2D mixtures: G's points over the true means, each mean marked captured or missed
under the scoring protocol, with the 3-std circles that count a sample as high quality."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from gan_bench.metrics import mixture
from gan_bench.rundir import atomic

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def pyplot():
    """matplotlib's pyplot on the Agg backend, imported at the first plot: a run without a 2D
    mixture never pays its import."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def draw_scatter(points: torch.Tensor, modes: dict, title: str) -> Figure:
    """Captured means as open green circles under the points; missed means as red crosses on top,
    so a mode without samples stands out even where the clusters are a pixel wide."""
    means = torch.tensor(modes["means"])
    numbers = mixture.scores(points.detach().cpu(), means, modes["std"])
    captured = torch.tensor(numbers["captured"])
    span = float(means.abs().max()) * 1.5 + 0.5
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(4, 4), dpi=100)
    xy = points.detach().float().cpu().clamp(-span, span)
    ax.scatter(
        means[captured, 0],
        means[captured, 1],
        s=60,
        facecolors="none",
        edgecolors="#2ca02c",
        lw=1,
        zorder=2,
        label="mode captured",
    )
    ax.scatter(xy[:, 0], xy[:, 1], s=3, alpha=0.5, color="#1f77b4", linewidths=0, zorder=3, label="generated")
    ax.scatter(
        means[~captured, 0], means[~captured, 1], s=40, marker="x", color="#d62728", zorder=4, label="mode missed"
    )
    for mx, my in means.tolist():
        ax.add_patch(
            plt.Circle((mx, my), mixture.QUALITY_STDS * modes["std"], fill=False, color="#7f7f7f", lw=0.5, zorder=1)
        )
    ax.set_xlim(-span, span)
    ax.set_ylim(-span, span)
    ax.set_aspect("equal")
    ax.set_title(
        f"{title}\n{numbers['modes']}/{len(means)} modes captured, {numbers['high_quality']:.1f}% "
        f"high quality ({len(points):,} points)",
        fontsize=8,
    )
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.07), ncol=3, fontsize=6, frameon=False)
    return fig


def save_scatter(path: Path, points: torch.Tensor, modes: dict, title: str) -> None:
    fig = draw_scatter(points, modes, title)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    pyplot().close(fig)
    atomic.write_bytes(path, buffer.getvalue())
