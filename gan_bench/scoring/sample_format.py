"""What every input to `score --input` becomes: uint8 images of the size and channels the dataset's
evaluator reads, with what metrics.json records about the input, and the fitting shared by every
reader (an opaque alpha channel dropped, identical RGB channels folded into gray)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import torch

from gan_bench.errors import DataError

CLASSES = 10  # MNIST's and Fashion-MNIST's: what a conditional generator is asked for
LABELS = "balanced: sample i asks for class i mod 10"  # as ganbench's own conditional recipes are scored
LABELS_GIVEN = "as given with the samples (the .npz's labels)"


@dataclass
class Expected:
    """What the dataset's evaluator reads: channels and size; size 0 for 2D points [N, 2]."""

    dataset: str
    channels: int
    size: int

    @property
    def points(self) -> bool:
        return self.size == 0

    @property
    def words(self) -> str:
        if self.points:
            return f"{self.dataset} samples are 2D points, shape [N, 2]"
        kind = "grayscale" if self.channels == 1 else f"{self.channels}-channel"
        return f"{self.dataset} images are {self.size}×{self.size} {kind}"


def points_of(dataset: str) -> Expected:
    """What a generator of ``dataset``'s 2D points must return."""
    return Expected(dataset, 2, 0)


@dataclass
class Samples:
    images: torch.Tensor  # uint8 [N, C, H, W]; 2D points, float32 [N, 2]; a translator's outputs, floats in [0, 1]
    info: dict = field(default_factory=dict)  # what metrics.json records about the input
    labels: torch.Tensor | None = None  # the class each sample was asked for (a conditional generator)
    labels_protocol: str = LABELS  # how those classes were chosen, as metrics.json's protocol says
    cycle: dict | None = None  # a CycleGAN pair's: "ba" (the test B translated) and the round trips "aba", "bab"


def sha256_of(paths: list[Path], root: Path | None = None) -> str:
    digest = hashlib.sha256()
    for path in paths:
        if root is not None:  # a folder: names are part of what was scored
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def fit_channels(images: torch.Tensor, want: Expected, where: str) -> tuple[torch.Tensor, dict]:
    """``images`` [N, C, H, W] with ``want.channels``, and what was done to fit them (recorded in
    metrics.json): a fully opaque alpha channel is dropped (matplotlib's imsave writes one), and
    identical RGB channels fold into one gray channel."""
    notes = {}
    c = images.shape[1]
    if c in (2, 4) and c != want.channels:
        if not bool((images[:, -1] == 255).all()):
            raise DataError(f"{where}: {c} channels, with alpha that is not fully opaque; {want.words}")
        images, notes["alpha_dropped"], c = images[:, :-1], True, c - 1
    if c == want.channels:
        return images.contiguous(), notes
    if want.channels == 1 and c == 3 and bool((images[:, :1] == images[:, 1:]).all()):
        return images[:, :1].contiguous(), {**notes, "channels_merged": True}
    detail = " (RGB with differing channels)" if c == 3 else ""
    raise DataError(f"{where}: {c} channel{'s' * (c != 1)}{detail}; {want.words}")


def fit_size(images: torch.Tensor, want: Expected, where: str) -> None:
    h, w = images.shape[-2:]
    if (h, w) != (want.size, want.size):
        raise DataError(f"{where}: images are {h}×{w}; {want.words} (resize them to {want.size}×{want.size} first)")
