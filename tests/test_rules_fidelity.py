"""The evaluator metrics through torch-fidelity, against an independent NumPy/SciPy computation on
the evaluator's own features: FID (Fréchet distance of the penultimate features), KID (unbiased
MMD² with the cubic polynomial kernel), IS (on the logits, 10 splits in order), and the
orientation of precision and recall."""

import warnings

import numpy as np
import pytest
import scipy.linalg
import scipy.special
import torch

from gan_bench.data import catalogue
from gan_bench.metrics import evaluators, fidelity

CPU = torch.device("cpu")
N = 500


@pytest.fixture(scope="module")
def mnist():
    return catalogue.load("mnist")


@pytest.fixture(scope="module")
def train_vs_test(mnist):
    generated, reference = mnist.train_images[:N, None], mnist.test_images[:N, None]
    metrics = fidelity.evaluator_metrics(generated, reference, "mnist", "test", cuda=False)
    return generated, reference, metrics


def numpy_fid(a: np.ndarray, b: np.ndarray) -> float:
    mu_a, mu_b = a.mean(axis=0), b.mean(axis=0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    with warnings.catch_warnings():  # the evaluator's ReLU features leave the covariance singular
        warnings.simplefilter("ignore", scipy.linalg.LinAlgWarning)
        root = scipy.linalg.sqrtm(cov_a @ cov_b).real
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(cov_a + cov_b - 2 * root))


def numpy_kid(a: np.ndarray, b: np.ndarray) -> float:
    """Unbiased MMD² with k(x, y) = (x·y / d + 1)³ over the full sets."""
    d, m = a.shape[1], len(a)

    def k(x, y):
        return (x @ y.T / d + 1.0) ** 3

    kaa, kbb, kab = k(a, a), k(b, b), k(a, b)
    off = (kaa.sum() - np.trace(kaa) + kbb.sum() - np.trace(kbb)) / (m * (m - 1))
    return float(off - 2 * kab.sum() / (m * m))


def numpy_is(logits: np.ndarray, splits: int = 10) -> float:
    scores = []
    for chunk in np.array_split(logits, splits):
        p = scipy.special.softmax(chunk, axis=1)
        q = p.mean(axis=0, keepdims=True)
        scores.append(np.exp((p * (np.log(p) - np.log(q))).sum(axis=1).mean()))
    return float(np.mean(scores))


def features(images):
    logits, feats = fidelity.evaluator_outputs(images, "mnist", CPU)
    return logits.double().numpy(), feats.double().numpy()


def test_fid_equals_the_frechet_distance_of_the_penultimate_features(train_vs_test):
    generated, reference, metrics = train_vs_test
    expected = numpy_fid(features(generated)[1], features(reference)[1])
    entry = metrics["fid_lenet_500_test"]
    assert entry["value"] == pytest.approx(expected, rel=1e-4)
    assert (entry["samples"], entry["reference_split"], entry["reference_samples"]) == (N, "test", N)
    assert entry["backbone_sha256"] == evaluators.PINS["mnist"].sha256


def test_fid_between_statistics_matches_numpy_and_is_zero_for_equal_sets():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(400, 6))
    b = rng.normal(loc=0.3, scale=1.5, size=(300, 6))
    stats_a = fidelity.fid_statistics(torch.from_numpy(a))
    stats_b = fidelity.fid_statistics(torch.from_numpy(b))
    assert fidelity.fid_between(stats_a, stats_b) == pytest.approx(numpy_fid(a, b), rel=1e-6)
    assert fidelity.fid_between(stats_a, stats_a) == pytest.approx(0.0, abs=1e-6)


def test_kid_is_the_unbiased_mmd_of_the_penultimate_features(train_vs_test):
    generated, reference, metrics = train_vs_test
    # N generated and N reference samples: every one of the subsets of size N is the whole set.
    expected = numpy_kid(features(generated)[1], features(reference)[1])
    entry = metrics["kid_lenet_500_test"]
    assert entry["value"] == pytest.approx(expected, rel=1e-4)
    assert entry["std"] < 1e-5 * entry["value"]  # the same sets in another order: rounding only
    assert (entry["subsets"], entry["subset_size"]) == (100, N)


def test_is_is_computed_on_the_logits_in_ten_ordered_splits(train_vs_test):
    generated, _, metrics = train_vs_test
    entry = metrics["is_lenet_500"]
    assert entry["value"] == pytest.approx(numpy_is(features(generated)[0]), rel=1e-6)
    assert entry["splits"] == 10 and "reference_split" not in entry


def test_one_class_has_high_precision_and_low_recall(mnist):
    ones = mnist.train_images[mnist.train_labels == 1][:N, None]
    metrics = fidelity.evaluator_metrics(ones, mnist.test_images[:N, None], "mnist", "test", cuda=False)
    precision, recall = metrics["precision_lenet_500_test"]["value"], metrics["recall_lenet_500_test"]["value"]
    assert precision > 0.8  # generated 1s lie on the manifold of real digits (0.852 measured)
    assert recall < 0.3  # only the real 1s (about 11 %) lie on the manifold of the generated ones (0.14)
    assert metrics["precision_lenet_500_test"]["neighborhood"] == 3


def test_train_against_test_has_both_precision_and_recall_high(train_vs_test):
    _, _, metrics = train_vs_test
    assert metrics["precision_lenet_500_test"]["value"] > 0.8
    assert metrics["recall_lenet_500_test"]["value"] > 0.8


def test_names_carry_the_metric_backbone_count_and_split():
    assert fidelity.count_name(10_000) == "10k" and fidelity.count_name(2500) == "2500"
    assert fidelity.count_name(1000) == "1k" and fidelity.count_name(999) == "999"
    assert fidelity.metric_name("fid", "lenet", 10_000, "test") == "fid_lenet_10k_test"
    assert fidelity.metric_name("is", "lenet", 1000, None) == "is_lenet_1k"
