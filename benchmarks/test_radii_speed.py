"""Precision/recall's k-NN radii of 10,000 evaluator features (the MNIST test split's, as scoring
measures the reference set's once per process and a 10,000-sample run's own at every scoring):
ganbench's ``topk`` against torch-fidelity's ``kthvalue``, on the same distances, rounds
interleaved. Rows per second (over the median round) and the ratio are printed at the end.

Run: pytest benchmarks/test_radii_speed.py --benchmark-only
"""

import itertools
import statistics
import time

import torch
from speed_table import BASELINE, keep
from torch_fidelity.metric_prc import calc_cdist_part

from gan_bench.data import catalogue
from gan_bench.metrics import fidelity, precision_recall

ROUNDS = 3
K, BATCH = fidelity.PRC_NEIGHBORHOOD, 10_000


def kthvalue_radii(features):
    return torch.cat([calc_cdist_part(p, features, BATCH).kthvalue(K + 1).values for p in features.split(BATCH)])


def test_reference_radii_topk_against_kthvalue(benchmark):
    benchmark.group = "k-NN radii of 10k features: topk vs kthvalue, interleaved"
    images = catalogue.load("mnist").test_images[:, None]
    _, features = fidelity.evaluator_outputs(images, "mnist", torch.device("cpu"))
    ways = {BASELINE["radii"]: kthvalue_radii, "topk": lambda f: precision_recall._radii(f, K, BATCH)}
    seconds: dict[str, list[float]] = {name: [] for name in ways}
    results = {}
    order = itertools.cycle([list(ways), list(ways)[::-1]])

    def pair() -> None:
        for name in next(order):
            began = time.perf_counter()
            results[name] = ways[name](features)
            seconds[name].append(time.perf_counter() - began)

    benchmark.pedantic(pair, rounds=ROUNDS, iterations=1)
    for name in ways:
        keep(f"radii 10k ({torch.get_num_threads()} threads)", name, len(features) / statistics.median(seconds[name]))
    benchmark.extra_info["median_s"] = {name: statistics.median(s) for name, s in seconds.items()}
    base, ours = results.values()
    assert torch.equal(base, ours)  # the same radii, bit for bit
