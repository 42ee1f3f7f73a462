"""A user cache ganbench cannot create or write ($XDG_CACHE_HOME pointing below a file, a read-only
home): scoring goes on without caching the reference features, saying so once, and a download is
refused before it starts, naming the folder and what to change."""

from __future__ import annotations

import os

import numpy as np
import pytest
from typer.testing import CliRunner

import gan_bench as gb
from gan_bench.cli import app
from gan_bench.data import catalogue
from gan_bench.errors import CacheWarning  # also gb.CacheWarning


@pytest.fixture
def unusable_cache(tmp_path, monkeypatch):
    """$XDG_CACHE_HOME below a file: no folder can be made there."""
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "a-file" / "cache"))
    return tmp_path / "a-file" / "cache" / "ganbench"


@pytest.fixture(scope="module")
def samples():
    return catalogue.load("mnist").test_images[:50].numpy()


@pytest.mark.slow  # two scorings
def test_scoring_without_a_usable_cache_warns_once_and_gives_the_same_metrics(tmp_path, samples, monkeypatch):
    _, cached = gb.score_samples(samples, "mnist", name="s", out=tmp_path / "cached", device="cpu")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cached" / "spec.json" / "cache"))  # below a file
    with pytest.warns(CacheWarning) as warned:
        _, uncached = gb.score_samples(samples, "mnist", name="s", out=tmp_path / "uncached", device="cpu")
    assert len(warned) == 1
    message = str(warned[0].message)
    assert message.startswith(f"reference features are not cached: {tmp_path}/cached/spec.json/cache/ganbench/")
    assert "Not a directory" in message and "set XDG_CACHE_HOME to a folder you can write" in message
    assert uncached["metrics"] == cached["metrics"]


@pytest.mark.slow  # over 3 s of the fast loop
def test_the_cli_prints_the_cache_warning_as_one_note_and_scores(tmp_path, samples, unusable_cache):
    np.save(tmp_path / "samples.npy", samples)
    result = CliRunner().invoke(
        app, ["score", "--input", str(tmp_path / "samples.npy"), "--dataset", "mnist", "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    notes = [line for line in result.output.splitlines() if line.startswith("note:")]
    assert notes == [
        f"note: reference features are not cached: {unusable_cache}/fidelity: Not a directory (the user cache "
        "is $XDG_CACHE_HOME/ganbench; set XDG_CACHE_HOME to a folder you can write)"
    ]
    assert "Warning" not in result.output and (tmp_path / "out" / "metrics.json").is_file()


def test_a_fetch_into_an_unusable_cache_is_refused_before_downloading(unusable_cache, monkeypatch, no_data_env):
    import torchvision.datasets

    class NeverCalled:
        def __init__(self, root, download=False):
            raise AssertionError("downloaded although the files could not be kept")

    monkeypatch.setattr(torchvision.datasets, "FashionMNIST", NeverCalled)
    result = CliRunner().invoke(app, ["data", "fetch", "fashion-mnist"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert (
        f"error: cannot store the download of Fashion-MNIST: {unusable_cache}: Not a directory"
        in result.output.replace("\n", "")
    )


def _warn_in_a_worker(events) -> None:
    import warnings

    from gan_bench.executors.processes import _start_worker

    _start_worker(events, None, os.getppid(), 0)  # watching this test's process, as lane 0
    warnings.warn("reference features are not cached: here", CacheWarning, stacklevel=1)
    events.put(("done", None))


def test_a_run_worker_sends_the_cache_warning_to_the_suite_display():
    """A --jobs worker's note reaches the parent's display as a message, not a raw stderr line."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    events = ctx.Queue()
    worker = ctx.Process(target=_warn_in_a_worker, args=(events,))
    worker.start()
    received = [events.get(timeout=20) for _ in range(3)]
    worker.join(timeout=60)
    assert received[1:] == [("message", "note: reference features are not cached: here"), ("done", None)]
    assert received[0][0] == "pid" and worker.exitcode == 0
