"""The recipe registry: every recipe ganbench can train, by name.

The built-in recipes register themselves through ``register_recipe``, the same function a
plug-in's recipes go through (variants/plugins.py), so both meet one set of checks: the name's
format, no duplicates, a recipe object, and a system class that keeps the contract.
"""

from __future__ import annotations

import importlib

from gan_bench.api.arguments import checked_arguments
from gan_bench.errors import InvalidOption, PluginError, unknown
from gan_bench.rundir import paths
from gan_bench.variants import packing
from gan_bench.variants.recipe import RecipeBase

_recipes: dict[str, RecipeBase] = {}
_origins: dict[str, dict] = {}  # a plug-in recipe's provenance, by name
_builtin: list[str] = []


def system_class(recipe: RecipeBase) -> type:
    """The class named by the recipe class's ``system`` (a class, or a "module:Class" path)."""
    target = type(recipe).system
    if isinstance(target, str):
        module, _, attr = target.partition(":")
        try:
            return getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as e:
            raise PluginError(f"recipe {recipe.name!r}: cannot import its system {target!r} ({e})") from None
    return target


def problems(recipe, system: bool = True) -> list[str]:
    """What keeps ``recipe`` from being registered (empty when nothing does); ``system=False`` leaves
    its system class unimported and unchecked."""
    if not isinstance(recipe, RecipeBase):
        return [f"a {type(recipe).__name__} is not a recipe (an instance of a gan_bench.RecipeBase subclass)"]
    found = []
    if not paths.is_name(recipe.name) or packing.split(recipe.name):
        found.append(f"recipe name {recipe.name!r} is not valid; use {paths.NAME_RULE}, not ending in -pac<m>")
    if type(recipe).system is None:
        found.append(f"recipe class {type(recipe).__name__} names no system (set its ClassVar 'system')")
    elif system:
        from gan_bench.variants.system import contract_problems  # system modules load torch

        found += contract_problems(system_class(recipe))
    return found


def register(recipe, origin: dict) -> RecipeBase:
    """Add a plug-in's ``recipe`` under its name, with ``origin``, its provenance (see plugins.py).
    Registering the same recipe from the same origin again returns it; anything else under a
    taken name is refused."""
    return _add(recipe, origin, problems(recipe))


def register_builtin(recipe: RecipeBase) -> RecipeBase:
    """A built-in recipe: the tests hold its system to the contract, so its module (and torch) is
    imported when the recipe trains, not when ganbench starts (report, check and list need none)."""
    return _add(recipe, None, problems(recipe, system=False))


def _add(recipe, origin: dict | None, found: list[str]) -> RecipeBase:
    where = origin["ref"] if origin else "built-in recipe"
    if found:
        raise PluginError(f"{where}: " + "; ".join(found))
    existing = _recipes.get(recipe.name)
    if existing is not None:
        if existing is recipe or (existing == recipe and _origins.get(recipe.name) == origin):
            return existing  # the same recipe again (also when reached both by entry point and module)
        other = _origins.get(recipe.name, {}).get("ref", "a built-in recipe")
        raise PluginError(f"{where}: recipe name {recipe.name!r} is already taken by {other}; choose another name")
    _recipes[recipe.name] = recipe
    if origin is None:
        _builtin.append(recipe.name)
    else:
        _origins[recipe.name] = origin
    return recipe


def unregister_recipe(name: str) -> None:
    """Remove a plug-in recipe (built-in recipes stay)."""
    if name in _builtin:
        raise InvalidOption(f"{name!r} is a built-in recipe and cannot be removed")
    _recipes.pop(name, None)
    _origins.pop(name, None)


def builtin_recipes() -> dict[str, RecipeBase]:
    return {name: _recipes[name] for name in _builtin}


def registered() -> dict[str, RecipeBase]:
    return dict(_recipes)


def origin(recipe: RecipeBase) -> dict | None:
    """A plug-in recipe's provenance (packed ones: their base's); None for a built-in recipe."""
    split = packing.split(recipe.name)
    return _origins.get(recipe.name) or (_origins.get(split[0]) if split else None)


def registered_by_hand(recipes) -> list[str]:
    """The names, sorted, of those of ``recipes`` registered by hand (register_recipe): only this
    process has them, so no other process (a --jobs worker, a Ray task) can train them."""
    return sorted({r.name for r in recipes if (origin(r) or {}).get("by_hand")})


def module_reference(origin: dict | None) -> str | None:
    """The "module:attribute" a plug-in's origin (or a spec.json's "plugin") names, which imports it
    in any process; None for an entry point's (found by name), one registered by hand (found by name
    in its own process only) and a built-in recipe."""
    if not isinstance(origin, dict) or not isinstance(origin.get("ref"), str):
        return None
    return None if {"entry_point", "by_hand"} & set(origin) else origin["ref"]


def lookup(name: str) -> RecipeBase | None:
    """A registered recipe, or an installed plug-in's recipe found by its entry point's name."""
    if name in _recipes:
        return _recipes[name]
    from gan_bench.variants import plugins

    return plugins.load_entry_point(name)


@checked_arguments
def get_recipe(ref: str) -> RecipeBase:
    """A recipe by name (built in, or an installed plug-in's), by ``name-pac<m>`` (packed), or by
    ``module:attribute`` (a plug-in module importable from the working directory)."""
    if ":" in ref:
        from gan_bench.variants import plugins

        return plugins.load_reference(ref)
    found = lookup(ref)
    if found is not None:
        return found
    split = packing.split(ref)
    base = lookup(split[0]) if split else None
    if base is not None:
        m = split[1]
        if base.conditional or not system_class(base).supports_packing:
            why = "is conditional" if base.conditional else "declares no supports_packing"
            raise InvalidOption(
                f"unknown recipe {ref!r}: packing (-pac<m>) applies to unconditional recipes whose "
                f"system supports it, and {base.name} {why}"
            )
        if m > packing.MAX_PAC:
            raise InvalidOption(f"unknown recipe {ref!r}: packing m must be 1 to {packing.MAX_PAC}")
        return base if m == 1 else packing.packed(base, m)
    from gan_bench.variants import plugins

    raise InvalidOption(
        unknown(
            "recipe",
            ref,
            [*_recipes, *plugins.entry_point_names()],
            also=f", an unconditional one with -pac2 … -pac{packing.MAX_PAC}, or a plug-in as module:attribute",
        )
    )
