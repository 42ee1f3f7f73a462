"""Scoring speed: 10,000 generated MNIST-like samples against the 10,000-image test split with the
pinned evaluator (IS, FID, KID, precision/recall through torch-fidelity, plus mode coverage).

Run: pytest benchmarks/test_scoring_speed.py --benchmark-only
The "generated" set is the first 10,000 train images, so the numbers are also meaningful.
"""

import torch

from gan_bench.data import catalogue
from gan_bench.metrics import coverage, fidelity


def test_score_10k_lenet(benchmark):
    torch.set_num_threads(torch.get_num_threads())
    data = catalogue.load("mnist")
    generated = data.train_images[:10_000, None]
    reference = data.test_images[:, None]

    def score():
        metrics = fidelity.evaluator_metrics(generated, reference, "mnist", "test", cuda=False)
        logits, _ = fidelity.evaluator_outputs(generated, "mnist", torch.device("cpu"))
        return metrics, coverage.coverage(logits, data.test_labels)

    metrics, cover = benchmark.pedantic(score, rounds=3, iterations=1)
    assert metrics["fid_lenet_10k_test"]["value"] < 5 and cover["modes_covered"] == 10
