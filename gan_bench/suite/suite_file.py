"""Suites and run specs: pydantic models, TOML loading with one clear message per mistake.

A suite file (``suites/<name>.toml``)::

    name = "mnist"                    # lower-case letters, digits, . _ -: it names the output folder
    description = "..."
    dataset = "mnist"                 # mnist, fashion-mnist, stacked-mnist, ring, grid, edges2digits,
                                      # edges2fashion, digits2bold, a translation folder's path; or a list
    seeds = [0, 1, 2]
    recipes = ["tf-mlp", "torch-mlp"]  # recipe names; unconditional ones may add -pac<m> (packing);
                                      # a plug-in by its name, or as "module:attribute"
    profile = "smoke"                 # optional: the suite's default profile
    direction = "AtoB"                # optional, translation data: AtoB (default) or BtoA
    [only]                            # optional: a recipe runs on these of the suite's datasets only
    "pix2pix" = ["edges2digits"]
    [steps]                           # optional: fix a recipe's step count (> 0) for every profile
    "tf-mlp" = 40
    scored = ["mine"]                 # optional: samples scored with `score --input`, gated by
                                      # [thresholds.full."mine"] (recipes and seeds may then be empty)
    [thresholds.full."tf-mlp"]        # optional: CI gates, per profile and recipe, on every dataset
    fid_lenet_10k_test = { max = 60 }
    [thresholds.full."tf-mlp".mnist]  # optional: on one of the suite's datasets only (these win)
    modes_covered = { min = 9 }
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveInt,
    ValidationError,
    field_validator,
    model_validator,
)

from gan_bench.api.arguments import checked_arguments
from gan_bench.data import datasets as all_datasets
from gan_bench.data import folders
from gan_bench.errors import InvalidOption, SuiteError, UserError, did_you_mean, field_problem, guess_after
from gan_bench.rundir import paths
from gan_bench.suite.run_spec import (
    Direction,
    Profile,
    RunSpec,
    check_profile,
    check_seed,
    check_seed_count,
    compatible,
    known_recipe,
    module_ref,
    no_repeats,
    recipe_name,
)
from gan_bench.suite.thresholds import (
    Threshold,
    known_gated,
    known_metric,
    listed,
    split_dataset_tables,
    tables_in,
)
from gan_bench.variants import get_recipe, is_recipe

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib


def _named_or_kept(ref):
    """A reference's recipe name; one that does not load is kept, for its field's validator to name."""
    if not isinstance(ref, str):
        return ref
    try:
        return recipe_name(ref)
    except UserError:
        return ref


def _named(raw: dict, path: str):
    """The value at ``path`` with every "module:attribute" recipe reference replaced by the recipe's name."""
    value = raw.get(path)
    if isinstance(value, list):
        return [_named_or_kept(v) for v in value]
    if isinstance(value, dict):
        return {_named_or_kept(k): v for k, v in value.items()}
    return value


def _one_spelling(value):
    """A dataset name, or a list of them, with each folder's path written one way."""
    if isinstance(value, list):
        return [folders.spelled(v) if isinstance(v, str) else v for v in value]
    return folders.spelled(value) if isinstance(value, str) else value


class Suite(BaseModel):
    """A suite file, validated: the dataset(s), recipes and seeds it runs, its profile and
    per-recipe steps, and its CI thresholds (see the suite files section of the CLI docs)."""

    model_config = ConfigDict(extra="forbid", strict=True)  # TOML types its values: `seeds = [true]` is no seed
    name: str
    description: str = ""
    dataset: str | list[str]
    recipes: list[str] = []
    scored: list[str] = []  # names of samples scored with `score --input` that the thresholds gate
    seeds: list[NonNegativeInt] = Field(default=[], validate_default=True)  # after recipes: those need seeds
    profile: Profile | None = None
    steps: dict[str, PositiveInt] = {}
    direction: Direction = "AtoB"
    only: dict[str, list[str]] = {}
    thresholds: dict[Profile, dict[str, dict[str, Threshold]]] = {}
    # [thresholds.<profile>.<recipe>.<dataset>] tables, split out of their recipe's table on loading
    thresholds_per_dataset: dict[Profile, dict[str, dict[str, dict[str, Threshold]]]] = {}

    @model_validator(mode="before")
    @classmethod
    def _plugin_names(cls, raw):
        """Plug-ins named as "module:attribute" are imported, and known by their names from here on."""
        if not isinstance(raw, dict):
            return raw
        raw = {**raw, **{key: _named(raw, key) for key in ("recipes", "steps", "only") if key in raw}}
        if "dataset" in raw:
            raw["dataset"] = _one_spelling(raw["dataset"])
        if isinstance(raw.get("only"), dict):
            raw["only"] = {recipe: _one_spelling(names) for recipe, names in raw["only"].items()}
        if "thresholds_per_dataset" in raw:
            raise ValueError(
                "unknown key 'thresholds_per_dataset'; a dataset's own thresholds go in "
                "[thresholds.<profile>.<recipe>.<dataset>] tables"
            )
        if isinstance(raw.get("thresholds"), dict):
            named = {p: _named(raw["thresholds"], p) for p in raw["thresholds"]}
            raw["thresholds"], per_dataset = split_dataset_tables(named, raw.get("dataset"))
            if per_dataset:
                raw["thresholds_per_dataset"] = per_dataset
        return raw

    @field_validator("thresholds", mode="before")
    @classmethod
    def _thresholds(cls, v, info):
        """Names first (before the bounds are parsed), so a misspelt metric or dataset table is
        named as such rather than as a threshold with unknown keys."""
        scored = info.data.get("scored") or []
        names = [d for d in listed(info.data.get("dataset")) if isinstance(d, str)]
        names = names if len(names) > 1 else []  # the hint helps where datasets differ
        for recipe, metrics in tables_in(v):
            known_gated(recipe, scored)
            for metric in metrics:
                known_metric(metric, recipe, names)
        return v

    @field_validator("thresholds_per_dataset", mode="before")
    @classmethod
    def _thresholds_per_dataset(cls, v, info):
        scored = info.data.get("scored") or []
        for recipe, tables in tables_in(v):
            known_gated(recipe, scored)
            for dataset, metrics in tables.items():
                for metric in metrics if isinstance(metrics, dict) else []:
                    known_metric(metric, f"{recipe} on {dataset}", [])
        return v

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not paths.is_name(v):  # it names results/runs/<name>-<time>/ and the baseline file
            raise ValueError(f"{v!r} cannot name the suite's output folder; use {paths.NAME_RULE}")
        return v

    @field_validator("dataset", mode="before")
    @classmethod
    def _dataset_shape(cls, v):  # one message, not one per member of the union
        if not isinstance(v, str) and not (isinstance(v, list) and all(isinstance(d, str) for d in v)):
            raise ValueError(f"a dataset name or a list of them (got {v!r}); write it as {FIELD_FORMS['dataset']}")
        return v

    @field_validator("dataset")
    @classmethod
    def _dataset(cls, v: str | list[str]) -> str | list[str]:
        for name in [v] if isinstance(v, str) else v:
            if not all_datasets.known(name):
                raise ValueError(all_datasets.unknown(name))
        if isinstance(v, list) and (not v or len(set(v)) != len(v)):
            raise ValueError("a list of datasets must be non-empty and without repeats")
        return v

    @field_validator("seeds")
    @classmethod
    def _seeds(cls, v: list[int], info) -> list[int]:
        if info.data.get("recipes") and not v:
            raise ValueError("a suite with recipes needs at least one seed")
        no_repeats(v, "seed")
        check_seed_count(len(v))
        for seed in v:
            check_seed(seed)
        return v

    @field_validator("recipes")
    @classmethod
    def _recipes(cls, v: list[str]) -> list[str]:
        for name in v:
            known_recipe(name)
        no_repeats(v, "recipe")
        return v

    @field_validator("scored")
    @classmethod
    def _scored(cls, v: list[str]) -> list[str]:
        for name in v:
            if is_recipe(name):  # its runs and the samples would be reported and gated as one
                raise ValueError(
                    f"{name!r} is a recipe's name; scored samples go by a name of their own "
                    f"(`ganbench score --input ... --name {name}-samples`)"
                )
        return v

    @field_validator("steps")
    @classmethod
    def _steps(cls, v: dict[str, int]) -> dict[str, int]:
        for name in v:
            known_recipe(name)
        return v

    @model_validator(mode="after")
    def _fits(self) -> Suite:
        if not self.recipes and not self.scored:
            raise ValueError("a suite needs recipes to run (with seeds), or scored samples to gate (scored)")
        for recipe in self.steps:
            if recipe not in self.recipes:
                raise ValueError(f"steps: {_not_among(recipe, 'recipes', self.recipes)}")
        for profile, table in self.thresholds_per_dataset.items():
            for recipe, tables in table.items():
                where = self.datasets_of(recipe) if recipe in self.recipes else self.datasets
                for dataset in tables:
                    if dataset not in where:
                        raise ValueError(
                            f"thresholds.{profile}.{recipe}.{dataset}: {recipe} does not run on {dataset} "
                            f"(its datasets: {', '.join(where)})"
                        )
        for profile in {**self.thresholds, **self.thresholds_per_dataset}:
            for recipe in self.gated(profile):
                if recipe not in self.recipes and recipe not in self.scored:
                    raise ValueError(
                        f"thresholds.{profile}: {recipe!r} is not one of the suite's recipes "
                        f"({', '.join(self.recipes) or 'none'}) or scored samples ({', '.join(self.scored) or 'none'})"
                        + guess_after(recipe, [*self.recipes, *self.scored])
                    )
        for recipe, names in self.only.items():
            if recipe not in self.recipes:
                raise ValueError(f"only: {_not_among(recipe, 'recipes', self.recipes)}")
            for name in names:
                if name not in self.datasets:
                    raise ValueError(f"only.{recipe}: {_not_among(name, 'datasets', self.datasets)}")
        for recipe in self.recipes:
            for dataset in self.datasets_of(recipe):
                try:
                    compatible(recipe, dataset)
                except ValueError as e:  # named by the key that pairs them
                    if recipe in self.only:
                        raise ValueError(f"only.{recipe}: {e}") from None
                    fit = [d for d in self.datasets if _fits(recipe, d)]
                    hint = f'; or add [only] "{recipe}" = {json.dumps(fit)}' if fit else ""
                    raise ValueError(f"dataset: {e}{hint}") from None
        if self.direction != "AtoB" and not all(all_datasets.is_translation(d) for d in self.datasets):
            raise ValueError(f"direction: {self.direction} applies to translation data only")
        return self

    def content(self) -> dict:
        """What the suite hash covers: every field, ``scored`` and ``thresholds_per_dataset`` only when
        used (so older hashes hold)."""
        dump = self.model_dump(mode="json")
        for unused in ("scored", "thresholds_per_dataset"):
            if not dump[unused]:
                del dump[unused]
        return dump

    def gated(self, profile: str) -> list[str]:
        """The recipes (and scored samples) that the profile's thresholds name, in the file's order."""
        return list({**self.thresholds.get(profile, {}), **self.thresholds_per_dataset.get(profile, {})})

    def thresholds_of(self, profile: str, recipe: str, dataset: str) -> dict[str, Threshold]:
        """The thresholds on ``recipe``'s runs on ``dataset``: its table's, then its dataset table's."""
        own = self.thresholds_per_dataset.get(profile, {}).get(recipe, {}).get(dataset, {})
        return {**self.thresholds.get(profile, {}).get(recipe, {}), **own}

    def datasets_of(self, recipe: str) -> list[str]:
        return [d for d in self.datasets if recipe not in self.only or d in self.only[recipe]]

    @property
    def datasets(self) -> list[str]:
        return [self.dataset] if isinstance(self.dataset, str) else list(self.dataset)

    def expand(
        self, profile: str, device: str, recipes: list[str] | None = None, seeds: list[int] | None = None
    ) -> list[RunSpec]:
        """The (recipe, seed) runs of this suite, optionally narrowed to some recipes and seeds."""
        recipes = [recipe_name(r) for r in recipes] if recipes else recipes
        for name in recipes or []:
            if name not in self.recipes:
                raise InvalidOption(
                    f"--recipes: {name!r} is not in suite {self.name!r}; "
                    f"{did_you_mean(name, self.recipes)}valid: {', '.join(self.recipes)}"
                )
        check_profile(profile)
        return [
            RunSpec(
                recipe=r,
                recipe_ref=module_ref(get_recipe(r)),
                dataset=d,
                seed=s,
                profile=profile,
                steps=self.steps.get(r),
                device=device,
                direction=self.direction,
            )
            for d in self.datasets
            for r in (recipes or self.recipes)
            if d in self.datasets_of(r)
            for s in (seeds if seeds is not None else self.seeds)
        ]


def _not_among(value: str, what: str, valid: list[str]) -> str:
    return f"{value!r} is not one of the suite's {what} ({', '.join(valid)}){guess_after(value, valid)}"


SUITE_KEYS = [k for k in Suite.model_fields if k != "thresholds_per_dataset"]  # what a suite file may hold


# How each field is written, for a value of the wrong shape (a number where a list goes, ...).
FIELD_FORMS = {
    "name": 'name = "my-suite"',
    "description": 'description = "..."',
    "dataset": 'dataset = "mnist", or dataset = ["mnist", "fashion-mnist"]',
    "recipes": 'recipes = ["tf-mlp", "torch-mlp"]',
    "scored": 'scored = ["my-samples"]',
    "seeds": "seeds = [0, 1, 2]",
    "steps": '[steps] then "tf-mlp" = 40',
    "only": '[only] then "pix2pix" = ["edges2digits"]',
    "thresholds": '[thresholds.full."tf-mlp"] then fid_lenet_10k_test = { max = 60 }',
}


def _fits(recipe: str, dataset: str) -> bool:
    try:
        compatible(recipe, dataset)
    except ValueError:
        return False
    return True


def _format_errors(path: Path, error: ValidationError) -> str:
    parts = []
    for e in error.errors():
        if e["loc"][:1] == ("thresholds_per_dataset",):  # a field the loader splits off: named as written
            e = {**e, "loc": ("thresholds", *e["loc"][1:])}
        loc = e["loc"]
        field, msg = field_problem(e)
        msg = msg.replace("a valid dictionary", "a TOML table")
        head, named, rest = msg.partition(": ")
        if not loc and named and head.split(".")[0] in SUITE_KEYS:  # a check across fields names its own
            field, msg = head, rest
        if e["type"] == "extra_forbidden":
            keys = Threshold.model_fields if loc[0] == "thresholds" else SUITE_KEYS
            msg = f"unknown key; {did_you_mean(loc[-1], keys)}valid keys: {', '.join(keys)}"
        elif e["type"] == "model_type":  # a threshold's value, the one model inside a suite
            msg = f"a threshold is a TOML table, such as {{ max = 60 }} or {{ min = 9 }} (got {e['input']!r})"
        elif e["type"] in ("list_type", "dict_type", "string_type") and loc and loc[0] in FIELD_FORMS:
            msg += f"; write it as {FIELD_FORMS[loc[0]]}"
        parts.append(f"field '{field}': {msg}")
    return f"{path}: " + "; ".join(parts)


@checked_arguments
def load_suite(name_or_path: str | Path) -> Suite:
    """A suite by name (the working directory's suites/ first, then ganbench's own) or by path."""
    from gan_bench.suite.locate import suite_path

    path = suite_path(name_or_path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))  # TOML is UTF-8; an editor may add a BOM
    except tomllib.TOMLDecodeError as e:
        raise SuiteError(f"{path}: invalid TOML: {e}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise SuiteError(f"{path}: cannot read suite file ({e})") from None
    try:
        return Suite.model_validate(raw)
    except ValidationError as e:
        raise SuiteError(_format_errors(path, e)) from None
