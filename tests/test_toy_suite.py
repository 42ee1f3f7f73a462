"""A toy suite end to end on the smoke profile, through the CLI: trained, scored under PacGAN's
protocol (metrics.json), plotted and reported beside the published rows."""

import base64
import json
import math

import pytest
import torch
from typer.testing import CliRunner

from gan_bench.cli import app
from gan_bench.data import mixtures
from gan_bench.metrics import mixture
from gan_bench.scoring.drawing import generate, sample_seed
from gan_bench.training import checkpoint
from gan_bench.training.scatter import save_scatter
from gan_bench.variants import build_system, get_recipe

SUITE = """name = "toy-mini"
dataset = "ring"
seeds = [0]
recipes = ["toy-gan"]
profile = "smoke"
"""


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.mark.slow
def test_toy_run_is_scored_plotted_and_reported(tmp_path):
    (tmp_path / "toy.toml").write_text(SUITE)
    assert invoke("run", "--suite", tmp_path / "toy.toml", "--out", tmp_path / "runs", "--quiet").exit_code == 0
    run = tmp_path / "runs" / "toy-gan" / "seed-0"
    result = json.loads((run / "metrics.json").read_text())

    # The protocol's three numbers, from 2,500 points of the final G drawn from the scoring seed.
    values = {name: entry["value"] for name, entry in result["metrics"].items()}
    assert set(values) == {"modes_2d_2500", "high_quality_2d_2500", "reverse_kl_2d_2500", "reverse_kl_hq_2d_2500"}
    data = mixtures.build("ring")
    system = build_system(get_recipe("toy-gan"), torch.device("cpu"), data)
    system.G.load_state_dict(checkpoint.load(run / "checkpoints" / "final.pt")["system"]["G"])
    points, _ = generate(system, 2500, sample_seed(0), torch.device("cpu"))
    expected = mixture.scores(points, torch.tensor(data.modes["means"]), data.modes["std"])
    assert values == {
        "modes_2d_2500": expected["modes"],
        "high_quality_2d_2500": expected["high_quality"],
        "reverse_kl_2d_2500": expected["reverse_kl"],
        "reverse_kl_hq_2d_2500": expected["reverse_kl_hq"],
    }
    assert 0 <= values["reverse_kl_2d_2500"] <= math.log(8) + 1e-9
    cover = result["coverage"]
    assert cover["modes_total"] == 8 and cover["modes_covered"] == values["modes_2d_2500"]
    assert len(cover["mode_histogram"]) == 8 and sum(cover["mode_histogram"]) == 2500
    entry = result["metrics"]["high_quality_2d_2500"]
    assert result["protocol"]["samples"] == entry["samples"] == 2500 and entry["high_quality_radius_std"] == 3.0
    assert [p["step"] for p in result["diagnostics"]["quality_over_time"]] == [100, 200]
    counts = [p["modes_2d_2500"] for p in result["diagnostics"]["quality_over_time"]]
    covered = f"{cover['modes_covered']} of 8 classes covered"
    if cover["modes_covered"] < 0.8 * 8 and counts[-1] > counts[-2]:  # below 80 % but still rising
        assert (result["verdict"], result["verdict_reason"]) == (
            "still-improving",
            f"{covered}, still rising ({counts[-2]} then {counts[-1]} at the last snapshots)",
        )
    elif cover["modes_covered"] < 0.8 * 8:  # the collapse rule: fewer than 80 % of the modes
        assert (result["verdict"], result["verdict_reason"]) == ("mode-collapse", covered)
    else:
        assert result["verdict"] not in ("mode-collapse", "still-improving")
    assert sorted(p.name for p in (run / "samples").iterdir()) == [
        "step-0000000.png",
        "step-0000100.png",
        "step-0000200.png",
    ]
    save_scatter(tmp_path / "expected.png", points, data.modes, "toy-gan, seed 0: the scored points")
    scored_png = (run / "scored-samples.png").read_bytes()
    assert scored_png == (tmp_path / "expected.png").read_bytes()  # the very points metrics.json counts

    md = invoke("report", tmp_path / "runs", "--format", "md").output
    lines = md.splitlines()
    header = next(line for line in lines if line.startswith("| recipe"))
    own = next(line for line in lines if line.startswith("| toy-gan "))
    cells = dict(zip([c.strip() for c in header.split("|")], [c.strip() for c in own.split("|")]))
    assert cells["modes_2d_2500"] == f"{values['modes_2d_2500']:.1f}"  # one decimal, as PacGAN's; one seed, no ±
    assert cells["samples"] == "2500" and "modes_covered" not in cells and "backbone" not in cells
    assert "| GAN [published]" in md and "6.3 ± 0.5" in md  # PacGAN Table 1, ring
    assert invoke("report", tmp_path / "runs", "--format", "html", "--out", tmp_path / "r.html").exit_code == 0
    page = (tmp_path / "r.html").read_text()
    assert "Mode histograms" in page and "Class histograms" not in page
    assert '<div class="scatters">' in page and page.count('src="data:image/png;base64,') == 7
    assert base64.b64encode(scored_png).decode() in page  # the report shows the scored scatter, not a training one


TWO_DATASETS = """name = "toy-two"
dataset = ["ring", "grid"]
seeds = [0]
recipes = ["toy-gan"]
profile = "smoke"

[thresholds.smoke."toy-gan"]
modes_2d_2500 = { baseline = true, tolerance = 0.0 }
high_quality_2d_2500 = { min = 0 }
"""


@pytest.mark.slow
def test_a_suite_of_two_datasets_is_gated_on_each_dataset_against_its_own_baseline(tmp_path):
    (tmp_path / "toy.toml").write_text(TWO_DATASETS)
    runs = tmp_path / "runs"
    assert invoke("run", "--suite", tmp_path / "toy.toml", "--out", runs, "--quiet").exit_code == 0
    modes = {
        d: json.loads((runs / d / "toy-gan" / "seed-0" / "metrics.json").read_text())["metrics"]["modes_2d_2500"][
            "value"
        ]
        for d in ("ring", "grid")
    }
    assert invoke("baseline", runs, "--out", tmp_path / "b.json").exit_code == 0
    data = json.loads((tmp_path / "b.json").read_text())
    assert {d: data["datasets"][d]["recipes"]["toy-gan"]["modes_2d_2500"]["mean"] for d in modes} == modes
    done = invoke("check", runs, "--baseline", tmp_path / "b.json", "--format", "md")
    assert done.exit_code == 0, done.output
    rows = [[c.strip() for c in line.split("|")[1:-1]] for line in done.output.splitlines() if line.startswith("| toy")]
    assert [(r[1], r[2], float(r[3])) for r in rows if r[2] == "modes_2d_2500"] == [
        ("ring", "modes_2d_2500", modes["ring"]),
        ("grid", "modes_2d_2500", modes["grid"]),
    ]
    assert len(rows) == 4 and all(r[-1] == "pass" for r in rows)
    # a table of the grid's own: its bound wins there, the ring keeps the recipe's
    strict = TWO_DATASETS + f'\n[thresholds.smoke."toy-gan".grid]\nmodes_2d_2500 = {{ min = {modes["grid"] + 1} }}\n'
    (tmp_path / "strict.toml").write_text(strict)
    done = invoke(
        "check", runs, "--suite", tmp_path / "strict.toml", "--baseline", tmp_path / "b.json", "--format", "md"
    )
    assert done.exit_code == 1, done.output
    rows = [[c.strip() for c in line.split("|")[1:-1]] for line in done.output.splitlines() if line.startswith("| toy")]
    assert [(r[1], r[2], r[4], r[-1]) for r in rows if r[2] == "modes_2d_2500"] == [
        ("ring", "modes_2d_2500", f">= {modes['ring']:g} (baseline {modes['ring']:g} - 0%)", "pass"),
        ("grid", "modes_2d_2500", f">= {modes['grid'] + 1:g}", "FAIL"),
    ]
