"""Scores do not depend on which process filled the reference-feature cache. Apart from the rule
tests mutmut runs: it forks a warm process per mutant, and a two-thread OpenMP pool made in that
process deadlocks the forks."""

import os

import pytest
import torch

from gan_bench.data import catalogue
from gan_bench.metrics import fidelity
from gan_bench.rundir.repro import torch_threads

CPU = torch.device("cpu")
N = 500


@pytest.fixture(scope="module")
def mnist():
    return catalogue.load("mnist")


@pytest.mark.slow  # the reference features three times
def test_scores_do_not_depend_on_the_thread_count_that_filled_the_cache(mnist, monkeypatch, tmp_path):
    """The features can differ in their last bits with the thread count (on some CPUs they do, on
    others not), so an entry a one-thread --jobs worker cached must not move a two-thread process's
    scores: each count fills entries of its own, and scores as a process with its own cache does."""
    monkeypatch.setattr(fidelity, "_REFERENCE_STATS", {})
    generated, reference = mnist.train_images[:N, None], mnist.test_images[:N, None]
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "shared"))
    entries = tmp_path / "shared" / "ganbench" / "fidelity"
    with torch_threads(1):
        fidelity.evaluator_metrics(generated, reference, "mnist", "test", cuda=False)  # fills the cache
    by_one = set(os.listdir(entries))
    with torch_threads(2):
        after_the_worker = fidelity.evaluator_metrics(generated, reference, "mnist", "test", cuda=False)
        by_two = set(os.listdir(entries)) - by_one
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "own"))
        alone = fidelity.evaluator_metrics(generated, reference, "mnist", "test", cuda=False)
    assert by_one and len(by_two) == len(by_one)  # the one-thread entries were not read
    assert after_the_worker == alone
