"""PacGAN packing as a generic option: ``<recipe>-pac<m>`` is any unconditional recipe whose D
judges m samples concatenated (Lin et al. 2018). m = 1 is the plain recipe."""

from __future__ import annotations

import re

SUFFIX = re.compile(r"^(?P<base>.+)-pac(?P<m>[1-9][0-9]*)$")
MAX_PAC = 8


def split(name: str) -> tuple[str, int] | None:
    """("dcgan-stacked", 2) for "dcgan-stacked-pac2"; None when the name has no pac suffix."""
    match = SUFFIX.match(name)
    return (match["base"], int(match["m"])) if match else None


def packed(recipe, m: int):
    """``recipe`` with packing m: renamed, and an epoch is m times fewer steps."""
    return recipe.model_copy(
        update={
            "name": f"{recipe.name}-pac{m}",
            "pac": m,
            "steps_per_epoch": recipe.steps_per_epoch / m,
            "source": f"{recipe.source}; packed with m = {m} (PacGAN, Lin et al. 2018)",
        }
    )
