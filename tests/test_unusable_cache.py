"""A user cache ganbench cannot create or write ($XDG_CACHE_HOME pointing below a file, a read-only
home, no home folder at all): scoring goes on without caching the reference features, saying so
once, and a download is refused before it starts, naming the folder and what to change."""

from __future__ import annotations

import os

import numpy as np
import pytest
from typer.testing import CliRunner

import gan_bench as gb
from gan_bench.cli import app
from gan_bench.data import catalogue
from gan_bench.errors import CacheWarning, notes_to  # also gb.CacheWarning


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


@pytest.fixture
def no_home(monkeypatch, tmp_path):
    """No $HOME and no passwd entry for this user (a container run as an arbitrary user id), from
    a working directory where a relative ~/.cache would be made."""
    import pwd

    def unknown_user(uid):
        raise KeyError(f"getpwuid(): uid not found: {uid}")

    monkeypatch.delenv("HOME")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setattr(pwd, "getpwuid", unknown_user)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_relative_xdg_cache_home_is_ignored_as_the_xdg_spec_says(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    assert catalogue.cache_dir() == tmp_path / "home" / ".cache" / "ganbench"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "absolute"))
    assert catalogue.cache_dir() == tmp_path / "absolute" / "ganbench"


NO_HOME = (
    f"the user cache: no home folder ($HOME is not set to an absolute path, and user id {os.getuid()} has "
    "no home in the passwd database); set XDG_CACHE_HOME to a folder you can write"
)


def test_without_a_home_folder_data_is_found_and_a_fetch_refused_naming_what_to_set(no_home, no_data_env):
    result = CliRunner().invoke(app, ["data", "list"])
    assert result.exit_code == 0, result.output
    assert "mnist: looks in ganbench package" in result.output and "user cache (" not in result.output
    assert catalogue.load("mnist").train_images.shape == (60_000, 28, 28)  # from the package
    fetched = CliRunner().invoke(app, ["data", "fetch", "fashion-mnist"])
    assert fetched.exit_code == 2 and "Traceback" not in fetched.output
    assert f"error: cannot store the download of Fashion-MNIST: {NO_HOME}" in fetched.output.replace("\n", "")
    assert list(no_home.iterdir()) == []  # no ~ folder made in the working directory


@pytest.mark.parametrize("offline", ["1", ""])
def test_without_a_home_folder_inception_weights_are_refused_naming_what_to_set(no_home, monkeypatch, offline):
    """torch's hub cache is "~/.cache/torch/hub" with no home: neither looked in nor downloaded into."""
    import torch

    from gan_bench.metrics import inception

    monkeypatch.delenv("TORCH_HOME", raising=False)
    monkeypatch.setattr(torch.hub, "_hub_dir", None)
    monkeypatch.setenv(catalogue.ENV_OFFLINE, offline)  # online, it would otherwise download below here
    with pytest.raises(gb.UserError) as refused:
        inception.resolve_weights(None)
    assert str(refused.value) == (
        f"Inception weights: the torch hub cache has no home folder ($HOME is not set to an absolute path, "
        f"and user id {os.getuid()} has no home in the passwd database); set TORCH_HOME to a folder you "
        "can write, or pass --inception-weights PATH"
    )
    stopped = CliRunner().invoke(app, ["run", "--suite", "smoke", "--backbone", "inception", "--out", "out"])
    assert stopped.exit_code == 2 and "set TORCH_HOME to a folder you can" in stopped.output
    assert list(no_home.iterdir()) == []  # stopped before training: no out/, no ~/
    given = no_home / "weights.pth"
    torch.save({"w": torch.zeros(1)}, given)
    assert inception.resolve_weights(given) == given  # named weights need no hub
    assert sorted(p.name for p in no_home.iterdir()) == ["weights.pth"]


@pytest.mark.slow  # a scoring
def test_without_a_home_folder_scoring_warns_once_and_scores(no_home, samples):
    with pytest.warns(CacheWarning) as warned:
        _, scored = gb.score_samples(samples, "mnist", name="s", out=no_home / "out", device="cpu")
    assert [str(w.message) for w in warned] == [f"reference features are not cached: {NO_HOME}"]
    assert "fid_lenet_50_test" in scored["metrics"] and sorted(p.name for p in no_home.iterdir()) == ["out"]


def _warn_in_a_worker(events) -> None:
    import warnings

    from gan_bench.executors.processes import _start_worker

    _start_worker(events, None, os.getppid(), 0)  # watching this test's process, as lane 0
    warnings.warn("reference features are not cached: here", CacheWarning, stacklevel=1)
    events.put(("done", None, None))


def test_a_run_worker_sends_the_cache_warning_to_the_parent():
    """A --jobs worker's note reaches the parent, which warns it again, not a raw stderr line."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    events = ctx.Queue()
    worker = ctx.Process(target=_warn_in_a_worker, args=(events,))
    worker.start()
    received = [events.get(timeout=20) for _ in range(3)]
    worker.join(timeout=60)
    assert received[1:] == [("cache-warning", "reference features are not cached: here", None), ("done", None, None)]
    assert received[0][0] == "pid" and worker.exitcode == 0


def test_each_note_is_given_once_and_other_warnings_every_time():
    notes, shown = [], []
    hook = notes_to(notes.append, lambda message, *args, **kwargs: shown.append(str(message)))
    for text in ("cache: a", "cache: a", "cache: b", "cache: a"):
        hook(CacheWarning(text), CacheWarning, "file.py", 1)
    for _ in range(2):
        hook(UserWarning("other"), UserWarning, "file.py", 1)
    assert notes == ["cache: a", "cache: b"] and shown == ["other", "other"]


@pytest.mark.slow  # a suite, trained and scored
def test_a_suite_under_jobs_2_prints_the_cache_note_once(tmp_path, unusable_cache):
    """Four runs scored, in this process's lane and in a worker, each meeting the same cache."""
    result = CliRunner().invoke(
        app, ["run", "--suite", "smoke", "--jobs", "2", "--quiet", "--samples", "100", "--out", str(tmp_path / "s")]
    )
    assert result.exit_code == 0, result.output
    notes = [line for line in result.output.splitlines() if line.startswith("note:")]
    assert notes == [
        f"note: reference features are not cached: {unusable_cache}/fidelity: Not a directory (the user cache "
        "is $XDG_CACHE_HOME/ganbench; set XDG_CACHE_HOME to a folder you can write)"
    ]
    assert len(list((tmp_path / "s").glob("*/seed-0/metrics.json"))) == 4
