"""Variant families and the registry of documented recipes."""

from __future__ import annotations

import torch

from gan_bench.errors import UserError
from gan_bench.variants.mlp import MLPGAN, prepare_images
from gan_bench.variants.mlp_recipes import RECIPES
from gan_bench.variants.recipe import Recipe

__all__ = ["RECIPES", "Recipe", "get_recipe", "build_system", "prepare_images"]


def get_recipe(name: str) -> Recipe:
    if name not in RECIPES:
        raise UserError(f"unknown recipe {name!r}; valid: {', '.join(RECIPES)}")
    return RECIPES[name]


def build_system(recipe: Recipe, device: torch.device) -> MLPGAN:
    return MLPGAN(recipe, device)
