"""The contract every GAN system keeps, built-in or plug-in: what the engine, checkpoints and scoring call.

ganbench builds a system as ``SystemClass(recipe, device, dataset)``: the constructor builds the
networks and optimisers from the recipe, under a global RNG ganbench has already seeded. Then:

- ``prepare(dataset)``: the training tensors, a tuple; each batch indexes every tensor alike;
- ``inputs(n, generator)``: G's inputs for n samples (z, or a tuple such as (z, labels)), drawn
  only from ``generator`` so that runs and scores repeat;
- ``generate(inputs)``: images [N, C, H, W] in [0, 1] (or points [N, 2]), without gradients;
- ``train_step(batch, generator)``: one step; returns a dict of 0-d tensors named as ``scalars``
  says, kept on the device (history.csv gets one column per name, in that order);
- ``state_dict()`` / ``load_state_dict(state)``: everything a checkpoint must hold (networks and
  optimisers), so a resumed run ends with the bits of one never stopped;
- ``G``: the generator module; scoring reads its weights from the run's snapshots.

Capabilities are declared, not inferred: ``supports_cuda_graph`` when a step has fixed shapes and
no host synchronisation (so ``--cuda-graph`` may capture it), ``supports_packing`` when D judges
``recipe.pac`` samples at once (PacGAN), so the recipe may be named with ``-pac<m>``. Which systems
``--batch-seeds`` stacks is variants/seed_batch.py's table: built-in ones only.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

import torch
from torch import nn

# The scalars every system reports: the convergence diagnostics read them.
REQUIRED_SCALARS = ("d_loss", "g_loss", "d_real", "d_fake", "g_grad_norm", "d_grad_norm")


class System(ABC):
    """A GAN system: networks, optimisers and one training step. See the module's docstring."""

    scalars: ClassVar[tuple[str, ...]] = REQUIRED_SCALARS  # may add more names after these
    grid_nrow: ClassVar[int | None] = None  # sample grid columns; None: a near-square grid
    supports_cuda_graph: ClassVar[bool] = False
    supports_packing: ClassVar[bool] = False  # honours recipe.pac, so "<name>-pac<m>" may pack it
    G: nn.Module

    @abstractmethod
    def prepare(self, dataset) -> tuple[torch.Tensor, ...]: ...

    @abstractmethod
    def inputs(self, n: int, generator: torch.Generator): ...

    @abstractmethod
    def generate(self, inputs) -> torch.Tensor: ...

    @abstractmethod
    def train_step(self, batch: tuple[torch.Tensor, ...], generator: torch.Generator) -> dict[str, torch.Tensor]: ...

    @abstractmethod
    def state_dict(self) -> dict: ...

    @abstractmethod
    def load_state_dict(self, state: dict) -> None: ...

    # -- optional hooks, with defaults ---------------------------------------------------
    def grid_inputs(self, n: int, generator: torch.Generator, dataset=None):
        """G's inputs for the sample grids (default: ``inputs``)."""
        return self.inputs(n, generator)

    def grid_images(self, inputs) -> torch.Tensor:
        """What a sample grid shows for ``grid_inputs`` (default: ``generate``)."""
        return self.generate(inputs)

    def set_steps(self, steps: int) -> None:
        """The run's length, for systems whose schedule depends on it (a learning-rate decay)."""
        return None  # noqa: B027 (an optional hook: most systems ignore the length)


def contract_problems(cls) -> list[str]:
    """What keeps ``cls`` from being a usable system class (empty when it is one)."""
    if not isinstance(cls, type) or not issubclass(cls, System):
        return [f"its system {cls!r} is not a subclass of gan_bench.System"]
    problems = []
    missing = sorted(getattr(cls, "__abstractmethods__", ()))
    if missing:
        problems.append(f"system {cls.__name__} does not implement {', '.join(missing)}")
    scalars = cls.scalars
    if not isinstance(scalars, tuple) or not all(isinstance(s, str) and s.isidentifier() for s in scalars):
        problems.append(f"system {cls.__name__}: scalars must be a tuple of identifier-like names")
    elif len(set(scalars)) != len(scalars):
        problems.append(f"system {cls.__name__}: scalars repeat a name ({', '.join(scalars)})")
    elif scalars[: len(REQUIRED_SCALARS)] != REQUIRED_SCALARS:
        problems.append(
            f"system {cls.__name__}: scalars must start with {', '.join(REQUIRED_SCALARS)} (got {', '.join(scalars)})"
        )
    return problems


# What generate returns for each image or point modality, per sample (the translation systems differ)
GENERATED_SHAPE = {"gray28": (1, 28, 28), "rgb28": (3, 28, 28), "points": (2,)}


def generated_problem(out: object, n: int, modality: str) -> str | None:
    """What is wrong with ``out``, a system's ``generate`` output for n inputs (None when it keeps
    the contract: a float tensor [n, C, H, W] in [0, 1], or points [n, 2]), with the usual fix."""
    shape = GENERATED_SHAPE.get(modality)
    if shape is None:
        return None
    wanted = f"[N, {', '.join(map(str, shape))}]" + ("" if modality == "points" else " in [0, 1]")
    if not isinstance(out, torch.Tensor) or not out.is_floating_point():
        got = f"a {out.dtype} tensor" if isinstance(out, torch.Tensor) else f"a {type(out).__name__}"
        return f"generate returned {got}; it must return a float tensor {wanted}"
    if tuple(out.shape) != (n, *shape):
        fits = out.numel() == n * torch.Size(shape).numel()
        how = f" (reshape it: .view(len(x), {', '.join(map(str, shape))}))" if fits else ""
        return f"generate returned shape {list(out.shape)} for {n} inputs; it must return {wanted}{how}"
    if not torch.isfinite(out).all():
        return f"generate returned NaN or infinite values from a G just built; it must return {wanted}"
    lo, hi = out.min().item(), out.max().item()
    if modality != "points" and (lo < 0 or hi > 1):
        how = ""
        if lo >= -1 and hi <= 1:
            how = " (a tanh output x becomes (x + 1) / 2)"
        elif lo >= 0 and hi <= 255:
            how = " (pixels 0 to 255 become x / 255)"
        return f"generate returned values in [{lo:.4g}, {hi:.4g}]; it must return images in [0, 1]{how}"
    return None


def step_problem(outputs: object, scalars: tuple[str, ...]) -> str | None:
    """What is wrong with a ``train_step`` result (None when it is a dict of exactly ``scalars``)."""
    if not isinstance(outputs, dict):
        return f"train_step returned a {type(outputs).__name__}; it must return a dict of {', '.join(scalars)}"
    if set(outputs) != set(scalars):
        return (
            f"train_step returned {', '.join(sorted(map(str, outputs)))}; its system's scalars are "
            f"{', '.join(scalars)}: return exactly those names"
        )
    return None
