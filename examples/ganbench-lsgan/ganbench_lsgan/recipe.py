"""The LSGAN recipe: its own fields on top of what every ganbench recipe states."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import PositiveFloat, PositiveInt

from gan_bench.extend import RecipeBase, Schedule
from ganbench_lsgan.system import LSGAN


class LSGANRecipe(RecipeBase):
    system: ClassVar[type] = LSGAN  # ClassVar[...] with its argument: Python 3.10 refuses a bare one
    family: Literal["lsgan-mlp"] = "lsgan-mlp"
    z_dim: PositiveInt
    hidden: tuple[PositiveInt, ...]
    lr: PositiveFloat
    betas: tuple[float, float]


LSGAN_MLP = LSGANRecipe(
    name="lsgan-mlp",
    source="Mao et al. 2017, Least Squares Generative Adversarial Networks (a, b, c = 0, 1, 1)",
    choices={
        "networks": "MLPs with LeakyReLU(0.2), as the textbook MLP GANs; D's output is linear",
        "optimiser": "Adam 2e-4, betas (0.5, 0.999), as DCGAN and Lucic et al. 2018's LSGAN grid",
    },
    quirks={},
    modality="gray28",
    sampling="epoch_shuffle",
    batch_size=64,
    steps_per_epoch=60000 / 64,
    sample_count=64,
    z_dim=64,
    hidden=(256, 512),
    lr=2e-4,
    betas=(0.5, 0.999),
    profiles={
        "full": Schedule(steps=30000, log_every=100, sample_first=0, sample_every=5000, checkpoint_every=5000),
        "quick": Schedule(steps=5000, log_every=100, sample_first=0, sample_every=1000, checkpoint_every=1000),
        "smoke": Schedule(steps=1500, log_every=50, sample_first=0, sample_every=500, checkpoint_every=500),
    },
)
