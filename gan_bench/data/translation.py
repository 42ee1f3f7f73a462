"""Image-to-image translation data: the built-in offline tasks, derived deterministically from
MNIST or Fashion-MNIST so that the true translation of every held-out image is known.

- ``edges2digits`` (paired, 28 px): A is the digit's outline (morphological gradient: 3×3
  dilation minus 3×3 erosion), B the digit. Train: MNIST train; test: MNIST test.
- ``edges2fashion`` (paired, 32 px): the same outline rendering of Fashion-MNIST, padded by 2 px
  on each side to 32×32 (the evaluator sees the centre 28×28 again).
- ``digits2bold`` (unpaired, 28 px): X is plain digits, Y the same kind of digits in a fixed bold
  style (3×3 dilation). MNIST train is split by a seeded permutation: its first half only ever
  appears as X, its second half only as Y, so no source image is in both domains. On the test
  split every X image's true Y translation is kept (test_b[i] = bold(test_a[i])).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

SPLIT_SEED = 2019


@dataclass
class TranslationSet:
    """Two image domains, uint8 [N, C, H, W]. For paired data train_b[i] is train_a[i]'s target;
    test_b[i] is test_a[i]'s true translation whenever ``true_mapping`` holds."""

    name: str
    paired: bool
    train_a: torch.Tensor
    train_b: torch.Tensor
    test_a: torch.Tensor
    test_b: torch.Tensor
    true_mapping: bool
    test_labels: torch.Tensor | None = None  # class of test_a[i] (and of test_b[i])
    evaluator: str | None = None  # the dataset whose pinned evaluator classifies these images
    evaluator_domains: tuple[str, ...] = ()  # "a", "b": the domains that evaluator understands
    evaluator_crop: int = 0  # pixels cut from each side before the evaluator (padded tasks)
    direction: str = "AtoB"
    files: dict[str, str] = field(default_factory=dict)
    sha256: dict[str, str] = field(default_factory=dict)
    modes: dict | None = None  # no 2D modes: the engine saves image grids

    @property
    def modality(self) -> str:
        return "paired" if self.paired else "unpaired"

    @property
    def channels(self) -> int:
        return self.train_a.shape[1]

    @property
    def size(self) -> int:
        return self.train_a.shape[-1]

    def reversed(self) -> TranslationSet:
        """The BtoA task: the domains swap."""
        swap = {"a": "b", "b": "a"}
        return TranslationSet(
            name=self.name,
            paired=self.paired,
            train_a=self.train_b,
            train_b=self.train_a,
            test_a=self.test_b,
            test_b=self.test_a,
            true_mapping=self.true_mapping,
            test_labels=self.test_labels,
            evaluator=self.evaluator,
            evaluator_domains=tuple(swap[d] for d in self.evaluator_domains),
            evaluator_crop=self.evaluator_crop,
            direction="BtoA" if self.direction == "AtoB" else "AtoB",
            files=self.files,
            sha256=self.sha256,
        )


def _window(images: torch.Tensor, pick, pad: int) -> torch.Tensor:
    """uint8 [N, H, W] -> each pixel's 3×3 neighbourhood reduced by ``pick`` (torch.maximum or
    torch.minimum), the border padded with ``pad``: rows, then columns, on the uint8 values (7× faster
    than max_pool2d on floats, and the same bits)."""
    p = F.pad(images, (1, 1, 1, 1), value=pad)
    rows = pick(pick(p[:, :-2], p[:, 1:-1]), p[:, 2:])
    return pick(pick(rows[..., :-2], rows[..., 1:-1]), rows[..., 2:])


def outlines(images: torch.Tensor) -> torch.Tensor:
    """uint8 [N, H, W] -> uint8 [N, 1, H, W]: 3×3 dilation minus 3×3 erosion (the stroke's outline)."""
    return (_window(images, torch.maximum, 0) - _window(images, torch.minimum, 255))[:, None]


def bold(images: torch.Tensor) -> torch.Tensor:
    """uint8 [N, H, W] -> uint8 [N, 1, H, W]: the strokes thickened by a 3×3 dilation."""
    return _window(images, torch.maximum, 0)[:, None]


def _padded(x: torch.Tensor, pad: int) -> torch.Tensor:
    return F.pad(x, (pad, pad, pad, pad)) if pad else x


def _provenance(name: str, source) -> tuple[dict, dict]:
    files = {"train_images": f"derived: {name} from {source.name} ({source.sha256['train_images'][:12]})"}
    sha = {f"{source.name}_{role}": digest for role, digest in source.sha256.items()}
    return files, sha


def edges_task(name: str, source, pad: int = 0) -> TranslationSet:
    files, sha = _provenance(name, source)
    return TranslationSet(
        name=name,
        paired=True,
        true_mapping=True,
        train_a=_padded(outlines(source.train_images), pad),
        train_b=_padded(source.train_images[:, None], pad),
        test_a=_padded(outlines(source.test_images), pad),
        test_b=_padded(source.test_images[:, None], pad),
        test_labels=source.test_labels,
        evaluator=source.name,
        evaluator_domains=("b",),
        evaluator_crop=pad,
        files=files,
        sha256=sha,
    )


def bold_task(name: str, source) -> TranslationSet:
    order = torch.randperm(len(source.train_images), generator=torch.Generator().manual_seed(SPLIT_SEED))
    half = len(order) // 2
    files, sha = _provenance(name, source)
    sha["split"] = hashlib.sha256(order.numpy().tobytes()).hexdigest()
    return TranslationSet(
        name=name,
        paired=False,
        true_mapping=True,
        train_a=source.train_images[order[:half], None],
        train_b=bold(source.train_images[order[half:]]),
        test_a=source.test_images[:, None],
        test_b=bold(source.test_images),
        test_labels=source.test_labels,
        evaluator=source.name,
        evaluator_domains=("a", "b"),
        files=files,
        sha256=sha,
    )


# name -> (source dataset, builder)
TASKS = {
    "edges2digits": ("mnist", lambda src: edges_task("edges2digits", src)),
    "edges2fashion": ("fashion-mnist", lambda src: edges_task("edges2fashion", src, pad=2)),
    "digits2bold": ("mnist", lambda src: bold_task("digits2bold", src)),
}
