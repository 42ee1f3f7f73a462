"""The recipe schema: every documented fact of a variant, its sources, quirks and profiles."""

from __future__ import annotations

from typing import Any, ClassVar, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, PositiveFloat, PositiveInt, model_validator

from gan_bench.rundir.identity import PROVENANCE  # descriptive fields: in spec.json, not in the spec hash

PROFILES = ("full", "quick", "smoke")
# Marks a field added after runs were made: at its default it stays out of the spec hash, so
# those runs keep their hash and resume; any other value is hashed as usual.
NEW_FACT = {"hashed_at_default": False}


class Schedule(BaseModel):
    """Length and intervals, all in optimisation steps (one D update + one G update).

    A row of history is logged after every ``log_every`` steps (means over those steps); a
    sample grid after ``sample_first`` steps and every ``sample_every``; a checkpoint every
    ``checkpoint_every``. The last step always logs, samples and checkpoints.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    steps: PositiveInt
    log_every: PositiveInt
    sample_first: NonNegativeInt
    sample_every: PositiveInt
    checkpoint_every: PositiveInt

    def with_steps(self, steps: int) -> Schedule:
        """This schedule stretched or shrunk to ``steps``, keeping about as many rows and grids."""
        scale = steps / self.steps

        def fit(n: int) -> int:
            return max(1, min(steps, round(n * scale)))

        return Schedule(
            steps=steps,
            log_every=fit(self.log_every),
            sample_first=min(steps, round(self.sample_first * scale)),
            sample_every=fit(self.sample_every),
            checkpoint_every=fit(self.checkpoint_every),
        )


Modality = Literal[
    "gray28", "rgb28", "points", "paired", "unpaired"
]  # what a recipe trains on; datasets declare theirs


class RecipeBase(BaseModel):
    """What every recipe shares: provenance, data feeding, packing, outputs and profiles.

    A recipe class names the system that trains it in ``system``: the class itself, or its
    ``"module:Class"`` path (imported when first built). Subclasses add their own fields.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    system: ClassVar[Any] = None
    name: str
    source: str
    choices: dict[str, str]  # facts the document does not state, and where ganbench took them from
    quirks: dict[str, bool]  # named quirks reproduced as written (True) or switched off
    modality: Modality = "gray28"
    conditional: bool = False
    sampling: Literal["tf_next_batch", "epoch_shuffle", "with_replacement"]
    batch_size: PositiveInt
    steps_per_epoch: PositiveFloat  # for the history's epoch column
    # PacGAN packing (Lin et al. 2018): D judges `pac` samples concatenated; 1 is the plain recipe.
    pac: PositiveInt = 1
    sample_count: PositiveInt
    profiles: dict[Literal["full", "quick", "smoke"], Schedule]

    def record(self) -> dict:
        """The recipe as spec.json records it: every field but the profiles."""
        record = self.model_dump(mode="json", exclude={"profiles"})
        for name, field in type(self).model_fields.items():
            if field.json_schema_extra == NEW_FACT and getattr(self, name) == field.default:
                del record[name]  # a fact added later, at its default: the runs made before it keep their hash
        return record

    def facts(self) -> dict:
        """What decides a run's numbers: the record but the provenance text (``source``,
        ``choices``), so rewording where a fact came from leaves spec hashes alone."""
        return {k: v for k, v in self.record().items() if k not in PROVENANCE}

    @model_validator(mode="after")
    def _complete(self) -> RecipeBase:
        missing = set(PROFILES) - set(self.profiles)
        if missing:
            raise ValueError(f"recipe {self.name} lacks profiles {sorted(missing)}")
        if self.pac > 1 and self.conditional:
            raise ValueError(f"recipe {self.name}: packing applies to unconditional recipes only")
        return self


class MLPRecipe(RecipeBase):
    """An MLP GAN recipe (tf-mlp, slides-mlp, keras-mlp, torch-mlp)."""

    system: ClassVar[str] = "gan_bench.variants.mlp:MLPGAN"
    family: Literal["mlp"] = "mlp"
    # data
    scaling: Literal["divide_255", "totensor_normalize", "center_127.5"]
    train_split: Literal["train_60k", "tf_train_55k"]
    # noise
    z_dim: PositiveInt
    z_dist: Literal["normal", "uniform"]
    z_params: tuple[float, float]  # (mean, std) or (low, high)
    # networks
    g_hidden: tuple[PositiveInt, ...]
    g_act: Literal["relu", "lrelu0.2"]
    g_out: Literal["sigmoid", "tanh"]
    d_hidden: tuple[PositiveInt, ...]
    d_act: Literal["relu", "lrelu0.2"]
    d_dropout: float
    d_out: Literal["sigmoid", "none"]
    init: Literal["torch_default", "normal", "keras_first_normal"]
    init_weight_std: float = 0.0
    init_bias: float = 0.0
    # objective and step
    loss: Literal["raw_log", "bce_logits", "keras_bce", "torch_bce"]
    real_label: PositiveFloat = 1.0
    d_update: Literal["joint", "concat", "separate_backward"]
    g_noise: Literal["same", "fresh"]
    # optimiser (Adam, one per network): torch's, or Keras 2's with the iterations counter one
    # instance shares between D's and the combined model's updates (optimizers/keras2_adam.py)
    lr: PositiveFloat
    betas: tuple[float, float]
    eps: PositiveFloat
    optimiser: Literal["torch_adam", "keras2_adam_shared"] = Field("torch_adam", json_schema_extra=NEW_FACT)

    @property
    def pixel_range(self) -> tuple[float, float]:
        return (0.0, 1.0) if self.scaling == "divide_255" else (-1.0, 1.0)


class ToyRecipe(RecipeBase):
    """PacGAN's 2D mixture model (Lin et al. 2018): BN-ReLU MLP G and maxout D."""

    system: ClassVar[str] = "gan_bench.variants.toy:ToyGAN"
    family: Literal["toy"] = "toy"
    modality: Literal["points"] = "points"
    z_dim: PositiveInt
    g_hidden: tuple[PositiveInt, ...]
    d_maxout: tuple[PositiveInt, ...]
    maxout_pieces: PositiveInt
    init_std: PositiveFloat
    lr: PositiveFloat
    betas: tuple[float, float]


class ToyCodeRecipe(ToyRecipe):
    """PacGAN's 2D mixture model as PacGAN's released code trains it: one forward pass gives D and G
    their gradients, applied together, and G's batch norm runs per pack member (nets/member_norm.py)."""

    system: ClassVar[str] = "gan_bench.variants.toy_code:ToyGANCode"
    bn_momentum: PositiveFloat
    bn_eps: PositiveFloat


class CGANRecipe(RecipeBase):
    """The conditional MLP GAN of the TensorFlow book's Example 10-2 and the tfGAN notebooks."""

    system: ClassVar[str] = "gan_bench.variants.cgan:CGAN"
    family: Literal["cgan"] = "cgan"
    conditional: Literal[True] = True
    train_split: Literal["train_60k", "tf_train_55k"]
    z_dim: PositiveInt
    z_dist: Literal["normal", "uniform"]
    z_params: tuple[float, float]
    hidden: PositiveInt
    lr: PositiveFloat
    betas: tuple[float, float]
    eps: PositiveFloat


class DCGANMnistRecipe(RecipeBase):
    """the TensorFlow book, chapter 10, Example 10-3: the small TF convolutional GAN with RMSProp and loss balancing."""

    system: ClassVar[str] = "gan_bench.variants.dcgan_mnist:DCGANMnist"
    family: Literal["dcgan-mnist"] = "dcgan-mnist"
    z_dim: PositiveInt
    z_params: tuple[float, float]  # uniform (low, high)
    filters: PositiveInt
    dense: PositiveInt
    dropout_rate: float  # the share of units dropped when dropout acts
    bn_momentum: float  # torch's momentum = 1 - TF's decay
    bce_eps: PositiveFloat
    l2: float
    lr: PositiveFloat
    g_balance: PositiveFloat  # skip G's update when g_loss * g_balance < d_loss
    d_balance: PositiveFloat  # skip D's update when d_loss * d_balance < g_loss


class DCGANRecipe(RecipeBase):
    """Radford et al. 2016: strided (de)convolutions, BN, ReLU/LReLU, tanh out, Adam 2e-4 / 0.5."""

    system: ClassVar[str] = "gan_bench.variants.dcgan:DCGAN"
    family: Literal["dcgan"] = "dcgan"
    image_size: Literal[28, 32, 64]
    channels: Literal[1, 3]
    z_dim: PositiveInt
    ngf: PositiveInt
    ndf: PositiveInt
    init_std: PositiveFloat
    lr: PositiveFloat
    betas: tuple[float, float]


class Pix2PixRecipe(RecipeBase):
    """Isola et al. 2017: U-Net G (dropout as noise), PatchGAN D on the (A, B) pair, cGAN + λ·L1."""

    system: ClassVar[str] = "gan_bench.variants.pix2pix:Pix2Pix"
    family: Literal["pix2pix"] = "pix2pix"
    modality: Literal["paired"] = "paired"
    ngf: PositiveInt
    ndf: PositiveInt
    dropout: float
    gan_weight: float  # 0 is the L1-only ablation (D is still trained, as a monitor)
    l1_weight: float
    init_std: PositiveFloat
    lr: PositiveFloat
    betas: tuple[float, float]


class CycleGANRecipe(RecipeBase):
    """Zhu et al. 2017: G: A→B and F: B→A, PatchGAN D_A and D_B, least squares, cycle and identity L1."""

    system: ClassVar[str] = "gan_bench.variants.cyclegan:CycleGAN"
    family: Literal["cyclegan"] = "cyclegan"
    modality: Literal["unpaired"] = "unpaired"
    generator: Literal["resnet", "unet"]
    ngf: dict[int, PositiveInt]  # image size up to which (inclusive) -> G's base width
    ndf: PositiveInt
    resnet_blocks: dict[int, PositiveInt]  # image size up to which (inclusive) -> residual blocks
    cycle_weight: float
    identity_weight: float  # a share of cycle_weight (0.5 in the paper)
    pool_size: NonNegativeInt
    decay_from: float  # the share of the steps after which lr decays linearly to 0
    init_std: PositiveFloat
    lr: PositiveFloat
    betas: tuple[float, float]

    @staticmethod
    def by_size(table: dict[int, int], size: int) -> int:
        return table[min((s for s in table if size <= s), default=max(table))]


Recipe = Union[
    MLPRecipe, ToyRecipe, ToyCodeRecipe, CGANRecipe, DCGANMnistRecipe, DCGANRecipe, Pix2PixRecipe, CycleGANRecipe
]
