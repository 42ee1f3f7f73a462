"""One training run's spec: recipe, dataset, seed, profile, device and options, with the checks
that every way of naming a run shares (the seed's range, the profile, a recipe fitting a dataset)
and the hash that names what the run depends on."""

from __future__ import annotations

import collections
from typing import Literal

from pydantic import BaseModel, ConfigDict, NonNegativeInt, PositiveInt, field_validator, model_validator

from gan_bench.data import datasets as all_datasets
from gan_bench.defaults import MAX_SEED, MAX_SEEDS
from gan_bench.errors import InvalidOption, UserError, unknown
from gan_bench.rundir.identity import spec_hash
from gan_bench.variants import get_recipe
from gan_bench.variants.recipe import PROFILES, Recipe, Schedule
from gan_bench.variants.registry import module_reference, origin

Profile = Literal["full", "quick", "smoke"]
Direction = Literal["AtoB", "BtoA"]


def _known(value: str, valid, what: str) -> str:
    if value not in valid:
        raise ValueError(unknown(what, value, valid))
    return value


def known_recipe(name: str) -> str:
    try:
        get_recipe(name)
    except UserError as e:  # inside a pydantic validator: a ValueError becomes the field's message
        raise ValueError(str(e)) from None
    return name


def recipe_name(ref: str) -> str:
    """The name of the recipe a suite or ``--recipes`` refers to (a plug-in's "module:attribute"
    is imported and registered; a name is returned as it is)."""
    return get_recipe(ref).name if ":" in ref else ref


def no_repeats(values: list, what: str) -> None:
    """Refuse values given twice, naming each (not the whole list, which may be a thousand seeds)."""
    repeated = sorted(v for v, n in collections.Counter(values).items() if n > 1)
    if repeated:
        raise ValueError(f"{', '.join(map(str, repeated))} listed more than once; each {what} runs once")


def check_profile(profile: str) -> str:
    """A profile name every recipe defines: one of PROFILES."""
    if profile not in PROFILES:
        raise InvalidOption(f"--profile: {unknown('profile', profile, PROFILES)}")
    return profile


def check_seed(seed: int) -> int:
    """A seed whose derived streams (1000·seed + 1 … 4) fit the 32-bit seeds torch's CPU generator
    keeps; beyond it two seeds would draw the same numbers."""
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed {seed} is outside 0 … {MAX_SEED:,} (larger seeds would repeat smaller ones' streams)")
    return seed


def check_seed_count(count: int) -> None:
    """Refuse more seeds than one suite run takes, before a run is planned for any of them."""
    if count > MAX_SEEDS:
        raise ValueError(
            f"{count:,} seeds; at most {MAX_SEEDS:,} in one suite run (split a larger sweep over several --out folders)"
        )


def module_ref(recipe: Recipe) -> str | None:
    """A plug-in recipe's "module:attribute" when it was named so (entry points, and recipes
    registered by hand, are found by name)."""
    return module_reference(origin(recipe))


def _modality(dataset: str) -> str:
    try:
        return all_datasets.modality(dataset)
    except UserError as e:  # a folder without a translation layout
        raise ValueError(str(e)) from None


def datasets_for(recipe: str) -> list[str]:
    """ganbench's datasets that ``recipe`` trains on (its kind of data), the default first."""
    wants = get_recipe(recipe).modality
    return [d for d in all_datasets.NAMES if all_datasets.modality(d) == wants]


def default_dataset(recipe: str) -> str:
    """The dataset ``train`` uses when given none: the first of ganbench's that the recipe trains on
    (mnist for the MNIST recipes, ring for toy-gan, edges2digits for pix2pix, digits2bold for cyclegan)."""
    return datasets_for(recipe)[0]


def compatible(recipe: str, dataset: str) -> None:
    """Raise ValueError unless ``recipe`` trains on ``dataset``'s kind of data."""
    wants, has = get_recipe(recipe).modality, _modality(dataset)
    if wants != has:
        raise ValueError(
            f"recipe {recipe} trains on {wants} data and dataset {dataset} is {has}; "
            f"datasets for {recipe}: {', '.join(datasets_for(recipe))}"
        )


class RunSpec(BaseModel):
    """One training run: everything that determines its result."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    recipe: str
    recipe_ref: str | None = None  # a plug-in's "module:attribute", so any process can import it
    dataset: str
    seed: NonNegativeInt
    profile: Profile
    steps: PositiveInt | None = None  # overrides the profile's length
    device: Literal["cpu", "cuda"]
    direction: Direction = "AtoB"  # translation data only
    compile: bool = False  # G and D through torch.compile (opt-in; not bit-identical to eager)
    cuda_graph: bool = False  # each step replayed as one captured CUDA graph (opt-in; train/cuda_graph.py)

    @field_validator("seed")
    @classmethod
    def _seed(cls, v: int) -> int:
        return check_seed(v)

    @model_validator(mode="after")
    def _direction(self) -> RunSpec:
        if self.direction != "AtoB" and not all_datasets.is_translation(self.dataset):
            raise ValueError(f"direction {self.direction} applies to translation data only, not {self.dataset}")
        return self

    @property
    def recipe_obj(self) -> Recipe:
        return get_recipe(self.recipe_ref or self.recipe)

    @property
    def schedule(self) -> Schedule:
        base = self.recipe_obj.profiles[self.profile]
        return base.with_steps(self.steps) if self.steps else base

    def resolved(self) -> dict:
        """The spec as written to spec.json (without its hash): recipe facts, schedule, data, seed."""
        recipe = self.recipe_obj.record()
        extra = {"direction": self.direction} if all_datasets.is_translation(self.dataset) else {}
        plugin = origin(self.recipe_obj)
        if plugin is not None:  # distribution, version and source sha256: a changed plug-in changes the hash
            extra["plugin"] = plugin
        if self.compile:  # only when on, so the hashes of eager runs stay as they were
            extra["compile"] = True
        if self.cuda_graph:
            extra["cuda_graph"] = True
        return {
            "recipe": recipe,
            "dataset": self.dataset,
            **extra,
            "seed": self.seed,
            "profile": self.profile,
            "schedule": self.schedule.model_dump(mode="json"),
            "device": self.device,
        }

    @property
    def hash(self) -> str:
        """sha256 of the resolved spec, with the recipe's provenance text left out (see Recipe.facts)."""
        return spec_hash({**self.resolved(), "recipe": self.recipe_obj.facts()})

    @property
    def label(self) -> str:
        return f"{self.recipe} seed {self.seed}"
