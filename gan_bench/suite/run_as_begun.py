"""What `train --resume --out RUN` continues with when it is given no recipe: the recipe, dataset,
seed, profile, length, device and options that the run's spec.json records."""

from __future__ import annotations

from pathlib import Path

from gan_bench import defaults
from gan_bench.errors import InvalidOption, RunDirError
from gan_bench.rundir.layout import SUITE_FILE, RunDir, run_folders
from gan_bench.suite.resume_command import suite_resumed, train_resumed
from gan_bench.variants import get_recipe, is_recipe
from gan_bench.variants.registry import module_reference


def check_recipe_given(recipe: str | None, resume: bool, out) -> None:
    """Only a resume into a given run directory may leave the recipe out; a run's folder given
    where the recipe goes (`train --resume RUN`) is told the command that continues it."""
    if recipe is None and (not resume or out is None):
        raise InvalidOption("recipe: give the recipe to train (or --resume --out RUN to continue the run in RUN)")
    if resume and out is None and isinstance(recipe, str):
        continues = _command_continuing(Path(recipe))
        if continues is not None and not is_recipe(recipe):
            raise InvalidOption(f"recipe: {recipe} is {continues}")


def _command_continuing(folder: Path) -> str | None:
    """What ``folder`` is and the command that continues it, when it is a run's or a suite run's."""
    run = RunDir(folder)
    if run.spec.is_file():
        return f"a run directory, not a recipe; continue it with {train_resumed(run)}"
    if (folder / SUITE_FILE).is_file():
        return f"a suite run's folder, not a recipe; continue it with `{suite_resumed(folder)}`"
    return None


def _not_a_run(folder: Path) -> str:
    """Why ``folder`` is no run to continue, and what to give instead."""
    if (folder / SUITE_FILE).is_file():
        return f"is a suite run's folder, not one run; continue it with `{suite_resumed(folder)}`"
    inside = run_folders(folder) if folder.is_dir() else []
    if len(inside) == 1:
        return f"is no run directory, but holds one: give --out {inside[0]}"
    if inside:
        return f"holds {len(inside)} runs, not one; give one run directory, such as {inside[0]}"
    return "holds no run to continue (no spec.json); give the recipe to train one there"


def options_begun(out: Path) -> dict:
    """The arguments of :func:`gan_bench.train` that make the spec recorded in ``out``'s spec.json."""
    run = RunDir(out)
    if not run.spec.is_file():
        raise RunDirError(f"--out: {out} {_not_a_run(Path(out))}")
    spec = run.read_spec()
    ref = module_reference(spec.get("plugin"))
    if ref is not None:
        get_recipe(ref)  # a plug-in named by module:attribute: registered, so its name resolves
    name = spec["recipe"].get("name")
    if not isinstance(name, str):
        raise RunDirError(f"{run.spec}: field 'recipe.name' is {name!r}, not a recipe name")
    steps = spec.get("schedule", {}).get("steps")
    schedule = get_recipe(name).profiles.get(spec["profile"])  # an unknown profile: train() names it
    default = schedule.steps if schedule is not None else None
    return {
        "recipe": name,
        "dataset": spec["dataset"],
        "seed": spec["seed"],
        "profile": spec["profile"],
        "steps": steps if isinstance(steps, int) and steps != default else None,
        "device": spec["device"],
        "direction": spec.get("direction"),
        "compile": spec.get("compile") is True,
        "cuda_graph": spec.get("cuda_graph") is True,
    }


def as_begun(out: Path, given: dict) -> dict:
    """:func:`gan_bench.train`'s arguments to continue the run in ``out``: each of ``given`` that
    was given (not None; compile and cuda_graph when on), else the run's own. A run begun on CPU
    stays there where device is left "auto", which would pick CUDA where present."""
    begun = options_begun(out)
    chosen = {**begun, **{k: v for k, v in given.items() if v is not None and v is not False}}
    if chosen["device"] == defaults.DEVICE and begun["device"] == "cpu":
        chosen["device"] = "cpu"
    return chosen
