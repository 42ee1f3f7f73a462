"""The Inception option, offline: a clear stop without weights; the plumbing with stand-in weights.

The stand-in file has the real architecture's tensor shapes and random values, and its name says
it is a stand-in, so nothing computed with it can pass for a real Inception metric.
"""

from unittest import mock

import pytest
import torch
from torch_fidelity import feature_extractor_inceptionv3 as tf_inception
from typer.testing import CliRunner

from gan_bench.cli import app
from gan_bench.data import catalogue
from gan_bench.errors import UserError
from gan_bench.metrics import inception


@pytest.fixture(autouse=True)
def empty_hub(monkeypatch, tmp_path):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch-home"))
    monkeypatch.setattr(torch.hub, "_hub_dir", None)


@pytest.fixture(scope="module")
def standin_weights(tmp_path_factory):
    path = tmp_path_factory.mktemp("weights") / "STAND-IN-random-inception-v3-compat.pth"
    torch.manual_seed(0)
    with (
        mock.patch.object(tf_inception, "load_state_dict_from_url", return_value={}),
        mock.patch.object(tf_inception.FeatureExtractorInceptionV3, "load_state_dict"),
    ):
        model = tf_inception.FeatureExtractorInceptionV3("inception-v3-compat", ["2048"])
    torch.save(model.state_dict(), path)
    return path


def test_missing_weights_message_says_where_to_put_the_file():
    with pytest.raises(UserError) as err:
        inception.resolve_weights(None)
    assert str(inception.hub_path()) in str(err.value)
    assert inception.WEIGHTS_URL in str(err.value) and "--inception-weights" in str(err.value)


def test_cli_stops_before_training_without_weights(tmp_path):
    result = CliRunner().invoke(
        app, ["run", "--suite", "smoke", "--backbone", "inception", "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 2
    assert "Inception weights not found" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_standin_weights_flow_through_torch_fidelity(standin_weights):
    mnist = catalogue.load("mnist")
    generated, reference = mnist.train_images[:12, None], mnist.test_images[:12, None]
    metrics = inception.inception_metrics(generated, reference, "test", cuda=False, weights=standin_weights)
    assert set(metrics) == {"is_inception_12", "fid_inception_12_test"}
    fid = metrics["fid_inception_12_test"]
    # The stand-in's random weights make the value meaningless (about 1e-15 here): this test is about the
    # flow, names and protocol fields; the FID arithmetic is checked against NumPy in test_rules_fidelity.
    assert fid["backbone_weights"] == standin_weights.name and fid["official_weights"] is False
    assert fid["backbone_sha256"] == inception.sha256_file(standin_weights)
    assert metrics["is_inception_12"]["value"] >= 1.0


def test_standin_weights_have_the_real_shapes(standin_weights):
    state = torch.load(standin_weights, weights_only=True)
    assert state["fc.weight"].shape == (1008, 2048)
    assert state["Conv2d_1a_3x3.conv.weight"].shape == (32, 3, 3, 3)
