"""Scoring speed: 10,000 generated MNIST-like samples against the 10,000-image test split with the
pinned evaluator (IS, FID, KID, precision/recall through torch-fidelity, plus mode coverage).

ganbench's one evaluator pass (``fidelity.evaluator_scores``: the metrics and the logits coverage
reads, from the same features) runs side by side with the baseline it replaced, torch-fidelity's
``calculate_metrics`` followed by a second evaluator pass for the logits, rounds interleaved. Both
find the reference features in torch-fidelity's cache; ganbench also keeps the reference's
precision/recall radii for the process (``metrics/precision_recall.py``), measured before the rounds.
Samples per second (over the median round) and the ratio are printed at the end.

Run: pytest benchmarks/test_scoring_speed.py --benchmark-only
The "generated" set is the first 10,000 train images, so the numbers are also meaningful.
"""

import itertools
import statistics
import time

import torch
from speed_table import BASELINE, keep

from gan_bench.data import catalogue
from gan_bench.metrics import coverage, evaluator_extractor, fidelity

ROUNDS = 3
CPU = torch.device("cpu")


def two_passes(generated, reference, labels):
    import torch_fidelity

    raw = torch_fidelity.calculate_metrics(
        input1=fidelity.ImageTensors(generated),
        cuda=False,
        isc=True,
        fid=True,
        kid=True,
        prc=True,
        feature_extractor=evaluator_extractor.extractor_name("mnist"),
        isc_splits=fidelity.ISC_SPLITS,
        kid_subsets=fidelity.KID_SUBSETS,
        kid_subset_size=fidelity.KID_SUBSET_SIZE,
        prc_neighborhood=fidelity.PRC_NEIGHBORHOOD,
        samples_shuffle=False,
        rng_seed=fidelity.RNG_SEED,
        **fidelity.reference_options("mnist", "test", reference, cuda=False),
    )
    logits, _ = fidelity.evaluator_outputs(generated, "mnist", CPU)
    fid, precision = raw["frechet_inception_distance"], raw["precision"]
    return (fid, precision, raw["recall"]), coverage.coverage(logits, labels)


def one_pass(generated, reference, labels):
    metrics, logits = fidelity.evaluator_scores(generated, reference, "mnist", "test", cuda=False)
    values = (metrics[f"{m}_lenet_10k_test"]["value"] for m in ("fid", "precision", "recall"))
    return tuple(values), coverage.coverage(logits, labels)


def test_score_10k_lenet_one_pass_against_two(benchmark):
    benchmark.group = "scoring 10k samples: one evaluator pass vs two, interleaved"
    data = catalogue.load("mnist")
    generated = data.train_images[:10_000, None]
    reference = data.test_images[:, None]
    ways = {BASELINE["scoring"]: two_passes, "one evaluator pass": one_pass}
    seconds: dict[str, list[float]] = {name: [] for name in ways}
    results = {}
    order = itertools.cycle([list(ways), list(ways)[::-1]])
    one_pass(generated, reference, data.test_labels)  # the reference features into the cache first

    def pair() -> None:
        for name in next(order):
            began = time.perf_counter()
            results[name] = ways[name](generated, reference, data.test_labels)
            seconds[name].append(time.perf_counter() - began)

    benchmark.pedantic(pair, rounds=ROUNDS, iterations=1)
    for name in ways:
        keep(
            f"scoring 10k ({torch.get_num_threads()} threads)", name, len(generated) / statistics.median(seconds[name])
        )
    benchmark.extra_info["median_s"] = {name: statistics.median(s) for name, s in seconds.items()}
    (base_values, base_cover), (values, cover) = results.values()
    assert values == base_values and cover == base_cover  # the same numbers, bit for bit
    assert values[0] < 5 and cover["modes_covered"] == 10
