"""Plug-in recipes: found through the ``ganbench.recipes`` entry points of installed packages, or
named as ``module:attribute``; imported, checked against the contract, registered, and given a
provenance (distribution, version, sha256 of the source) that spec.json records.

Every failure here, an import error included, is one PluginError naming the plug-in.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.metadata as metadata
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

from gan_bench import tracebacks
from gan_bench.errors import PluginError
from gan_bench.variants import registry

GROUP = "ganbench.recipes"
REFERENCE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")


def _entry_points() -> list[metadata.EntryPoint]:
    return list(metadata.entry_points(group=GROUP))


def entry_point_names() -> list[str]:
    return sorted({ep.name for ep in _entry_points()})


def load_all(on_broken: Callable[[PluginError], None] | None = None) -> list:
    """Every installed plug-in's recipe, registered. A broken one raises its PluginError, or is
    handed to ``on_broken`` and left out."""
    recipes = []
    for name in entry_point_names():
        try:
            recipes.append(load_entry_point(name))
        except PluginError as e:
            if on_broken is None:
                raise
            on_broken(e)
    return recipes


def _imported(load, where: str):
    try:
        return load()
    except PluginError:
        raise
    except Exception as e:  # a plug-in's own code can raise anything while importing
        raise PluginError(f"{where}: failed to import ({tracebacks.one_line(e)})") from None


def load_entry_point(name: str):
    """The recipe an installed package offers under ``name``, registered; None when none does."""
    found = [ep for ep in _entry_points() if ep.name == name]
    if not found:
        return None
    if len({ep.value for ep in found}) > 1:
        offers = ", ".join(f"{ep.value} ({_dist_name(ep)})" for ep in found)
        raise PluginError(f"recipe {name!r} is offered by more than one installed entry point: {offers}")
    ep = found[0]
    where = f"plug-in recipe {name!r} (entry point {ep.value} of {_dist_name(ep)})"
    recipe = _imported(ep.load, where)
    if getattr(recipe, "name", name) != name:
        raise PluginError(
            f"{where}: the recipe is named {recipe.name!r}; an entry point's name must be its recipe's name"
        )
    return _register(recipe, where, {"ref": ep.value, "entry_point": name, **_distribution(ep.module)})


def load_reference(ref: str):
    """The recipe at ``module:attribute`` (the working directory is searched too), registered."""
    if not REFERENCE.match(ref):
        raise PluginError(f"plug-in recipe {ref!r}: expected module:attribute, e.g. mygan.recipes:lsgan")
    module, _, attr = ref.partition(":")
    where = f"plug-in recipe {ref!r}"

    def load():
        if os.getcwd() not in sys.path:
            sys.path.append(os.getcwd())
        obj = importlib.import_module(module)
        for part in attr.split("."):
            if not hasattr(obj, part):
                raise PluginError(f"{where}: module {module} has no attribute {attr!r}")
            obj = getattr(obj, part)
        return obj

    recipe = _imported(load, where)
    return _register(recipe, where, {"ref": ref, **_distribution(module)})


def _register(recipe, where: str, origin: dict):
    found = registry.problems(recipe)
    if found:
        raise PluginError(f"{where}: " + "; ".join(found))
    origin["source_sha256"] = source_sha256(recipe)
    return registry.register(recipe, origin)


def register_recipe(recipe):
    """Register a recipe object by hand, for this process. It is a plug-in like any other: spec.json
    records the distribution, version and source sha256 of its class's package, so a change to its
    code changes its runs' spec hash; other processes find it by name, as an entry point's."""
    module = type(recipe).__module__
    origin = {"ref": f"{module}:{type(recipe).__qualname__}", "by_hand": True, **_distribution(module)}
    return _register(recipe, "register_recipe()", origin)


def _dist_name(ep: metadata.EntryPoint) -> str:
    return ep.dist.name if ep.dist is not None else "an unknown distribution"


def _distribution(module: str) -> dict:
    """The installed distribution that provides ``module``'s top-level package, if any."""
    names = _providers(_path_state()).get(module.split(".")[0], [])
    if not names:
        return {"dist": None, "version": None}
    return {"dist": names[0], "version": metadata.version(names[0])}


def _path_state() -> tuple:
    """sys.path with each folder's modification time. Installing or removing a distribution adds or
    removes a folder in one of them, which changes its time, and so the index below is rebuilt."""
    state = []
    for folder in sys.path:
        try:
            state.append((folder, os.stat(folder or ".").st_mtime_ns))
        except OSError:
            state.append((folder, None))
    return tuple(state)


@functools.lru_cache(maxsize=4)
def _providers(path_state: tuple) -> dict[str, list[str]]:
    """Top-level module name -> the distributions providing it, for the installs ``path_state``
    describes. Built once per state: it reads every distribution's file list (1.4 s on 2 cores)."""
    return metadata.packages_distributions()


def _source_files(module_name: str) -> dict[str, Path]:
    """Every .py file of the top-level package holding ``module_name`` (or the module's own file),
    by its path inside that package."""
    top = sys.modules.get(module_name.split(".")[0])
    if top is None:
        return {}
    if getattr(top, "__path__", None):
        root = Path(list(top.__path__)[0])
        files = (p for p in root.rglob("*.py") if "__pycache__" not in p.parts)
        return {f"{top.__name__}/{p.relative_to(root).as_posix()}": p for p in files}
    return {Path(top.__file__).name: Path(top.__file__)} if getattr(top, "__file__", None) else {}


def changed_source(recorded: dict | None, recipe) -> str | None:
    """How the plug-in source recorded in a run's spec.json differs from ``recipe``'s now, as text
    for a message; None when the run used no plug-in or the source is the same."""
    if not recorded:
        return None
    now = (registry.origin(recipe) or {}).get("source_sha256")
    before = recorded.get("source_sha256")
    if now == before:
        return None
    made_by = (
        f"; the version that made it: {recorded['dist']} {recorded.get('version')}" if recorded.get("dist") else ""
    )
    return f"sha256 {before}, now {now}{made_by}"


def source_sha256(recipe) -> str:
    """sha256 over the source of the packages that define the recipe's class and its system, so
    any change to the plug-in's code changes the spec hash of its runs."""
    modules = {type(recipe).__module__, registry.system_class(recipe).__module__}
    files = {name: path for m in modules for name, path in _source_files(m).items()}
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].read_bytes() + b"\0")
    return digest.hexdigest()
