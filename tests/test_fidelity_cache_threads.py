"""Scores do not depend on which process filled the reference-feature cache. Apart from the rule
tests mutmut runs: it forks a warm process per mutant, and a two-thread OpenMP pool made in that
process deadlocks the forks."""

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
    """The features differ in their last bits with the thread count, so an entry a one-thread
    --jobs worker cached would move a two-thread process's scores: each count has its own."""
    monkeypatch.setattr(fidelity, "_REFERENCE_STATS", {})
    generated, reference = mnist.train_images[:N, None], mnist.test_images[:N, None]
    features = {}
    for threads in (1, 2):
        with torch_threads(threads):
            features[threads] = fidelity.evaluator_outputs(reference, "mnist", CPU)[1]
    assert not torch.equal(features[1], features[2])
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "shared"))
    with torch_threads(1):
        fidelity.evaluator_metrics(generated, reference, "mnist", "test", cuda=False)  # fills the cache
    with torch_threads(2):
        after_the_worker = fidelity.evaluator_metrics(generated, reference, "mnist", "test", cuda=False)
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "own"))
        alone = fidelity.evaluator_metrics(generated, reference, "mnist", "test", cuda=False)
    assert after_the_worker == alone
