"""Variant families and the registry of documented recipes (and their packed versions)."""

from __future__ import annotations

import torch

from gan_bench.errors import InvalidOption, UserError
from gan_bench.variants import packing
from gan_bench.variants.image_recipes import RECIPES as IMAGE_RECIPES
from gan_bench.variants.mlp_recipes import RECIPES as MLP_RECIPES
from gan_bench.variants.recipe import Recipe
from gan_bench.variants.toy_recipes import TOY_GAN
from gan_bench.variants.translation_recipes import RECIPES as TRANSLATION_RECIPES

__all__ = ["RECIPES", "Recipe", "get_recipe", "is_recipe", "build_system"]

RECIPES: dict[str, Recipe] = {**MLP_RECIPES, **IMAGE_RECIPES, TOY_GAN.name: TOY_GAN, **TRANSLATION_RECIPES}


def get_recipe(name: str) -> Recipe:
    if name in RECIPES:
        return RECIPES[name]
    split = packing.split(name)
    if split and split[0] in RECIPES:
        base, m = RECIPES[split[0]], split[1]
        if base.conditional:
            raise InvalidOption(
                f"unknown recipe {name!r}: packing (-pac<m>) applies to unconditional recipes only, "
                f"and {base.name} is conditional"
            )
        if m > packing.MAX_PAC:
            raise InvalidOption(f"unknown recipe {name!r}: packing m must be 1 to {packing.MAX_PAC}")
        return base if m == 1 else packing.packed(base, m)
    raise InvalidOption(
        f"unknown recipe {name!r}; valid: {', '.join(RECIPES)}, "
        f"or an unconditional one with -pac2 … -pac{packing.MAX_PAC}"
    )


def is_recipe(name: str) -> bool:
    try:
        get_recipe(name)
    except UserError:
        return False
    return True


def build_system(recipe: Recipe, device: torch.device, dataset=None):
    """The recipe's system; translation families size their networks to ``dataset``'s images."""
    from gan_bench.variants.cgan import CGAN
    from gan_bench.variants.cyclegan import CycleGAN
    from gan_bench.variants.dcgan import DCGAN
    from gan_bench.variants.dcgan_mnist import DCGANMnist
    from gan_bench.variants.mlp import MLPGAN
    from gan_bench.variants.pix2pix import Pix2Pix
    from gan_bench.variants.toy import ToyGAN

    families = {"mlp": MLPGAN, "toy": ToyGAN, "cgan": CGAN, "dcgan-mnist": DCGANMnist, "dcgan": DCGAN}
    if recipe.family in ("pix2pix", "cyclegan"):
        return {"pix2pix": Pix2Pix, "cyclegan": CycleGAN}[recipe.family](recipe, device, dataset)
    return families[recipe.family](recipe, device)
