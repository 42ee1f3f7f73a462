"""A suite's CI thresholds: the bound on one metric, and the checks that read a thresholds table
(known recipes or scored samples, known metric names, per-dataset tables split from their recipe's)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, FiniteFloat, NonNegativeFloat, model_validator

from gan_bench.data import folders
from gan_bench.errors import did_you_mean
from gan_bench.metrics import names as metric_names
from gan_bench.suite.run_spec import known_recipe


class Threshold(BaseModel):
    """An absolute bound (min and/or max), or a bound relative to a baseline with a tolerance."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)  # `max = true` is no bound
    min: FiniteFloat | None = None
    max: FiniteFloat | None = None
    baseline: bool = False
    tolerance: NonNegativeFloat | None = Field(default=None, allow_inf_nan=False)  # 0.1: 10% worse than the baseline

    @model_validator(mode="after")
    def _one_rule(self) -> Threshold:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min:g} is above max {self.max:g}: no value could pass")
        if not self.baseline and self.min is None and self.max is None:
            raise ValueError("a threshold needs min, max, or baseline = true with a tolerance")
        if self.baseline and self.tolerance is None:
            raise ValueError("baseline = true needs a tolerance (e.g. 0.1 for 10%)")
        if self.tolerance is not None and not self.baseline:
            raise ValueError("tolerance only applies with baseline = true")
        return self


def listed(dataset) -> list:
    return [dataset] if isinstance(dataset, str) else dataset if isinstance(dataset, list) else []


def split_dataset_tables(tables: dict, dataset) -> tuple[dict, dict]:
    """[thresholds.<profile>.<recipe>.<dataset>] sub-tables (a key naming one of the suite's datasets,
    holding a table), taken out of their recipe's table: (the tables left, the dataset tables)."""
    names = {folders.spelled(d) for d in listed(dataset) if isinstance(d, str)}
    left, per_dataset = {}, {}
    for profile, recipes in tables.items():
        if not isinstance(recipes, dict):
            left[profile] = recipes
            continue
        left[profile] = {}
        for recipe, metrics in recipes.items():
            if not isinstance(metrics, dict):
                left[profile][recipe] = metrics
                continue
            mine = [k for k, v in metrics.items() if folders.spelled(k) in names and isinstance(v, dict)]
            left[profile][recipe] = {k: v for k, v in metrics.items() if k not in mine}
            own = {folders.spelled(k): metrics[k] for k in mine}
            if own:
                per_dataset.setdefault(profile, {})[recipe] = own
    return left, per_dataset


def tables_in(v) -> list[tuple[str, dict]]:
    """(recipe, its table) of every profile of a thresholds table, where it has that shape (the
    field's type names anything else)."""
    profiles = v.values() if isinstance(v, dict) else []
    return [
        (r, t) for recipes in profiles if isinstance(recipes, dict) for r, t in recipes.items() if isinstance(t, dict)
    ]


def known_gated(recipe: str, scored: list[str]) -> None:
    if recipe not in scored:
        try:
            known_recipe(recipe)
        except ValueError as e:
            raise ValueError(f"{e}; for samples scored with --input, name them in 'scored'") from None


def known_metric(metric: str, gated: str, datasets: list[str]) -> None:
    if not metric_names.is_metric(metric):
        tables = f", or one of the suite's datasets ({', '.join(datasets)}) as a table" if datasets else ""
        meant = metric_names.closest(metric)
        guess = f"did you mean {meant!r}? " if meant else did_you_mean(metric, datasets)
        raise ValueError(
            f"unknown metric {metric!r} for {gated}; {guess}valid: protocol names such as {metric_names.EXAMPLES}{tables}"
        )
