"""The reference features torch-fidelity caches in the user cache: an entry that cannot be loaded
here (damaged on disk, or pickled by a module this environment lacks, as numpy 2's pickles are
to numpy 1.26.0) is computed again, to the same scores, instead of ending scoring in a traceback."""

from __future__ import annotations

import hashlib
import json
import pickle
import shutil
import sys
import types

import numpy as np
import pytest
import torch

import gan_bench as gb
from gan_bench.metrics import fidelity


class Foreign:
    """Pickles as a call into a module that is gone when the file is loaded."""

    def __reduce__(self):
        return (sys.modules["gone_module"].make, ())


def write_foreign_pickle(path):
    module = types.ModuleType("gone_module")
    module.make = lambda: None
    module.make.__module__, module.make.__qualname__ = "gone_module", "make"
    sys.modules["gone_module"] = module
    try:
        torch.save({"mu": Foreign()}, path)
    finally:
        del sys.modules["gone_module"]


def values(run):
    metrics = json.loads((run / "metrics.json").read_text())["metrics"]
    return {name: entry["value"] for name, entry in metrics.items()}


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(fidelity, "_CHECKED_ENTRIES", set())
    return tmp_path / "cache" / "ganbench" / "fidelity"


@pytest.mark.slow  # computes the reference features twice: about 13 s
def test_unreadable_cache_entries_are_computed_again_to_the_same_scores(tmp_path, own_cache, monkeypatch):
    from gan_bench.metrics import precision_recall

    monkeypatch.setattr(precision_recall, "_RADII", {})  # measured here, not kept from an earlier test
    first, second = tmp_path / "first", tmp_path / "second"
    gb.train("tf-mlp", profile="smoke", steps=4, out=first, device="cpu")
    shutil.copytree(first, second)
    gb.score([first], samples=100, device="cpu")
    entries = sorted(own_cache.glob("*.pt"))
    assert len(entries) == 4  # features, logits, the FID statistics and the precision/recall radii of the test split
    entries[0].write_bytes(entries[0].read_bytes()[:1000])  # damaged on disk
    for entry in entries[1:]:
        write_foreign_pickle(entry)  # as numpy 2's pickles are to numpy 1.26.0
    with pytest.raises(RuntimeError, match="central directory"):
        torch.load(entries[0], weights_only=False)
    for entry in entries[1:]:
        with pytest.raises(ModuleNotFoundError, match="gone_module"):
            torch.load(entry, weights_only=False)
    fidelity._CHECKED_ENTRIES.clear()  # as a new process finds them
    monkeypatch.setattr(precision_recall, "_RADII", {})
    gb.score([second], samples=100, device="cpu")
    assert values(second) == values(first)
    for entry in entries:
        torch.load(entry, weights_only=False)  # written again, whole


def test_a_readable_entry_is_kept_and_checked_once_per_process(tmp_path, own_cache):
    own_cache.mkdir(parents=True)
    name = "ganbench-mnist-test-3-abc-def"
    kept, other = own_cache / f"{name}-stat.pt", own_cache / "someone-else-stat.pt"
    torch.save({"mu": np.zeros(2), "features": torch.zeros(2)}, kept)  # as torch-fidelity's entries hold
    other.write_bytes(b"not a torch file")  # not this reference's: left alone
    fidelity.drop_unreadable_entries(own_cache, name)
    assert kept.exists() and other.exists()
    kept.write_bytes(pickle.dumps("damaged")[:3])
    fidelity.drop_unreadable_entries(own_cache, name)  # checked already in this process
    assert kept.exists()
    second = own_cache / "ganbench-mnist-train-3-abc-def-stat.pt"
    second.write_bytes(b"damaged")
    fidelity.drop_unreadable_entries(own_cache, "ganbench-mnist-train-3-abc-def")  # another reference: checked
    assert not second.exists()


def test_an_unusable_cache_is_left_out_with_one_warning_naming_it(tmp_path, monkeypatch):
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "a-file" / "cache"))
    reference = torch.zeros(3, 1, 28, 28, dtype=torch.uint8)
    with pytest.warns(gb.CacheWarning) as caught:
        options = fidelity.reference_cache("mnist", "test", reference, cuda=False)
    assert set(options) == {"cache", "input2_cache_name"} and options["cache"] is False
    assert options["input2_cache_name"].startswith("ganbench-mnist-test-3-")  # still names the reference
    (warning,) = caught
    assert str(warning.message) == (
        f"reference features are not cached: {tmp_path / 'a-file' / 'cache' / 'ganbench' / 'fidelity'}: Not a "
        "directory (the user cache is $XDG_CACHE_HOME/ganbench; set XDG_CACHE_HOME to a folder you can write)"
    )


def _sets():
    gen = torch.Generator().manual_seed(0)
    return torch.randn(150, 16, generator=gen), torch.randn(200, 16, generator=gen)


@pytest.fixture
def measured(monkeypatch):
    """The row counts of the feature sets whose radii this process measures, from a fresh start."""
    from gan_bench.metrics import precision_recall as pr

    rows, real = [], pr._radii
    monkeypatch.setattr(pr, "_RADII", {})
    monkeypatch.setattr(pr, "_radii", lambda f, k, b: rows.append(len(f)) or real(f, k, b))
    return rows


def test_the_reference_radii_are_kept_for_the_next_process(tmp_path, monkeypatch, measured):
    """A --jobs worker or the next command reads the reference's precision/recall radii from the
    user cache instead of measuring its distances again, to the same values."""
    from gan_bench.metrics import precision_recall as pr

    generated, reference = _sets()
    kept = tmp_path / "cache" / "radii.pt"
    first = pr.precision_recall(generated, reference, 3, batch=64, kept=kept)
    assert measured == [150, 200] and kept.is_file()
    monkeypatch.setattr(pr, "_RADII", {})  # as a new process
    assert pr.precision_recall(generated, reference, 3, batch=64, kept=kept) == first
    assert measured == [150, 200, 150]  # the generated set's again; the reference's read
    monkeypatch.setattr(pr, "_RADII", {})
    assert pr.precision_recall(generated, reference, 3, batch=64) == first  # and as without the cache


def _other_radii(reference):
    from gan_bench.metrics import precision_recall as pr

    digest, here = hashlib.sha256(reference.numpy().tobytes()).hexdigest(), pr.radii_environment(reference)
    radii = pr._radii(reference, 3, 64)
    return {
        "damaged": lambda path: path.write_bytes(b"PK\x03\x04 cut short"),
        "empty": lambda path: path.write_bytes(b""),
        "another reference's": lambda path: torch.save({"key": ["0" * 64, 3, 64, here], "radii": radii}, path),
        "another k": lambda path: torch.save({"key": [digest, 5, 64, here], "radii": radii}, path),
        "too few": lambda path: torch.save({"key": [digest, 3, 64, here], "radii": radii[:-1]}, path),
        "float64": lambda path: torch.save({"key": [digest, 3, 64, here], "radii": radii.double()}, path),
        "another environment's": lambda path: torch.save({"key": [digest, 3, 64, "0" * 8], "radii": radii}, path),
        "a list": lambda path: torch.save([digest, radii], path),
    }


@pytest.mark.parametrize(
    "found",
    ["damaged", "empty", "another reference's", "another k", "too few", "float64", "another environment's", "a list"],
)
def test_a_radii_file_damaged_or_of_others_is_measured_again_and_replaced(tmp_path, monkeypatch, measured, found):
    from gan_bench.metrics import precision_recall as pr

    _, reference = _sets()
    kept = tmp_path / "radii.pt"
    _other_radii(reference)[found](kept)
    measured.clear()
    radii = pr.reference_radii(reference, 3, 64, kept)
    assert measured == [200]
    assert torch.equal(radii, pr._radii(reference, 3, 64))
    digest = hashlib.sha256(reference.numpy().tobytes()).hexdigest()
    here = pr.radii_environment(reference)
    assert torch.load(kept, weights_only=True)["key"] == [digest, 3, 64, here]  # replaced by this reference's


def test_a_radii_file_that_cannot_be_written_leaves_the_radii_measured(tmp_path, measured):
    from gan_bench.metrics import precision_recall as pr

    _, reference = _sets()
    (tmp_path / "a-file").write_text("")
    radii = pr.reference_radii(reference, 3, 64, tmp_path / "a-file" / "radii.pt")  # below a file
    assert measured == [200] and torch.equal(radii, pr._radii(reference, 3, 64))
    assert (tmp_path / "a-file").read_text() == ""


def test_scoring_keeps_the_radii_beside_the_reference_features(own_cache, measured):
    reference = torch.randint(0, 256, (300, 1, 28, 28), generator=torch.Generator().manual_seed(0), dtype=torch.uint8)
    generated = torch.randint(0, 256, (200, 1, 28, 28), generator=torch.Generator().manual_seed(1), dtype=torch.uint8)
    first = fidelity.evaluator_metrics(generated, reference, "mnist", "test", cuda=False)
    name = fidelity.reference_cache("mnist", "test", reference, cuda=False)["input2_cache_name"]
    assert len(list(own_cache.glob(f"{name}-ganbench-radii-k3-*.pt"))) == 1
    assert measured == [200, 300]
    from gan_bench.metrics import precision_recall as pr

    pr._RADII.clear()  # as a new process
    assert fidelity.evaluator_metrics(generated, reference, "mnist", "test", cuda=False) == first
    assert measured == [200, 300, 200]


def test_a_cuda_entry_is_named_for_the_gpu_and_the_cpu_that_takes_its_statistics(monkeypatch):
    """On CUDA the features come from the GPU, and their FID statistics from NumPy on the CPU: a
    cache shared by nodes of one GPU model and two CPU models (a cluster's home folder) keeps an
    entry for each. torch's thread count, which neither depends on, names none."""
    from gan_bench.rundir import repro

    monkeypatch.setattr(torch.cuda, "get_device_name", lambda *_: "NVIDIA H100 80GB HBM3")
    monkeypatch.setattr(torch.backends.cudnn, "version", lambda: 91000)
    reference = torch.zeros(10, 1, 28, 28, dtype=torch.uint8)

    def name_on(cpu: str) -> str:
        monkeypatch.setattr(repro, "cpu_name", lambda: cpu)
        return fidelity.reference_cache("mnist", "test", reference, cuda=True)["input2_cache_name"]

    first = name_on("AMD EPYC 9654")
    assert name_on("Intel(R) Xeon(R) Platinum 8480+") != first
    monkeypatch.setattr(torch, "get_num_threads", lambda: 7)  # not set: a thread pool made here would outlive the test
    assert name_on("AMD EPYC 9654") == first
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda *_: "NVIDIA H200")
    assert name_on("AMD EPYC 9654") != first
