"""Report figures (matplotlib, Agg), returned as PNG bytes: curves per recipe averaged over seeds."""

from __future__ import annotations

import io
import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from gan_bench.metrics.diagnostics import read_history  # noqa: E402
from gan_bench.rundir.layout import RunDir  # noqa: E402


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def _histories(df: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per recipe: history rows averaged over its seeds, by step. Samples scored with --input
    have no training history and no curve."""
    out = {}
    trained = df[df["spec.kind"] != "samples"] if "spec.kind" in df else df
    for recipe, part in trained.groupby("recipe"):
        frames = [read_history(RunDir(run).history) for run in part["run"]]
        out[recipe] = pd.concat(frames).groupby("step").mean(numeric_only=True).reset_index()
    return out


def panel_figure(
    hist: dict[str, pd.DataFrame],
    series: list[tuple[str, str, str]],
    hline: float | None = None,
    log: bool = False,
    ylim: tuple | None = None,
):
    """One panel per recipe (its own step axis), each with the given (column, label, style) series;
    one legend for all, beside the panels, so it covers no curve."""
    fig, axes = plt.subplots(1, len(hist), figsize=(3.2 * len(hist), 2.8), squeeze=False, layout="constrained")
    for ax, (recipe, h) in zip(axes[0], hist.items()):
        for column, label, style in series:
            ax.plot(h["step"], h[column], style, label=label, linewidth=1)
        if hline is not None:
            ax.axhline(hline, color="black", linewidth=0.8, label="equilibrium ½")
        if log:
            ax.set_yscale("log")
        if ylim:
            ax.set_ylim(*ylim)
        ax.set_title(recipe, fontsize=9)
        ax.set_xlabel("step", fontsize=8)
        ax.tick_params(which="both", labelsize=7)
    fig.legend(*axes[0][0].get_legend_handles_labels(), loc="outside right upper", fontsize=7)
    return fig


def curves(df: pd.DataFrame) -> dict[str, bytes]:
    hist = _histories(df)
    if not hist:  # only scored samples
        return {}
    return {
        "Loss curves": _png(panel_figure(hist, [("d_loss", "D loss", "-"), ("g_loss", "G loss", "-")])),
        "D(x) and D(G(z))": _png(
            panel_figure(hist, [("d_real", "D(x)", "-"), ("d_fake", "D(G(z))", "--")], hline=0.5, ylim=(0, 1))
        ),
        "Gradient norms": _png(panel_figure(hist, [("g_grad_norm", "G", "-"), ("d_grad_norm", "D", "-")], log=True)),
    }


def _metrics(run: str) -> dict | None:
    path = RunDir(run).metrics
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


HISTOGRAMS = {
    "class_histogram": "Class histograms (evaluator's predicted class of generated samples)",
    "mode_histogram": "Mode histograms (share of generated points nearest each true mean)",
}


def _histograms(df: pd.DataFrame, key: str) -> bytes | None:
    """Per recipe, the mean over seeds of a coverage histogram, as shares; None when no run has it."""
    recipes = sorted(set(df["recipe"]))
    means = {}
    for recipe in recipes:
        hists = [
            m["coverage"][key]
            for run in df[df["recipe"] == recipe]["run"]
            if (m := _metrics(run)) and key in m["coverage"]
        ]
        if hists:
            means[recipe] = pd.DataFrame(hists).mean()
    if not means:
        return None
    fig, axes = plt.subplots(1, len(recipes), figsize=(3 * len(recipes), 2.8), squeeze=False, layout="constrained")
    for ax, recipe in zip(axes[0], recipes):
        if recipe in means:
            mean = means[recipe]
            ax.bar(range(len(mean)), mean / mean.sum())
            ax.set_xticks(range(0, len(mean), 1 if len(mean) <= 10 else 5))
        ax.set_title(recipe, fontsize=9)
    return _png(fig)


def quality_and_coverage(df: pd.DataFrame) -> dict[str, bytes]:
    figures = {}
    fig, ax = plt.subplots(figsize=(11, 3.5))
    name = None
    for recipe, part in df.groupby("recipe"):
        points = []
        for run in part["run"]:
            m = _metrics(run)
            if m:
                points += m["diagnostics"].get("quality_over_time", [])
        if points:
            q = pd.DataFrame(points).groupby("step").mean(numeric_only=True)
            name = q.columns[0]
            ax.plot(q.index, q[name], marker="o", label=recipe)
    ax.set_title(f"Quality over time ({name or 'no snapshots'})")
    ax.set_xlabel("step")
    if name and name.startswith("fid_"):  # FID falls by decades; counts and L1 read better on a linear axis
        ax.set_yscale("log")
    if name:  # a legend of no lines makes matplotlib warn on stderr
        ax.legend(fontsize=7)
    figures["Quality over time"] = _png(fig)

    for key, title in HISTOGRAMS.items():
        histogram = _histograms(df, key)
        if histogram:
            figures[title] = histogram

    counts = df.groupby(["recipe", "verdict"]).size().unstack(fill_value=0)
    fig, ax = plt.subplots(figsize=(7, 3))
    counts.plot.bar(stacked=True, ax=ax, rot=0)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # runs are counted whole
    ax.legend(title="verdict", fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))  # beside the bars
    ax.set_ylabel("runs")
    ax.set_title("Verdicts")
    figures["Verdicts"] = _png(fig)
    return figures


def sample_grids(df: pd.DataFrame) -> dict[str, bytes]:
    """The last sample grid of each recipe's first seed; for 2D mixtures, the scatter of the scored
    points, whose count is metrics.json's."""
    grids = {}
    for recipe, part in df.sort_values("seed").groupby("recipe"):
        run = RunDir(part["run"].iloc[0])
        pngs = run.sample_grids()
        if run.scored_samples.is_file():
            grids[f"{recipe} (seed {part['seed'].iloc[0]}, scored samples)"] = run.scored_samples.read_bytes()
        elif pngs:
            grids[f"{recipe} (seed {part['seed'].iloc[0]}, {pngs[-1][1].stem})"] = pngs[-1][1].read_bytes()
    return grids
