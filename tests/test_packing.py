"""PacGAN packing: D judges m consecutive samples concatenated; -pac<m> works for every
unconditional recipe and is refused for conditional ones."""

import pytest
import torch
from torch import nn

from gan_bench.errors import UserError
from gan_bench.executors.local import run_all
from gan_bench.suite.run_spec import RunSpec
from gan_bench.training.progress import Reporter
from gan_bench.variants import build_system, get_recipe
from gan_bench.variants.base import Packed

CPU = torch.device("cpu")


def test_packs_are_consecutive_samples_concatenated_along_features():
    seen = []
    net = nn.Identity()
    net.register_forward_hook(lambda m, i, o: seen.append(i[0]))
    x = torch.arange(12.0).reshape(6, 2)
    out = Packed(net, 3)(x)
    assert out.tolist() == [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11]]
    images = torch.arange(2 * 4 * 1 * 2 * 2.0).reshape(4 * 2, 1, 2, 2)
    packed = Packed(nn.Identity(), 2)(images)
    assert packed.shape == (4, 2, 2, 2) and torch.equal(packed[1, 1], images[3, 0])
    assert Packed(nn.Identity(), 4)(torch.zeros(10, 2)).shape == (2, 8)  # a short remainder is left out


@pytest.mark.parametrize(
    "name,first_in",
    [
        ("toy-gan-pac2", 4),
        ("toy-gan-pac4", 8),
        ("tf-mlp-pac3", 784 * 3),
        ("dcgan-stacked-pac2", 6),
        ("dcgan-mnist-pac2", 2),
    ],
)
def test_pac_m_widens_the_discriminator_input(name, first_in):
    recipe = get_recipe(name)
    assert recipe.pac == int(name[-1]) and recipe.name == name
    first = next(m for m in build_system(recipe, CPU).D.modules() if isinstance(m, (nn.Linear, nn.Conv2d)))
    assert (first.in_features if isinstance(first, nn.Linear) else first.in_channels) == first_in


def test_pac1_is_the_plain_recipe_and_conditional_recipes_refuse_packing():
    assert get_recipe("toy-gan-pac1") == get_recipe("toy-gan")
    with pytest.raises(UserError, match="unconditional"):
        get_recipe("cgan-pac2")
    with pytest.raises(UserError, match="1 to 8"):
        get_recipe("toy-gan-pac9")


@pytest.mark.slow
def test_a_packed_step_judges_batch_size_packs_of_m_samples(tmp_path):
    """With m = 3, each step draws 100·3 samples: the epoch column advances 3× as fast."""

    def epochs(recipe):
        spec = RunSpec(recipe=recipe, dataset="ring", seed=0, profile="smoke", steps=20, device="cpu")
        run_all([spec], tmp_path / recipe, resume=False, reporter=Reporter())
        last = (tmp_path / recipe / recipe / "seed-0" / "history.csv").read_text().splitlines()[-1]
        return float(last.split(",")[1])

    assert epochs("toy-gan-pac3") == pytest.approx(3 * epochs("toy-gan"))
    system = build_system(get_recipe("toy-gan-pac3"), CPU)
    outputs = []
    system.D.register_forward_hook(lambda m, i, o: outputs.append(o.shape))
    system.train_step((torch.randn(300, 2),), torch.Generator().manual_seed(0))
    assert outputs[0] == (100, 1)  # D's verdicts: one per pack
