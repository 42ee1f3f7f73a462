"""The folder layouts real translation datasets come in, read with Pillow and torchvision:

- pix2pix (facades, maps, edges2shoes): ``train/``, ``val/``, ``test/`` of A|B images side by
  side (A left, B right); ``test/`` is scored, else ``val/``.
- CycleGAN (horse2zebra, ...): ``trainA/``, ``trainB/``, ``testA/``, ``testB/``; the test
  domains are unaligned, so no true mapping is known.

Every image becomes RGB uint8 at its own size; all images of a dataset must share one size.
"""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from PIL import Image, ImageMode, UnidentifiedImageError

from gan_bench.errors import DataError

if TYPE_CHECKING:
    import torch

    from gan_bench.data.translation import TranslationSet

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff")
PIX2PIX_SPLITS = ("train", "val", "test")
CYCLEGAN_SPLITS = ("trainA", "trainB", "testA", "testB")


def is_folder_name(name: str) -> bool:
    """A suite's dataset that is a path (holds a slash or starts with '.' or '~') names a folder."""
    return "/" in name or name.startswith((".", "~"))


def spelled(name: str) -> str:
    """A folder's path written one way: without a trailing slash or '.' parts, and starting with
    './' where it would otherwise start with a name, so that ``facades/``, ``./facades/`` and
    ``./facades`` are one dataset in specs, reports and gates ('..' parts are kept, as they may
    pass through a link); other dataset names as they are."""
    if not is_folder_name(name):
        return name
    path = str(PurePosixPath(name))
    return path if is_folder_name(path) else f"./{path}"


def layout(root: Path) -> str:
    """'paired' (pix2pix layout) or 'unpaired' (CycleGAN layout); UserError otherwise."""
    root = root.expanduser()
    if not root.is_dir():
        raise DataError(
            f"{root}: no such folder; a translation folder holds train/ and test/ (pix2pix) "
            f"or trainA/ trainB/ testA/ testB/ (CycleGAN)"
        )
    if (root / "trainA").is_dir() or (root / "trainB").is_dir():
        return "unpaired"
    if (root / "train").is_dir():
        return "paired"
    raise DataError(
        f"{root}: not a translation folder; expected train/ and test/ (or val/) of A|B images "
        f"(pix2pix) or trainA/ trainB/ testA/ testB/ (CycleGAN)"
    )


def _split_files(folder: Path) -> list[Path]:
    """A split folder's entries as they are read: sorted by name, hidden ones left out."""
    return sorted(p for p in folder.iterdir() if not p.name.startswith("."))


def _test_split(root: Path) -> Path | None:
    return next((root / split for split in ("test", "val") if (root / split).is_dir()), None)


def images_sha256(root: Path) -> str:
    """The sha256 :func:`load` records for a folder's images, from their bytes alone (no decoding)."""
    root = root.expanduser()
    splits = [root / "train", _test_split(root)] if layout(root) == "paired" else [root / s for s in CYCLEGAN_SPLITS]
    return _digest([f for split in splits if split is not None and split.is_dir() for f in _split_files(split)])


def _read_split(folder: Path) -> tuple[torch.Tensor, list[Path]]:
    """All images of one folder as uint8 [N, 3, H, W], sorted by file name."""
    import torch  # here, so naming or checking a folder (report, check) loads no torch
    from torchvision.transforms.functional import pil_to_tensor  # torchvision's import costs ~2 s

    if not folder.is_dir():
        raise DataError(f"{folder}: missing folder")
    entries = _split_files(folder)
    if not entries:
        raise DataError(f"{folder}: empty split; it needs at least one image ({', '.join(IMAGE_SUFFIXES)})")
    images, size = [], None
    for path in entries:
        if path.is_dir() or path.suffix.lower() not in IMAGE_SUFFIXES:
            raise DataError(
                f"{path}: not an image file; a split folder holds only images ({', '.join(IMAGE_SUFFIXES)})"
            )
        try:
            with Image.open(path) as im:
                check_eight_bit(path, im.mode)
                image = pil_to_tensor(im.convert("RGB"))
        except (UnidentifiedImageError, OSError) as e:
            raise DataError(f"{path}: cannot be read as an image ({e})") from None
        if size is None:
            size = image.shape[1:]
        elif image.shape[1:] != size:
            raise DataError(
                f"{path}: size {image.shape[2]}×{image.shape[1]} differs from {entries[0].name}'s "
                f"{size[1]}×{size[0]}; every image of a dataset must have the same size"
            )
        images.append(image)
    return torch.stack(images), entries


def check_eight_bit(path: Path, mode: str) -> None:
    """DataError for a 16-bit or floating-point image, which Pillow's RGB conversion clips to 255
    rather than scales: its pixels would be read as other values than it holds."""
    try:
        kind = ImageMode.getmode(mode).typestr  # numpy's: "|u1" 8-bit, "<u2" 16-bit, "<f4" float
    except KeyError:  # a mode Pillow has no table entry for: its RGB conversion says what it can
        return
    if kind not in ("|u1", "|b1"):
        pixels = f"{8 * int(kind[2:])}-bit {'floating-point' if kind[1] == 'f' else 'integer'}"
        raise DataError(
            f"{path}: image mode {mode} ({pixels} pixels); ganbench reads 8-bit images (grayscale, RGB "
            "or palette), so convert the folder's images to 8 bits first"
        )


def _split_pairs(ab: torch.Tensor, folder: Path) -> tuple[torch.Tensor, torch.Tensor]:
    width = ab.shape[-1]
    if width % 2 or width // 2 != ab.shape[-2]:
        raise DataError(
            f"{folder}: images are {width}×{ab.shape[-2]}; the pix2pix layout holds square A and B "
            f"side by side, so an image is twice as wide as high"
        )
    return ab[..., : width // 2], ab[..., width // 2 :]


MIN_SIZE = 8  # below it the PatchGAN's last convolutions and CycleGAN's instance norms have no room


def _check_size(root: Path, size: int) -> None:
    if size % 4 or size < MIN_SIZE:
        raise DataError(
            f"{root}: images are {size} px; translation nets need a size of at least {MIN_SIZE} px, "
            f"divisible by 4 (e.g. 256)"
        )


def checked_layout(root: Path) -> str:
    """``layout(root)``, with the image size read from the first training image's header, so a
    folder whose images the networks cannot take is refused before anything is written."""
    root = root.expanduser()
    kind = layout(root)
    folder = root / ("train" if kind == "paired" else "trainA")
    first = (
        next((p for p in sorted(folder.iterdir()) if p.suffix.lower() in IMAGE_SUFFIXES), None)
        if folder.is_dir()
        else None
    )
    if first is None:
        return kind  # load() names what is missing
    try:
        with Image.open(first) as image:
            width, height = image.size
    except (OSError, ValueError) as e:
        raise DataError(f"{first}: not a readable image ({e})") from None
    _check_size(root, height)
    return kind


def _digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def load(root: Path, direction: str = "AtoB") -> TranslationSet:
    from gan_bench.data.translation import TranslationSet

    root = root.expanduser()
    kind = layout(root)
    if kind == "paired":
        train, train_files = _read_split(root / "train")
        test_dir = _test_split(root)
        if test_dir is None:
            raise DataError(f"{root}: holds train/ but no test/ (or val/); a pix2pix folder needs both")
        test, test_files = _read_split(test_dir)
        (train_a, train_b), (test_a, test_b) = _split_pairs(train, root / "train"), _split_pairs(test, test_dir)
        if test_a.shape[1:] != train_a.shape[1:]:
            raise DataError(
                f"{test_dir}: images differ in size from {root / 'train'}'s; every image of a "
                f"dataset must have the same size"
            )
        files = [*train_files, *test_files]
    else:
        parts = {s: _read_split(root / s) for s in CYCLEGAN_SPLITS}
        shapes = {s: tuple(parts[s][0].shape[1:]) for s in CYCLEGAN_SPLITS}
        if len(set(shapes.values())) > 1:
            raise DataError(
                f"{root}: the splits hold images of different sizes ({shapes}); every image of a "
                f"dataset must have the same size"
            )
        (train_a, _), (train_b, _), (test_a, _), (test_b, _) = (parts[s] for s in CYCLEGAN_SPLITS)
        files = [f for s in CYCLEGAN_SPLITS for f in parts[s][1]]
        if train_a.shape[-1] != train_a.shape[-2]:
            raise DataError(f"{root / 'trainA'}: images must be square (width = height)")
    _check_size(root, train_a.shape[-1])
    data = TranslationSet(
        name=str(root),
        paired=kind == "paired",
        train_a=train_a,
        train_b=train_b,
        test_a=test_a,
        test_b=test_b,
        true_mapping=kind == "paired",
        files={"root": str(root.resolve())},
        sha256={"images": _digest(files)},
    )
    return data.reversed() if direction == "BtoA" else data
