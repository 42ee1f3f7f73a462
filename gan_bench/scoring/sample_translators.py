"""Translations made by a generator from elsewhere: a TorchScript module, a program saved with
torch.export, or a module handed to the Python API, given the translation task's test A images as
its own pix2pix and CycleGAN generators are (floats in [-1, 1], [B, C, H, W]). Its outputs, in
[0, 1] or [-1, 1], must be images of the task's B domain."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from gan_bench.errors import DataError
from gan_bench.scoring.sample_format import Samples, sha256_of
from gan_bench.scoring.sample_generators import (
    EXPORT_SUFFIXES,
    in_unit_range,
    last_line,
    load_program,
    load_torchscript,
    module_device,
    returned_instead,
    weights_sha256,
)
from gan_bench.variants.base import evaluating
from gan_bench.variants.translation import to_signed

BATCH = 500
INPUT_RANGE = "the test A images as floats in [-1, 1], [B, C, H, W]"  # what metrics.json records


@dataclass
class _Translator:
    call: object  # A images -> B images
    kind: str
    device: torch.device
    batch: int | None = None  # the only batch size an export with a static batch takes


def _exported(path: Path, a_shape: tuple[int, ...], device: torch.device) -> _Translator:
    """A torch.export program of one input, [B, C, H, W] as the task's A images; a static B is the
    batch it is called with."""
    program, given = load_program(path)
    shapes = [tuple(value.shape) for value in given]
    if len(shapes) != 1 or len(shapes[0]) != 4 or tuple(shapes[0][1:]) != a_shape:
        c, h, w = a_shape
        raise DataError(
            f"{path}: the program takes inputs of shapes {[list(map(str, s)) for s in shapes]}; ganbench "
            f"calls a translator with one input, the task's A images of shape [B, {c}, {h}, {w}]"
        )
    batch = shapes[0][0] if isinstance(shapes[0][0], int) else None
    return _Translator(program.module().to(device), "torch.export translator", device, batch)


def _outputs(T: _Translator, images: torch.Tensor, where: str):
    """T's outputs for uint8 images, a batch at a time; a static batch gets its last batch padded
    with zeros, whose outputs are dropped."""
    size = T.batch or BATCH
    for i in range(0, len(images), size):
        part = to_signed(images[i : i + size])
        given = len(part)
        if T.batch is not None and given < size:
            part = torch.cat([part, part.new_zeros(size - given, *part.shape[1:])])
        try:
            out = T.call(part.to(T.device))
        except Exception as e:  # the user's module may raise anything
            raise DataError(
                f"{where}: calling it on A images of shape {list(part.shape)} failed: {last_line(e)}"
            ) from None
        if not isinstance(out, torch.Tensor) or not out.is_floating_point():
            raise DataError(f"{where}: returned {returned_instead(out)}")
        yield out[:given].float().cpu()


@torch.no_grad()
def _translated(T: _Translator, dataset, n: int, where: str) -> Samples:
    x = torch.cat(list(_outputs(T, dataset.test_a[:n], where)))
    want = tuple(dataset.test_b.shape[1:])
    if tuple(x.shape[1:]) != want:
        c, h, w = want
        raise DataError(f"{where}: outputs of shape {list(x.shape)}; {dataset.name}'s B images are [N, {c}, {h}, {w}]")
    x, output_range = in_unit_range(x, where)
    return Samples(x, {"kind": T.kind, "input": INPUT_RANGE, **output_range})


def read_translator(path: Path, dataset, n: int, device: torch.device) -> Samples:
    """The translations of the first n test A images by a translator file (TorchScript, or a
    torch.export program)."""
    if path.suffix.lower() in EXPORT_SUFFIXES:
        T = _exported(path, tuple(dataset.test_a.shape[1:]), device)
    else:
        T = _Translator(load_torchscript(path, device, "translator"), "TorchScript translator", device)
    read = _translated(T, dataset, n, str(path))
    read.info = {**read.info, "sha256": sha256_of([path])}
    return read


IN_MEMORY_TRANSLATOR = "the translator given"  # how messages name a module passed to the Python API


def read_translator_module(G: torch.nn.Module, dataset, n: int) -> Samples:
    """The translations by a module handed to the Python API, on the device its weights are on,
    in eval mode (its mode is restored afterwards); its sha256 is of its weights."""
    with evaluating(G):
        read = _translated(_Translator(G, "in-memory translator", module_device(G)), dataset, n, IN_MEMORY_TRANSLATOR)
    read.info = {**read.info, "class": type(G).__qualname__, "sha256": weights_sha256(G)}
    return read
