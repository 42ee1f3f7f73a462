"""Scoring G with batch statistics, as a tutorial that never switches G to inference draws, named
in metrics.json's protocol; the default stays eval mode."""

from __future__ import annotations

import pytest
import torch

from gan_bench.errors import InvalidOption
from gan_bench.scoring.drawing import batch_norm_protocol, check_batch_norm, generate
from gan_bench.variants import build_system, get_recipe


def dcgan_mnist():
    torch.manual_seed(0)
    system = build_system(get_recipe("dcgan-mnist"), torch.device("cpu"))
    with torch.no_grad():  # running statistics far from any batch's, so the two modes must differ
        for m in system.G.modules():
            if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
                m.running_mean.fill_(0.5)
                m.running_var.fill_(4.0)
    return system


def test_batch_mode_normalises_each_batch_by_its_own_statistics():
    system = dcgan_mnist()
    before = {k: v.clone() for k, v in system.G.state_dict().items()}
    running, _ = generate(system, 128, 7, torch.device("cpu"))
    batch, _ = generate(system, 128, 7, torch.device("cpu"), batch_norm="batch")
    assert (running - batch).abs().max() > 1e-3
    # by hand: the first batch (the recipe's 64) in training-mode batch norm equals batch mode's first 64
    z = system.inputs(128, torch.Generator().manual_seed(7))[:64]
    G = system.G
    G.train()
    for m in G.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            m.momentum = 0.0
    with torch.no_grad():
        by_hand = system.generate(z)
    assert torch.allclose(batch[:64], by_hand, atol=1e-6)
    # the checkpoint's running statistics are left as they were
    after = system.G.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before if "num_batches_tracked" not in k)


def test_protocol_names_the_mode():
    system = dcgan_mnist()
    assert batch_norm_protocol(system, "running") == "running statistics (eval mode)"
    assert batch_norm_protocol(system, "batch") == "batch statistics (training mode), batches of 64"
    mlp = build_system(get_recipe("tf-mlp"), torch.device("cpu"))
    assert batch_norm_protocol(mlp, "batch") == "none in G"
    with pytest.raises(InvalidOption, match="--batch-norm: unknown mode 'eval'; valid: running, batch"):
        check_batch_norm("eval")


def test_dcgan_recipes_record_the_scoring_choice():
    for name in ("dcgan-mnist", "dcgan-mnist-fixed", "dcgan", "dcgan-stacked"):
        assert "--batch-norm batch" in get_recipe(name).choices["scoring_batch_norm"]


@pytest.mark.slow
def test_score_cli_writes_the_batch_norm_protocol(tmp_path):
    import json

    from typer.testing import CliRunner

    import gan_bench as gb
    from gan_bench.cli import app

    run = gb.train("dcgan-mnist", profile="smoke", out=tmp_path / "run").path
    runner = CliRunner()
    bad = runner.invoke(app, ["score", str(run), "--batch-norm", "eval", "--samples", "100"])
    assert bad.exit_code == 2 and "--batch-norm: unknown mode 'eval'" in bad.output
    assert not (run / "metrics.json").exists()
    ok = runner.invoke(app, ["score", str(run), "--batch-norm", "batch", "--samples", "100"])
    assert ok.exit_code == 0, ok.output
    protocol = json.loads((run / "metrics.json").read_text())["protocol"]
    assert protocol["g_batch_norm"] == "batch statistics (training mode), batches of 64"
