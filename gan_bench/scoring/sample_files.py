"""Samples made elsewhere as images: a folder of PNG/JPEG files, an .npy or .npz uint8 array (an
.npz may carry the class of each sample as ``labels``), or an array handed to the Python API."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import numpy as np
import torch

from gan_bench.errors import DataError, InvalidOption
from gan_bench.scoring.sample_format import CLASSES, LABELS_GIVEN, Expected, Samples, fit_channels, fit_size, sha256_of

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
ARRAY_SUFFIXES = (".npy", ".npz")

MODES = {"L": "L", "1": "L", "LA": "LA", "RGB": "RGB", "RGBA": "RGBA", "P": "RGBA"}  # PIL mode -> read as


def _decode(path: Path) -> torch.Tensor:
    """uint8 [C, H, W] from an 8-bit PNG or JPEG (palette and bilevel images are expanded)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            if image.mode not in MODES:
                raise DataError(f"{path}: image mode {image.mode}; expected 8-bit grayscale or RGB")
            array = np.asarray(image.convert(MODES[image.mode]))
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as e:
        raise DataError(f"{path}: not a readable PNG or JPEG image ({e})") from None
    array = array[..., None] if array.ndim == 2 else array
    return torch.from_numpy(array.transpose(2, 0, 1).copy())


def read_folder(folder: Path, want: Expected) -> Samples:
    files = sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and p.suffix.lower() in IMAGE_SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)  # .ipynb_checkpoints/, ._x.png
    )
    if not files:
        raise DataError(f"{folder}: holds no PNG or JPEG images ({', '.join(IMAGE_SUFFIXES)})")
    images, first = [], None
    for path in files:
        image = _decode(path)
        if first is None:
            first = (path, tuple(image.shape))
        elif tuple(image.shape) != first[1]:
            c, h, w = image.shape
            raise DataError(
                f"{path}: {h}×{w} with {c} channel{'s' * (c != 1)}, but {first[0].name} is "
                f"{first[1][1]}×{first[1][2]} with {first[1][0]}; every image in the folder must have one size and "
                "channel count"
            )
        images.append(image)
    stacked = torch.stack(images)
    fit_size(stacked, want, str(folder))
    stacked, notes = fit_channels(stacked, want, str(folder))
    info = {"kind": "image folder", "files": len(files), "sha256": sha256_of(files, folder)}
    return Samples(stacked, {**info, **notes})


NUMPY_MAGIC = (b"\x93NUMPY", b"PK\x03\x04", b"PK\x05\x06")  # .npy; .npz (a zip), and an empty one


def load_array(path: Path, labelled: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
    """The images array of an .npy or .npz, and with ``labelled`` the .npz's ``labels`` array."""
    try:
        with open(path, "rb") as f:
            start = f.read(6)
        if not start.startswith(NUMPY_MAGIC):  # else np.load guesses a pickle and says so
            raise ValueError("it does not begin as np.save or np.savez write a file")
        loaded = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as e:
        raise DataError(f"{path}: not a readable {path.suffix} array ({e})") from None
    if labelled and not (isinstance(loaded, np.lib.npyio.NpzFile) and {"images", "labels"} <= set(loaded.keys())):
        if isinstance(loaded, np.lib.npyio.NpzFile):
            loaded.close()
        raise InvalidOption(
            f"--conditional: {path} holds no arrays named 'images' and 'labels'; save the samples with "
            "np.savez(PATH, images=..., labels=...), labels the class each sample was asked for"
        )
    if isinstance(loaded, np.lib.npyio.NpzFile):
        with loaded:
            keys = list(loaded.keys())
            if len(keys) != 1 and "images" not in keys:
                raise DataError(f"{path}: holds arrays {keys}; expected one array, or one named 'images'")
            try:
                return loaded["images" if "images" in keys else keys[0]], loaded["labels"] if labelled else None
            except ValueError as e:  # an object array needs pickle, which is never allowed
                raise DataError(f"{path}: {e}") from None
    return loaded, None


def _checked_labels(labels: np.ndarray, n: int, where: str) -> torch.Tensor:
    """The class each of n samples was asked for: whole numbers 0 to 9, one per sample."""
    if labels.shape != (n,):
        raise DataError(f"{where}: labels of shape {labels.shape}; expected one per sample, shape ({n},)")
    if labels.dtype.kind not in "iu" and not (labels.dtype.kind == "f" and np.all(np.mod(labels, 1) == 0)):
        raise DataError(f"{where}: labels of dtype {labels.dtype}; expected whole class numbers 0 to {CLASSES - 1}")
    if n and (labels.min() < 0 or labels.max() >= CLASSES):
        raise DataError(f"{where}: labels span {labels.min()} to {labels.max()}; expected classes 0 to {CLASSES - 1}")
    return torch.from_numpy(labels.astype(np.int64))


def _float_hint(lo: float, hi: float, to_uint8: str) -> str:
    """How to turn floats spanning [lo, hi] into pixels: a tanh generator's [-1, 1] is as common
    as [0, 1]; ``to_uint8`` is numpy's or torch's cast."""
    if lo >= 0 and hi <= 1:
        return f" (these floats span [0, 1]: (x * 255).round(){to_uint8})"
    if lo >= -1 and hi <= 1:
        return f" (these floats span [-1, 1], as a tanh output does: ((x + 1) * 127.5).round(){to_uint8})"
    return f" (these floats span [{lo:.3g}, {hi:.3g}]: scale them to 0–255, then (...).round(){to_uint8})"


def _int_hint(lo: int, hi: int, to_uint8: str) -> str:
    """How to turn whole numbers spanning [lo, hi] into pixels: within 0–255 they are pixels already."""
    if lo >= 0 and hi <= 255:
        return f" (these integers span [{lo}, {hi}], pixels already: x{to_uint8})"
    return f" (these integers span [{lo}, {hi}]: scale them to 0–255, then (...){to_uint8})"


def _array_images(array: np.ndarray, want: Expected, where: str) -> tuple[torch.Tensor, dict]:
    """uint8 [N, C, H, W] from an array shaped N×H×W, N×H×W×C or N×C×H×W, and what was done to fit
    its channels."""
    s = want.size
    if array.dtype != np.uint8:
        finite = array[np.isfinite(array)] if array.dtype.kind == "f" else array[:0]
        hint = _float_hint(finite.min(), finite.max(), ".astype(np.uint8)") if finite.size else ""
        if array.dtype.kind in "iu" and array.size:
            hint = _int_hint(int(array.min()), int(array.max()), ".astype(np.uint8)")
        raise DataError(f"{where}: dtype {array.dtype}; expected uint8 pixels 0–255{hint}")
    shape = array.shape
    if len(shape) == 3 and shape[1:] == (s, s):
        array = array[:, None]
    elif len(shape) == 4 and shape[1:3] == (s, s) and shape[3] in (1, 3, 4):
        array = array.transpose(0, 3, 1, 2)
    elif len(shape) == 4 and shape[2:] == (s, s) and shape[1] in (1, 3, 4):
        pass
    else:
        raise DataError(
            f"{where}: shape {shape} fits none of N×{s}×{s}, N×{s}×{s}×C or N×C×{s}×{s} (C = 1 or 3); {want.words}"
        )
    return fit_channels(torch.from_numpy(np.ascontiguousarray(array)), want, where)


def read_array(path: Path, want: Expected, conditional: bool = False) -> Samples:
    array, labels = load_array(path, conditional)
    images, notes = _array_images(array, want, str(path))
    info = {"kind": f"{path.suffix[1:]} array", "array_shape": list(array.shape), "sha256": sha256_of([path])}
    if labels is None:
        return Samples(images, {**info, **notes})
    labelled = _checked_labels(labels, len(images), str(path))
    return Samples(images, {**info, **notes, "labels": LABELS_GIVEN}, labelled, LABELS_GIVEN)


IN_MEMORY = "the samples given"  # how messages name an array passed to the Python API


def read_memory(array, want: Expected) -> Samples:
    """Samples handed to the Python API as a numpy array or a torch tensor (any device), validated
    as an .npy file's are; its sha256 is of its dtype, shape and bytes."""
    if isinstance(array, torch.Tensor):
        if array.dtype != torch.uint8:  # before numpy, which has no bfloat16
            finite = array[torch.isfinite(array)] if array.is_floating_point() else array[:0]
            hint = _float_hint(finite.min().item(), finite.max().item(), ".to(torch.uint8)") if finite.numel() else ""
            if not array.is_floating_point() and not array.is_complex() and array.dtype != torch.bool and array.numel():
                hint = _int_hint(int(array.min()), int(array.max()), ".to(torch.uint8)")
            raise DataError(f"{IN_MEMORY}: dtype {array.dtype}; expected uint8 pixels 0–255{hint}")
        array = array.detach().cpu().numpy()
    array = np.ascontiguousarray(array)
    images, notes = _array_images(array, want, IN_MEMORY)
    info = {"kind": "in-memory array", "array_shape": list(array.shape), "sha256": memory_sha256(array)}
    return Samples(images, {**info, **notes})


def memory_sha256(array: np.ndarray) -> str:
    """The sha256 of an array handed to the Python API: its dtype, shape and bytes."""
    array = np.ascontiguousarray(array)
    return hashlib.sha256(f"{array.dtype.str}{list(array.shape)}".encode() + array.tobytes()).hexdigest()
