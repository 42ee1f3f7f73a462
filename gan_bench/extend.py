"""Everything a plug-in recipe needs, in one import: ``from gan_bench.extend import ...``.

- ``RecipeBase``: subclass it for your recipe's fields; set its ClassVar ``system`` to your system class.
- ``Schedule``: a profile's length and logging, sampling and checkpoint intervals.
- ``System``: the contract (see its docstring); ``GANSystem``: a System with G, D, one optimiser
  each, checkpoint state and ``update``; ``frozen(D)``: D's weights untouched during G's step.
- ``REQUIRED_SCALARS``: the names every ``train_step`` returns first.
- ``register_recipe``: register a recipe by hand (entry points and "module:attribute" do it for you).
"""

from gan_bench.errors import PluginError
from gan_bench.variants.base import GANSystem, frozen
from gan_bench.variants.plugins import register_recipe
from gan_bench.variants.recipe import RecipeBase, Schedule
from gan_bench.variants.registry import get_recipe, unregister_recipe
from gan_bench.variants.system import REQUIRED_SCALARS, System

__all__ = [
    "GANSystem",
    "PluginError",
    "REQUIRED_SCALARS",
    "RecipeBase",
    "Schedule",
    "System",
    "frozen",
    "get_recipe",
    "register_recipe",
    "unregister_recipe",
]
