"""The evaluator metrics through torch-fidelity, against an independent NumPy/SciPy computation on
the evaluator's own features: FID (Fréchet distance of the penultimate features), KID (unbiased
MMD² with the cubic polynomial kernel), IS (on the logits, 10 splits in order), and the
orientation of precision and recall."""

import hashlib
import re
import uuid
import warnings

import numpy as np
import pytest
import scipy.linalg
import scipy.special
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from gan_bench.data import catalogue
from gan_bench.metrics import evaluator_extractor, evaluators, fidelity, names
from gan_bench.rundir.repro import torch_threads

CPU = torch.device("cpu")
N = 500


@pytest.fixture(scope="module")
def mnist():
    return catalogue.load("mnist")


@pytest.fixture
def train_vs_test(mnist):
    """Computed in each test (not shared): mutation testing maps each test to the code it runs."""
    generated, reference = mnist.train_images[:N, None], mnist.test_images[:N, None]
    metrics = fidelity.evaluator_metrics(generated, reference, "mnist", "test", cuda=False)
    return generated, reference, metrics


SHA = evaluators.PINS["mnist"].sha256
WITH_REFERENCE = {
    "samples": N,
    "reference_split": "test",
    "reference_samples": N,
    "backbone": "lenet",
    "backbone_sha256": SHA,
}


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


def numpy_split_scores(logits: np.ndarray, splits: int = 10) -> list[float]:
    """exp(E KL(p(y|x) ‖ p(y))) in each of 10 consecutive splits."""
    scores = []
    for chunk in np.array_split(logits, splits):
        p = scipy.special.softmax(chunk, axis=1)
        q = p.mean(axis=0, keepdims=True)
        scores.append(np.exp((p * (np.log(p) - np.log(q))).sum(axis=1).mean()))
    return scores


def features(images):
    logits, feats = fidelity.evaluator_outputs(images, "mnist", CPU)
    return logits.double().numpy(), feats.double().numpy()


def test_fid_equals_the_frechet_distance_of_the_penultimate_features(train_vs_test):
    generated, reference, metrics = train_vs_test
    expected = numpy_fid(features(generated)[1], features(reference)[1])
    entry = metrics["fid_lenet_500_test"]
    assert entry == {"value": pytest.approx(expected, rel=1e-4), **WITH_REFERENCE}
    assert set(metrics) == {
        "is_lenet_500",
        "fid_lenet_500_test",
        "kid_lenet_500_test",
        "precision_lenet_500_test",
        "recall_lenet_500_test",
    }


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
    assert entry == {"value": entry["value"], "std": entry["std"], "subsets": 100, "subset_size": N, **WITH_REFERENCE}


@pytest.mark.slow  # seconds of scoring: out of the fast loop
def test_kid_subsets_hold_1000_samples_at_most_and_never_more_than_the_reference(mnist):
    big = fidelity.evaluator_metrics(
        mnist.train_images[:1200, None], mnist.test_images[:1200, None], "mnist", "test", cuda=False
    )["kid_lenet_1200_test"]
    assert big["subset_size"] == 1000 and big["std"] > 1e-4 * big["value"]  # subsets of 1000 of 1200 differ
    small = fidelity.evaluator_metrics(
        mnist.train_images[:N, None], mnist.test_images[:300, None], "mnist", "test", cuda=False
    )["kid_lenet_500_test"]
    assert small["subset_size"] == 300 and small["reference_samples"] == 300


def test_is_is_computed_on_the_logits_in_ten_ordered_splits(train_vs_test):
    generated, _, metrics = train_vs_test
    entry = metrics["is_lenet_500"]
    scores = numpy_split_scores(features(generated)[0])
    assert entry == {
        "value": pytest.approx(np.mean(scores), rel=1e-6),
        "std": pytest.approx(np.std(scores), rel=1e-6),
        "splits": 10,
        "samples": N,
        "backbone": "lenet",
        "backbone_sha256": SHA,
    }


def test_one_class_has_high_precision_and_low_recall(mnist):
    ones = mnist.train_images[mnist.train_labels == 1][:N, None]
    metrics = fidelity.evaluator_metrics(ones, mnist.test_images[:N, None], "mnist", "test", cuda=False)
    precision, recall = metrics["precision_lenet_500_test"]["value"], metrics["recall_lenet_500_test"]["value"]
    assert precision > 0.8  # generated 1s lie on the manifold of real digits (0.852 measured)
    assert recall < 0.3  # only the real 1s (about 11 %) lie on the manifold of the generated ones (0.14)
    for name in ("precision_lenet_500_test", "recall_lenet_500_test"):
        assert metrics[name] == {"value": metrics[name]["value"], "neighborhood": 3, **WITH_REFERENCE}


def test_train_against_test_has_both_precision_and_recall_high(train_vs_test):
    _, _, metrics = train_vs_test
    assert metrics["precision_lenet_500_test"]["value"] > 0.8
    assert metrics["recall_lenet_500_test"]["value"] > 0.8


def test_names_carry_the_metric_backbone_count_and_split():
    assert names.count_name(10_000) == "10k" and names.count_name(2500) == "2500"
    assert names.count_name(1000) == "1k" and names.count_name(999) == "999"
    assert fidelity.metric_name("fid", "lenet", 10_000, "test") == "fid_lenet_10k_test"
    assert fidelity.metric_name("is", "lenet", 1000, None) == "is_lenet_1k"


def test_the_reference_features_are_cached_under_a_name_of_evaluator_split_size_content_and_bits(mnist):
    reference = mnist.test_images[:N, None]

    def name_of(images=reference, split="test"):
        return fidelity.reference_cache("mnist", split, images, cuda=False)["input2_cache_name"]

    name = name_of()
    digest = hashlib.sha256(reference.numpy().tobytes()).hexdigest()[:16]
    assert re.fullmatch(f"ganbench-mnist-test-{N}-{digest}-{SHA[:16]}-[0-9a-f]{{8}}", name)
    assert name_of(mnist.test_images[1 : N + 1, None]) != name and name_of(split="val") != name
    with torch_threads(1):
        one = name_of()
    with torch_threads(2):
        two = name_of()
    assert one != two and name in (one, two)  # the features' last bits depend on the thread count
    cache = fidelity.reference_cache("mnist", "test", reference, cuda=False)
    assert cache["cache"] is True and cache["cache_root"] == str(catalogue.cache_dir() / "fidelity")
    fidelity.evaluator_metrics(mnist.train_images[:100, None], reference, "mnist", "test", cuda=False)
    assert any(p.name.startswith(name) for p in (catalogue.cache_dir() / "fidelity").iterdir())


def test_reference_statistics_are_the_mean_and_covariance_of_the_features(mnist, monkeypatch, tmp_path):
    monkeypatch.setattr(fidelity, "_REFERENCE_STATS", {})  # computed here, not found from an earlier test
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # nor from torch-fidelity's cache on disk
    reference = mnist.test_images[:N, None]
    stats = fidelity.reference_statistics(reference, "mnist", "test", CPU)
    feats = features(reference)[1]
    assert np.allclose(stats["mu"], feats.mean(axis=0), rtol=1e-6, atol=1e-9)
    assert np.allclose(stats["sigma"], np.cov(feats, rowvar=False), rtol=1e-6, atol=1e-9)
    assert fidelity.reference_statistics(reference, "mnist", "test", CPU) is stats  # once per process
    fewer = fidelity.reference_statistics(mnist.test_images[: N - 1, None], "mnist", "test", CPU)
    assert not np.allclose(fewer["mu"], stats["mu"])


def test_a_new_process_reads_the_reference_statistics_fid_uses_from_disk(mnist, monkeypatch, tmp_path):
    """Quality over time compares each snapshot with the statistics torch-fidelity cached for the final
    FID: a process that starts later (a --jobs worker, a Ray task) reads them and runs no evaluator."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(fidelity, "_REFERENCE_STATS", {})
    generated, reference = mnist.train_images[:N, None], mnist.test_images[:N, None]
    final = fidelity.evaluator_metrics(generated, reference, "mnist", "test", cuda=False)["fid_lenet_500_test"]
    name = fidelity.reference_cache("mnist", "test", reference, cuda=False)["input2_cache_name"]
    cached = torch.load(
        tmp_path / "ganbench" / "fidelity" / f"{name}-ganbench-lenet-mnist-stat-fid-features.pt", weights_only=False
    )

    def no_evaluator(*args, **kwargs):
        raise AssertionError("the evaluator ran")

    with monkeypatch.context() as patched:
        patched.setattr(evaluators.EvaluatorCNN, "forward", no_evaluator)
        stats = fidelity.reference_statistics(reference, "mnist", "test", CPU)  # what a new process does
    assert stats["mu"].dtype == cached["mu"].dtype and np.array_equal(stats["mu"], cached["mu"])
    assert np.array_equal(stats["sigma"], cached["sigma"])
    # a snapshot's FID against them is the final FID, for the same samples
    snapshot = fidelity.fid_statistics(fidelity.evaluator_outputs(generated, "mnist", CPU)[1])
    assert fidelity.fid_between(snapshot, stats) == pytest.approx(final["value"], rel=1e-6)


def test_each_dataset_registers_its_evaluator_once_with_torch_fidelity():
    from torch_fidelity.registry import FEATURE_EXTRACTORS_REGISTRY

    fresh = f"planted-{uuid.uuid4().hex[:8]}"  # a name no earlier test registered
    assert evaluator_extractor.extractor_name(fresh) == f"ganbench-lenet-{fresh}"
    cls = FEATURE_EXTRACTORS_REGISTRY[f"ganbench-lenet-{fresh}"]
    assert cls.__name__ == f"EvaluatorExtractor_{fresh.replace('-', '_')}" and cls.dataset == fresh
    assert issubclass(cls, evaluator_extractor.EvaluatorExtractor) and cls.get_provided_features_list() == (
        "logits",
        "features",
    )
    assert evaluator_extractor.extractor_name(fresh) == f"ganbench-lenet-{fresh}"
    assert FEATURE_EXTRACTORS_REGISTRY[f"ganbench-lenet-{fresh}"] is cls  # not registered twice

    assert evaluator_extractor.extractor_name("mnist") == "ganbench-lenet-mnist"
    assert evaluator_extractor.extractor_name("fashion-mnist") == "ganbench-lenet-fashion-mnist"
    cls = FEATURE_EXTRACTORS_REGISTRY["ganbench-lenet-fashion-mnist"]
    assert cls.dataset == "fashion-mnist" and issubclass(cls, evaluator_extractor.EvaluatorExtractor)
    assert cls.__name__ == "EvaluatorExtractor_fashion_mnist"
    assert evaluator_extractor.extractor_name("fashion-mnist") == "ganbench-lenet-fashion-mnist"
    assert FEATURE_EXTRACTORS_REGISTRY["ganbench-lenet-fashion-mnist"] is cls  # not registered twice


def test_the_extractor_reads_the_first_channel_and_maps_each_metric_to_its_layer():
    cls = evaluator_extractor.EvaluatorExtractor
    assert cls.get_provided_features_list() == ("logits", "features")
    assert {m: cls.get_default_feature_layer_for_metric(m) for m in ("isc", "fid", "kid", "prc")} == {
        "isc": "logits",
        "fid": "features",
        "kid": "features",
        "prc": "features",
    }
    assert cls.can_be_compiled() is False
    dummy = cls.get_dummy_input_for_compile()
    assert dummy.shape == (1, 1, 28, 28) and dummy.dtype == torch.uint8 and int(dummy.sum()) == 0
    extractor = registered_extractor("mnist")(name="x", features_list=["features", "logits"])
    gray = torch.randint(0, 256, (4, 1, 28, 28), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
    rgb = torch.cat([gray, torch.zeros_like(gray), torch.full_like(gray, 255)], dim=1)
    feats, logits = extractor(gray)
    again = extractor(rgb)
    assert torch.equal(feats, again[0]) and torch.equal(logits, again[1])
    assert feats.shape == (4, 128) and logits.shape == (4, 10)


def registered_extractor(dataset):
    from torch_fidelity.registry import FEATURE_EXTRACTORS_REGISTRY

    return FEATURE_EXTRACTORS_REGISTRY[evaluator_extractor.extractor_name(dataset)]


def test_image_tensors_take_uint8_batches_only():
    images = torch.zeros(3, 1, 28, 28, dtype=torch.uint8)
    dataset = fidelity.ImageTensors(images)
    assert len(dataset) == 3 and dataset[2] is not None and torch.equal(dataset[1], images[1])
    with pytest.raises(AssertionError):
        fidelity.ImageTensors(images.float())
    with pytest.raises(AssertionError):
        fidelity.ImageTensors(images[:, 0])


@pytest.mark.parametrize("samples", [None, 10, 100_000])
def test_a_sample_count_from_ten_to_a_hundred_thousand_is_taken(samples):
    fidelity.check_sample_count(samples)


@pytest.mark.parametrize(("samples", "word"), [(9, "few"), (0, "few"), (100_001, "many")])
def test_a_sample_count_outside_the_bounds_is_refused_with_them(samples, word):
    from gan_bench.errors import InvalidOption

    with pytest.raises(InvalidOption) as refused:
        fidelity.check_sample_count(samples)
    assert str(refused.value) == (
        f"--samples: {samples:,} is too {word}; valid: 10 to 100,000 (all samples are held in memory while scoring)"
    )


def test_one_evaluator_pass_gives_calculate_metrics_values_and_the_evaluator_logits(mnist):
    """evaluator_scores runs torch-fidelity's steps itself to keep the logits: its values are
    calculate_metrics' own, bit for bit, and its logits are the evaluator's on the same images."""
    import torch_fidelity

    generated, reference = mnist.train_images[N : 2 * N, None], mnist.test_images[:N, None]
    metrics, logits = fidelity.evaluator_scores(generated, reference, "mnist", "test", cuda=False)
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
        kid_subset_size=N,
        prc_neighborhood=fidelity.PRC_NEIGHBORHOOD,
        samples_shuffle=False,
        rng_seed=fidelity.RNG_SEED,
        **fidelity.reference_options("mnist", "test", reference, cuda=False),
    )
    assert metrics["is_lenet_500"]["value"] == raw["inception_score_mean"]
    assert metrics["is_lenet_500"]["std"] == raw["inception_score_std"]
    assert metrics["fid_lenet_500_test"]["value"] == raw["frechet_inception_distance"]
    assert metrics["kid_lenet_500_test"]["value"] == raw["kernel_inception_distance_mean"]
    assert metrics["precision_lenet_500_test"]["value"] == raw["precision"]
    assert metrics["recall_lenet_500_test"]["value"] == raw["recall"]
    own_logits, _ = fidelity.evaluator_outputs(generated, "mnist", CPU)
    assert logits.shape == (N, 10)
    torch.testing.assert_close(logits, own_logits, rtol=1e-5, atol=1e-5)
    assert torch.equal(logits.argmax(1), own_logits.argmax(1))


def test_fid_only_is_the_full_pass_fid_and_logits_without_the_other_metrics(mnist):
    """Translation scoring asks for FID alone; it must be the very entry and logits of a full pass."""
    generated, reference = mnist.train_images[N : 2 * N, None], mnist.test_images[:N, None]
    fid, logits = fidelity.evaluator_scores(generated, reference, "mnist", "test", cuda=False, fid_only=True)
    full, full_logits = fidelity.evaluator_scores(generated, reference, "mnist", "test", cuda=False)
    assert fid == {"fid_lenet_500_test": full["fid_lenet_500_test"]}
    assert torch.equal(logits, full_logits)


def test_precision_recall_are_torch_fidelitys_and_the_reference_radii_are_measured_once(monkeypatch):
    """Batched as torch-fidelity batches (here 64 rows at a time), equal to its own function's values;
    a second scoring against the same reference features reuses their radii, other features get theirs."""
    from torch_fidelity.metric_prc import prc_features_to_metric

    from gan_bench.metrics import precision_recall as pr

    gen = torch.Generator().manual_seed(0)
    generated, reference, other = (torch.randn(n, 16, generator=gen) for n in (150, 200, 200))
    measured = []
    real_radii = pr._radii
    monkeypatch.setattr(pr, "_radii", lambda f, k, b: measured.append(len(f)) or real_radii(f, k, b))
    monkeypatch.setattr(pr, "_RADII", {})
    for against in (reference, reference.clone(), other):
        ours = pr.precision_recall(generated, against, 3, batch=64)
        theirs = prc_features_to_metric(
            generated, against, prc_neighborhood=3, prc_batch_size=64, save_cpu_ram=True, verbose=False
        )
        assert ours == {"precision": theirs["precision"], "recall": theirs["recall"]}
        assert 0 < ours["precision"] < 1 and 0 < ours["recall"] < 1
    assert measured == [150, 200, 150, 150, 200]  # the generated set's each time, each reference's once


@settings(max_examples=40, deadline=None)
@given(
    st.integers(5, 60).flatmap(
        lambda n: st.lists(st.lists(st.integers(-2, 2), min_size=3, max_size=3), min_size=n, max_size=n)
    ),
    st.integers(1, 4),
    st.integers(1, 70),
)
def test_the_radii_are_torch_fidelitys_kthvalue_ones_bit_for_bit_ties_included(rows, k, batch):
    """On a small integer grid many distances tie; each row's radius is still the very value
    torch-fidelity's kthvalue picks, batch by batch."""
    from torch_fidelity.metric_prc import calc_cdist_part

    from gan_bench.metrics import precision_recall as pr

    features = torch.tensor(rows, dtype=torch.float32)
    k = min(k, len(rows) - 1)
    theirs = torch.cat([calc_cdist_part(p, features, batch).kthvalue(k + 1).values for p in features.split(batch)])
    assert torch.equal(pr._radii(features, k, batch), theirs)


def test_a_point_exactly_at_a_neighbours_radius_is_inside_its_ball():
    """Kynkäänniemi et al.'s balls are closed: on the line 0 … 9 (k = 3) the radius of 0 is 3, so a
    generated point at -3 is inside it and one at -3.5 is not."""
    from gan_bench.metrics import precision_recall as pr

    line = torch.arange(10, dtype=torch.float32)[:, None]
    got = pr.precision_recall(torch.tensor([[-3.0], [-3.5], [4.0], [20.0]]), line, 3)
    assert got["precision"] == 0.5  # -3 and 4 inside, -3.5 and 20 outside


def test_the_radii_of_four_reference_sets_are_kept_and_the_oldest_goes_first(monkeypatch):
    from gan_bench.metrics import precision_recall as pr

    monkeypatch.setattr(pr, "_RADII", {})
    gen = torch.Generator().manual_seed(1)
    sets = [torch.randn(20, 4, generator=gen) for _ in range(5)]
    for s in sets:
        pr.reference_radii(s, 3, 64)
    kept = [torch.equal(r, pr._radii(s, 3, 64)) for r, s in zip(pr._RADII.values(), sets[1:])]
    assert len(pr._RADII) == 4 and all(kept)
