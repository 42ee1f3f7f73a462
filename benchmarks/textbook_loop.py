"""The reference loop the speed benchmarks compare against: the PyTorch textbook's (as the tutorial describes it,
torch-mlp), i.e. a DataLoader over torchvision MNIST with ToTensor/Normalize, shuffled, with the
textbook's num_workers=4, each batch moved with ``.to(device)`` and every loss read with ``.item()``
each step. The step itself is the recipe's own (``system.train_step``) with one difference, the
textbook's: its dropout layers are torch's ``nn.Dropout`` (ganbench draws the CPU mask faster, see
``gan_bench/nets/dropout.py``). So the ratio measures the loop around the step and the mask."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision import datasets, transforms

from gan_bench.variants import build_system, get_recipe
from gan_bench.variants.recipe import MLPRecipe

NUM_WORKERS = 4  # as the textbook


def textbook_loop(recipe_name: str, steps: int, device: torch.device, root: Path, seed: int = 0) -> int:
    """Train ``steps`` steps; returns the number of real images the loop went through."""
    recipe = get_recipe(recipe_name)
    torch.manual_seed(seed)
    system = build_system(recipe, device)
    for net in (system.G, system.D):
        textbook_dropout(net)
    steps_ = [transforms.ToTensor()]
    if getattr(recipe, "scaling", None) == "totensor_normalize":
        steps_.append(transforms.Normalize((0.5,), (0.5,)))
    data = datasets.MNIST(str(root), train=True, download=False, transform=transforms.Compose(steps_))
    loader = DataLoader(data, batch_size=recipe.batch_size, shuffle=True, num_workers=NUM_WORKERS)
    flat = isinstance(recipe, MLPRecipe)
    noise = torch.Generator(device=device).manual_seed(seed)
    done = images = 0
    while done < steps:
        for x, _ in loader:
            x = x.to(device)
            if flat:
                x = x.view(len(x), -1)
            scalars = system.train_step((x,), noise)
            _ = [v.item() for v in scalars.values()]  # the textbook logs each loss with .item() every step
            done, images = done + 1, images + len(x)
            if done == steps:
                break
    return images


def textbook_dropout(net: nn.Module) -> None:
    """Every dropout layer becomes torch's own nn.Dropout with the same p, as the textbook writes D."""
    for name, child in net.named_children():
        if isinstance(child, nn.Dropout) and type(child) is not nn.Dropout:
            setattr(net, name, nn.Dropout(child.p))
        else:
            textbook_dropout(child)
