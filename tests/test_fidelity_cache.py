"""The reference features torch-fidelity caches in the user cache: an entry that cannot be loaded
here (damaged on disk, or pickled by a module this environment lacks, as numpy 2's pickles are
to numpy 1.26.0) is computed again, to the same scores, instead of ending scoring in a traceback."""

from __future__ import annotations

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
def test_unreadable_cache_entries_are_computed_again_to_the_same_scores(tmp_path, own_cache):
    first, second = tmp_path / "first", tmp_path / "second"
    gb.train("tf-mlp", profile="smoke", steps=4, out=first, device="cpu")
    shutil.copytree(first, second)
    gb.score([first], samples=100, device="cpu")
    entries = sorted(own_cache.glob("*.pt"))
    assert len(entries) == 3  # features, logits and the FID statistics of the test split
    entries[0].write_bytes(entries[0].read_bytes()[:1000])  # damaged on disk
    for entry in entries[1:]:
        write_foreign_pickle(entry)  # as numpy 2's pickles are to numpy 1.26.0
    with pytest.raises(RuntimeError, match="central directory"):
        torch.load(entries[0], weights_only=False)
    for entry in entries[1:]:
        with pytest.raises(ModuleNotFoundError, match="gone_module"):
            torch.load(entry, weights_only=False)
    fidelity._CHECKED_ENTRIES.clear()  # as a new process finds them
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
