"""The recipe schema: every documented fact of a variant, its sources, quirks and profiles."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, PositiveInt, NonNegativeInt, PositiveFloat, model_validator

PROFILES = ("full", "quick", "smoke")


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

    def with_steps(self, steps: int) -> "Schedule":
        """This schedule stretched or shrunk to ``steps``, keeping about as many rows and grids."""
        scale = steps / self.steps

        def fit(n: int) -> int:
            return max(1, min(steps, round(n * scale)))

        return Schedule(steps=steps, log_every=fit(self.log_every),
                        sample_first=min(steps, round(self.sample_first * scale)),
                        sample_every=fit(self.sample_every), checkpoint_every=fit(self.checkpoint_every))


class MLPRecipe(BaseModel):
    """An MLP GAN recipe (tf-mlp, slides-mlp, keras-mlp, torch-mlp)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    family: Literal["mlp"] = "mlp"
    source: str
    choices: dict[str, str]  # facts the document does not state, and where ganbench took them from
    quirks: dict[str, bool]  # named quirks reproduced as written (True) or switched off
    # data
    scaling: Literal["divide_255", "totensor_normalize", "center_127.5"]
    train_split: Literal["train_60k", "tf_train_55k"]
    sampling: Literal["tf_next_batch", "epoch_shuffle", "with_replacement"]
    batch_size: PositiveInt
    steps_per_epoch: PositiveFloat  # for the history's epoch column
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
    # optimiser (Adam, one per network)
    lr: PositiveFloat
    betas: tuple[float, float]
    eps: PositiveFloat
    # outputs
    sample_count: PositiveInt
    profiles: dict[Literal["full", "quick", "smoke"], Schedule]

    @model_validator(mode="after")
    def _complete(self) -> "MLPRecipe":
        missing = set(PROFILES) - set(self.profiles)
        if missing:
            raise ValueError(f"recipe {self.name} lacks profiles {sorted(missing)}")
        return self

    @property
    def pixel_range(self) -> tuple[float, float]:
        return (0.0, 1.0) if self.scaling == "divide_255" else (-1.0, 1.0)


Recipe = MLPRecipe
