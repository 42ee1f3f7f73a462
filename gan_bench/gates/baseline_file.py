"""The baseline file's shape, checked when it is read: a hand-edited baseline with a number where a
recipe's table goes, or a mean that is not a number, is refused naming the field, never a traceback
(or a threshold silently compared against nothing)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, FiniteFloat, NonNegativeFloat, NonNegativeInt, ValidationError

from gan_bench.errors import field_problem
from gan_bench.rundir.layout import not_an_object


class MetricStatistics(BaseModel):
    model_config = ConfigDict(extra="allow")
    mean: FiniteFloat
    std: NonNegativeFloat
    n: NonNegativeInt


STATISTICS = 'a JSON object such as {"mean": 12.5, "std": 0.4, "n": 3}'
Recipes = dict[str, dict[str, MetricStatistics]]  # recipe → metric → statistics


class DatasetBaseline(BaseModel):
    model_config = ConfigDict(extra="allow")
    recipes: Recipes


class BaselineFile(BaseModel):
    """What `ganbench baseline` writes: 'recipes' for runs on one dataset, 'datasets' for several."""

    model_config = ConfigDict(extra="allow")  # produced_by and keys a later ganbench may add
    suite: str | None = None
    profile: str | None = None
    device: str | None = None
    direction: Literal["AtoB", "BtoA"] | None = None  # runs of a translation task: the way they translate
    dataset: str | list[str] | None = None
    images: dict[str, str] = {}  # per translation folder, the sha256 prefix of the images the runs used
    environment: dict[str, list[str]] = {}  # per env.json key, the values of the runs behind it
    recipes: Recipes | None = None
    datasets: dict[str, DatasetBaseline] | None = None


def problem(data) -> str | None:
    """Why ``data`` (a parsed baseline file) is not one ganbench wrote; None when it is one."""
    if not isinstance(data, dict):
        return not_an_object(data)
    try:
        model = BaselineFile.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        where, message = field_problem(first)
        if first["type"] == "missing":
            return f"field '{where}' is missing"
        message = message.replace(f"a valid dictionary or instance of {MetricStatistics.__name__}", STATISTICS)
        return f"field '{where}': {message.replace('a valid dictionary', 'a JSON object')}"
    if model.recipes is None and model.datasets is None:
        return "field 'recipes' is missing"
    return None
