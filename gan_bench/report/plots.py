"""Report figures (matplotlib, Agg), returned as PNG bytes: curves per recipe averaged over seeds."""

from __future__ import annotations

import io
import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from gan_bench.rundir import RunDir  # noqa: E402


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def _histories(df: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per recipe: history rows averaged over its seeds, by step."""
    out = {}
    for recipe, part in df.groupby("recipe"):
        frames = [pd.read_csv(RunDir(run).history) for run in part["run"]]
        out[recipe] = pd.concat(frames).groupby("step").mean(numeric_only=True).reset_index()
    return out


def curves(df: pd.DataFrame) -> dict[str, bytes]:
    hist = _histories(df)
    figures = {}
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.5))
    for recipe, h in hist.items():
        axes[0].plot(h["step"], h["d_loss"], label=recipe)
        axes[1].plot(h["step"], h["g_loss"], label=recipe)
    axes[0].set_title("D loss")
    axes[1].set_title("G loss")
    for ax in axes:
        ax.set_xlabel("step")
        ax.legend(fontsize=7)
    figures["Loss curves"] = _png(fig)

    fig, ax = plt.subplots(figsize=(11, 3.5))
    for i, (recipe, h) in enumerate(hist.items()):
        line, = ax.plot(h["step"], h["d_real"], label=f"{recipe} D(x)")
        ax.plot(h["step"], h["d_fake"], "--", color=line.get_color(), label=f"{recipe} D(G(z))")
    ax.axhline(0.5, color="black", linewidth=1, label="equilibrium 1/2")
    ax.set_ylim(0, 1)
    ax.set_xlabel("step")
    ax.legend(fontsize=7, ncol=2)
    figures["D(x) and D(G(z))"] = _png(fig)

    fig, axes = plt.subplots(1, 2, figsize=(11, 3.5))
    for recipe, h in hist.items():
        axes[0].plot(h["step"], h["g_grad_norm"], label=recipe)
        axes[1].plot(h["step"], h["d_grad_norm"], label=recipe)
    for ax, title in zip(axes, ("G gradient norm", "D gradient norm")):
        ax.set_yscale("log")
        ax.set_title(title)
        ax.set_xlabel("step")
        ax.legend(fontsize=7)
    figures["Gradient norms"] = _png(fig)
    return figures


def _metrics(run: str) -> dict | None:
    path = RunDir(run).metrics
    return json.loads(path.read_text()) if path.is_file() else None


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
    ax.set_yscale("log")
    ax.legend(fontsize=7)
    figures["Quality over time"] = _png(fig)

    recipes = sorted(set(df["recipe"]))
    fig, axes = plt.subplots(1, len(recipes), figsize=(3 * len(recipes), 2.8), squeeze=False)
    for ax, recipe in zip(axes[0], recipes):
        hists = [m["coverage"]["class_histogram"] for run in df[df["recipe"] == recipe]["run"]
                 if (m := _metrics(run)) and "class_histogram" in m["coverage"]]
        if hists:
            mean = pd.DataFrame(hists).mean()
            ax.bar(range(len(mean)), mean / mean.sum())
        ax.set_title(recipe, fontsize=9)
        ax.set_xticks(range(10))
    figures["Class histograms (evaluator's predicted class of generated samples)"] = _png(fig)

    counts = df.groupby(["recipe", "verdict"]).size().unstack(fill_value=0)
    fig, ax = plt.subplots(figsize=(7, 3))
    counts.plot.bar(stacked=True, ax=ax, rot=0)
    ax.set_ylabel("runs")
    ax.set_title("Verdicts")
    figures["Verdicts"] = _png(fig)
    return figures


def sample_grids(df: pd.DataFrame) -> dict[str, bytes]:
    """The last sample grid of each recipe's first seed."""
    grids = {}
    for recipe, part in df.sort_values("seed").groupby("recipe"):
        run = RunDir(part["run"].iloc[0])
        pngs = sorted(run.samples.glob("step-*.png"))
        if pngs:
            grids[f"{recipe} (seed {part['seed'].iloc[0]}, {pngs[-1].stem})"] = pngs[-1].read_bytes()
    return grids
