"""The 2D ring and grid under PacGAN's protocol: the data, and the scores on real and planted samples."""

import math

import pytest
import torch

from gan_bench.data import mixtures
from gan_bench.metrics import mixture


@pytest.mark.parametrize("name,k,std", [("ring", 8, 0.01), ("grid", 25, 0.05)])
def test_real_samples_capture_every_mode_with_near_zero_kl(name, k, std):
    data = mixtures.build(name)
    assert data.train_images.shape == (100_000, 2) and data.modes["std"] == std
    s = mixture.scores(data.test_images[:2500], torch.tensor(data.modes["means"]), std)
    assert s["modes"] == k and s["modes_total"] == k
    # Within 3 std in 2D holds 1 - exp(-4.5) = 98.9% of a Gaussian's mass.
    assert 97.5 < s["high_quality"] <= 100
    assert s["reverse_kl"] < 0.02


def test_protocol_means():
    ring = mixtures.means("ring")
    assert torch.allclose(ring.norm(dim=1), torch.ones(8, dtype=torch.float64))
    assert sorted({round(v, 6) for v in mixtures.means("grid").flatten().tolist()}) == [-4, -2, 0, 2, 4]


def test_the_data_is_a_fixed_function_of_the_dataset():
    a, b = mixtures.build("grid"), mixtures.build("grid")
    assert torch.equal(a.train_images, b.train_images) and a.sha256 == b.sha256
    assert torch.bincount(a.train_labels, minlength=25).min() > 3500  # every component is drawn


def test_collapsed_and_off_manifold_samples():
    means = mixtures.means("ring")
    one_mode = means[:1].float().repeat(2500, 1)
    s = mixture.scores(one_mode, means, 0.01)
    assert s["modes"] == 1 and s["high_quality"] == 100
    assert s["reverse_kl"] == pytest.approx(math.log(8))
    between = ((means[0] + means[1]) / 2).float().repeat(2500, 1)  # halfway: far from both means
    s = mixture.scores(between, means, 0.01)
    assert s["modes"] == 0 and s["high_quality"] == 0
    nan = torch.full((10, 2), float("nan"))
    assert mixture.scores(nan, means, 0.01)["high_quality"] == 0


def test_metric_names_carry_the_sample_count():
    assert mixture.metric_names(2500) == {
        "modes": "modes_2d_2500",
        "high_quality": "high_quality_2d_2500",
        "reverse_kl": "reverse_kl_2d_2500",
        "reverse_kl_hq": "reverse_kl_hq_2d_2500",
    }


def test_scatter_marks_the_missed_modes_and_titles_the_counts(tmp_path):
    """Points on 6 of the ring's 8 means: the plot crosses out exactly the other 2 and says 6/8."""
    import matplotlib.pyplot as plt

    from gan_bench.training.scatter import draw_scatter, save_scatter

    data = mixtures.build("ring")
    means = torch.tensor(data.modes["means"], dtype=torch.float64)
    points = means[:6].float().repeat_interleave(100, dim=0)
    fig = draw_scatter(points, data.modes, "toy-gan, step 10")
    ax = fig.axes[0]
    by_label = {c.get_label(): c.get_offsets() for c in ax.collections}
    assert torch.allclose(torch.tensor(by_label["mode missed"].data, dtype=torch.float64), means[6:])
    assert torch.allclose(torch.tensor(by_label["mode captured"].data, dtype=torch.float64), means[:6])
    assert ax.get_title() == "toy-gan, step 10\n6/8 modes captured, 100.0% high quality (600 points)"
    plt.close(fig)
    save_scatter(tmp_path / "s.png", points, data.modes, "toy-gan, step 10")
    assert (tmp_path / "s.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
