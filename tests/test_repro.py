import json

import pytest
import torch

from gan_bench.rundir import atomic
from gan_bench.rundir.identity import spec_hash
from gan_bench.rundir.repro import environment, seed_everything
from gan_bench.suite.run_spec import RunSpec


def spec(**kw):
    base = dict(recipe="tf-mlp", dataset="mnist", seed=0, profile="smoke", device="cpu")
    return RunSpec(**{**base, **kw})


def test_spec_hash_is_canonical_and_sensitive():
    assert spec_hash({"a": 1, "b": [1, 2]}) == spec_hash({"b": [1, 2], "a": 1})
    assert spec().hash == spec().hash
    hashes = {
        spec().hash,
        spec(seed=1).hash,
        spec(profile="quick").hash,
        spec(steps=7).hash,
        spec(dataset="fashion-mnist").hash,
        spec(recipe="keras-mlp").hash,
    }
    assert len(hashes) == 6


def test_resolved_spec_holds_every_recipe_fact():
    resolved = spec().resolved()
    assert resolved["recipe"]["lr"] == 2e-4 and resolved["recipe"]["quirks"] == {"raw_log": True}
    assert resolved["schedule"]["steps"] == 30
    assert json.loads(json.dumps(resolved)) == resolved


def test_seed_everything_repeats_every_generator():
    import random

    import numpy as np

    def draw():
        return random.random(), float(np.random.rand()), torch.rand(3).tolist()

    seed_everything(5)
    first = draw()
    seed_everything(5)
    assert draw() == first
    assert torch.are_deterministic_algorithms_enabled()


def test_environment_names_versions_device_and_data():
    seed_everything(0)
    env = environment(torch.device("cpu"), {"train_images": "abc"})
    assert env["torch"] == torch.__version__
    assert env["device"] == "cpu" and env["device_name"]
    assert env["dataset_sha256"] == {"train_images": "abc"}
    assert env["cublas_workspace_config"] == ":4096:8"


def test_atomic_write_leaves_the_old_file_when_writing_fails(tmp_path):
    path = tmp_path / "metrics.json"
    atomic.write_json(path, {"v": 1})

    def fail(f):
        f.write(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        atomic.write_with(path, fail)
    assert json.loads(path.read_text()) == {"v": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["metrics.json"]


def test_atomic_files_get_the_usual_permissions(tmp_path):
    import os

    umask = os.umask(0o022)
    try:
        atomic.write_text(tmp_path / "a.txt", "x")
    finally:
        os.umask(umask)
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o644
