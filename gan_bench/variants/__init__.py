"""Variant families and the recipe registry: the built-in recipes register here (variants/registry.py;
their systems are imported when they train); ``get_recipe`` also finds plug-ins and packed recipes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gan_bench.errors import UserError
from gan_bench.variants.image_recipes import RECIPES as IMAGE_RECIPES
from gan_bench.variants.mlp_recipes import RECIPES as MLP_RECIPES
from gan_bench.variants.plugins import register_recipe
from gan_bench.variants.recipe import Recipe, RecipeBase
from gan_bench.variants.registry import builtin_recipes, get_recipe, register_builtin, system_class
from gan_bench.variants.toy_recipes import RECIPES as TOY_RECIPES
from gan_bench.variants.translation_recipes import RECIPES as TRANSLATION_RECIPES

if TYPE_CHECKING:
    import torch

__all__ = ["RECIPES", "Recipe", "RecipeBase", "get_recipe", "is_recipe", "build_system", "register_recipe"]

for _recipe in (*MLP_RECIPES.values(), *IMAGE_RECIPES.values(), *TOY_RECIPES.values(), *TRANSLATION_RECIPES.values()):
    register_builtin(_recipe)

RECIPES: dict[str, Recipe] = builtin_recipes()


def is_recipe(name: str) -> bool:
    try:
        get_recipe(name)
    except UserError:
        return False
    return True


def build_system(recipe: RecipeBase, device: torch.device, dataset=None):
    """The recipe's system, built as ``System(recipe, device, dataset)`` (translation families size
    their networks to ``dataset``'s images)."""
    return system_class(recipe)(recipe, device, dataset)
