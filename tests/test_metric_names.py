"""The metric name grammar, defined once: which names exist, which way is better, what they carry."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gan_bench.metrics import names

LOWER = [
    "fid_lenet_10k_test", "fid_inception_10k_test", "kid_lenet_1k_train", "kl_generated_data",
    "reverse_kl_2d_2500", "kl_stacked_lenet_26k", "l1_10k_test", "cycle_l1_1k_test",
    "mapping_l1_ab_10k_test", "mapping_l1_ba_10k_test", "fid_ab_lenet_10k_test", "fid_ba_lenet_1k_test",
]  # fmt: skip
HIGHER = [
    "is_lenet_10k", "is_inception_1k", "precision_lenet_10k_test", "recall_inception_10k_train", "modes_covered",
    "mean_confidence", "modes_2d_2500", "high_quality_2d_2500", "modes_stacked_lenet_26k",
    "cond_accuracy_lenet_10k", "psnr_10k_test", "ssim_1k_test", "label_acc_lenet_10k", "label_acc_ab_lenet_1k",
]  # fmt: skip
NOT_METRICS = [
    "fid_lenet_10k", "fid_lenet_10k_val", "fid_vgg_10k_test", "is_lenet", "modes_stacked_inception_26k",
    "label_acc_inception_10k", "fid_ab_inception_10k_test", "modes_2d", "recipe", "seed", "fid_lenet_1k_test.std",
    "xfid_lenet_1k_test", "cond_accuracy_lenet_10k_test",
    # a count written otherwise than scoring writes it: a threshold on it would never find its metric
    "fid_lenet_10000_test", "is_lenet_1000", "fid_lenet_010k_test", "fid_lenet_0k_test", "modes_2d_02500",
]  # fmt: skip


@pytest.mark.parametrize("metric", LOWER)
def test_lower_is_better(metric):
    assert names.is_metric(metric) and names.direction(metric) == -1


@pytest.mark.parametrize("metric", HIGHER)
def test_higher_is_better(metric):
    assert names.is_metric(metric) and names.direction(metric) == 1


@pytest.mark.parametrize("metric", NOT_METRICS)
def test_other_words_are_not_metrics(metric):
    assert not names.is_metric(metric) and names.direction(metric) == 0


def test_names_are_built_from_the_protocol():
    assert names.count_name(10_000) == "10k" and names.count_name(2500) == "2500" and names.count_name(999) == "999"
    assert names.name("fid", 10_000, backbone="lenet", split="test") == "fid_lenet_10k_test"
    assert names.name("is", 1000, backbone="inception") == "is_inception_1k"
    assert names.name("fid_way", 2500, way="ba") == "fid_ba_lenet_2500_test"
    assert names.name("modes_covered") == "modes_covered"
    assert [names.backbone_of(m) for m in ("kid_inception_1k_test", "modes_stacked_lenet_26k", "l1_1k_test")] == [
        "inception", None, None,
    ]  # fmt: skip


def test_every_family_builds_names_it_recognises():
    for key in names.FAMILIES:
        built = names.name(key, 2500, backbone="lenet", split="test", way="ab")
        assert names.family(built) == key, built


@pytest.mark.parametrize(
    "typo, meant",
    [
        ("fid_lenet_1k_tset", "fid_lenet_1k_test"),
        ("modes_covred", "modes_covered"),
        ("fid_inceptoin_10k_test", "fid_inception_10k_test"),
        ("FID_lenet_10k_test", "fid_lenet_10k_test"),
        ("fid_lenet_10000_test", "fid_lenet_10k_test"),
        ("is_lenet_1000", "is_lenet_1k"),
        ("fid_lenet_10k", "fid_lenet_10k_test"),  # not is_lenet_10k, nearer letter for letter
        ("precison_lenet_10k_test", "precision_lenet_10k_test"),
        ("reverse_kl_hq_2d2500", "reverse_kl_hq_2d_2500"),
        ("fid_lenet_test", "fid_lenet_10k_test"),  # no count: the default 10,000
        ("fid_lenet_0k_test", "fid_lenet_10k_test"),  # no run scores 0 samples
        ("kid_lenet_1_tset", "kid_lenet_1_test"),
        ("fid_ab_lenet_10k_tset", "fid_ab_lenet_10k_test"),
        ("label_acc_ba_lenet_1k_tset", "label_acc_ba_lenet_1k"),
    ],
)
def test_a_misspelt_name_gets_the_name_it_most_likely_meant(typo, meant):
    assert not names.is_metric(typo) and names.closest(typo) == meant


@pytest.mark.parametrize("word", ["fid", "foo", "seed", "accuracy", "seed_10k_test", "recipe_10k_test"])
def test_a_word_far_from_every_name_gets_no_guess(word):
    assert names.closest(word) is None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcdefiklmnoprstuvy_0123456789", max_size=30))
def test_a_guess_is_always_a_name_a_threshold_accepts(word):
    meant = names.closest(word)
    assert meant is None or names.is_metric(meant)
