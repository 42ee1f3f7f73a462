"""The HTML report's figures: panels side by side never draw over one another, and a legend
sits beside the panels rather than over a curve."""

import pandas as pd

from gan_bench.reporting import plots


def history(scale: float) -> pd.DataFrame:
    # gradient norms spanning decades: log-scale tick labels such as 3×10⁻¹ are the widest
    return pd.DataFrame({"step": [5, 10, 15, 20, 25, 30], "g": [0.3, 0.3, 0.4, 0.5, 0.6, 0.7], "d": [1.2 * scale] * 6})


def test_panels_and_their_legend_do_not_overlap():
    hist = {name: history(scale) for name, scale in [("keras-mlp", 1), ("slides-mlp", 2), ("tf-mlp", 0.01), ("x", 3)]}
    fig = plots.panel_figure(hist, [("g", "G", "-"), ("d", "D", "-")], log=True)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [ax.get_tightbbox(renderer) for ax in fig.axes] + [fig.legends[0].get_window_extent(renderer)]
    assert len(fig.legends) == 1 and all(ax.get_legend() is None for ax in fig.axes)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b), (a, b)
    plots.plt.close(fig)


def test_the_html_report_of_unscored_runs_draws_without_a_warning(tmp_path):
    import warnings

    import gan_bench as gb

    gb.train("tf-mlp", seed=0, profile="smoke", steps=2, out=tmp_path / "run")  # trained, not scored
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib's "No artists with labels" reached the terminal
        html = gb.render_report([tmp_path / "run"], "html")
    assert "Quality over time" in html and "unscored" in html
