"""--compile: G and D through torch.compile. Opt-in and recorded in the spec; the run trains,
writes the usual run directory, and stays close to the eager run (not bit-identical)."""

import json

import pytest
import torch
from typer.testing import CliRunner

from gan_bench.cli import app

pytestmark = pytest.mark.slow


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


def history(run):
    rows = (run / "history.csv").read_text().splitlines()
    return torch.tensor([[float(v) for v in r.split(",")[2:]] for r in rows[1:]])


def test_compiled_run_matches_eager_closely(tmp_path):
    eager, compiled = tmp_path / "eager", tmp_path / "compiled"
    args = ("train", "tf-mlp", "--profile", "smoke", "--device", "cpu", "--quiet")
    assert invoke(*args, "--out", eager).exit_code == 0
    result = invoke(*args, "--compile", "--out", compiled)
    assert result.exit_code == 0, result.output
    spec_e, spec_c = (json.loads((r / "spec.json").read_text()) for r in (eager, compiled))
    assert spec_c["compile"] is True and "compile" not in spec_e
    assert spec_c["spec_hash"] != spec_e["spec_hash"]
    assert (compiled / "checkpoints" / "final.pt").is_file()
    state = torch.load(compiled / "checkpoints" / "final.pt", weights_only=True)["system"]["G"]
    assert not any("_orig_mod" in k for k in state)  # checkpoints load into an eager G
    he, hc = history(eager), history(compiled)
    assert he.shape == hc.shape
    assert torch.allclose(he, hc, rtol=1e-3, atol=1e-4), (he - hc).abs().max()
