"""Translations made by generators from elsewhere: a TorchScript module, a program saved with
torch.export, or a module handed to the Python API, given the translation task's test A images as
its own pix2pix and CycleGAN generators are (floats in [-1, 1], [B, C, H, W]). Its outputs, in
[0, 1] or [-1, 1], must be images of the task's B domain. A CycleGAN's pair (A to B, and back)
also translates the test B images and both round trips, as a cyclegan run is scored."""

from __future__ import annotations

import contextlib
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
from gan_bench.variants.pixels import to_uint8
from gan_bench.variants.translation import to_signed

BATCH = 500
INPUT_RANGE = "the test A images as floats in [-1, 1], [B, C, H, W]"  # what metrics.json records
BACK_INPUT_RANGE = "the test B images as floats in [-1, 1], [B, C, H, W]"
IN_MEMORY_TRANSLATOR = "the translator given"  # how messages name a module passed to the Python API
IN_MEMORY_BACK = "the translator back given"


@dataclass
class _Translator:
    call: object  # images of one domain -> images of the other
    kind: str
    device: torch.device
    where: str  # how messages name it
    takes: str  # the domain of the images it is given, "A" or "B"
    batch: int | None = None  # the only batch size an export with a static batch takes
    assumed: list[float] | None = None  # the output range its outputs for the test images showed


def _exported(path: Path, shape: tuple[int, ...], takes: str, device: torch.device) -> _Translator:
    """A torch.export program of one input, [B, C, H, W] as the images it translates; a static B is
    the batch it is called with."""
    program, given = load_program(path)
    shapes = [tuple(value.shape) for value in given]
    if len(shapes) != 1 or len(shapes[0]) != 4 or tuple(shapes[0][1:]) != shape:
        c, h, w = shape
        raise DataError(
            f"{path}: the program takes inputs of shapes {[list(map(str, s)) for s in shapes]}; ganbench "
            f"calls a translator with one input, the task's {takes} images of shape [B, {c}, {h}, {w}]"
        )
    batch = shapes[0][0] if isinstance(shapes[0][0], int) else None
    return _Translator(program.module().to(device), "torch.export translator", device, str(path), takes, batch)


def _opened(source, images: torch.Tensor, takes: str, device: torch.device) -> tuple[_Translator, dict]:
    """A translator file (TorchScript, or a torch.export program) or module that takes ``images``
    of domain ``takes``, and what metrics.json records of where it came from."""
    if isinstance(source, torch.nn.Module):
        where = IN_MEMORY_TRANSLATOR if takes == "A" else IN_MEMORY_BACK
        T = _Translator(source, "in-memory translator", module_device(source), where, takes)
        return T, {"class": type(source).__qualname__, "sha256": weights_sha256(source)}
    if source.suffix.lower() in EXPORT_SUFFIXES:
        T = _exported(source, tuple(images.shape[1:]), takes, device)
    else:
        scripted = load_torchscript(source, device, "translator")
        T = _Translator(scripted, "TorchScript translator", device, str(source), takes)
    return T, {"sha256": sha256_of([source])}


def _outputs(T: _Translator, images: torch.Tensor) -> torch.Tensor:
    """T's outputs for uint8 images, a batch at a time, as floats on the CPU; a static batch gets its
    last batch padded with zeros, whose outputs are dropped."""
    size, outs = T.batch or BATCH, []
    for i in range(0, len(images), size):
        part = to_signed(images[i : i + size])
        given = len(part)
        if T.batch is not None and given < size:
            part = torch.cat([part, part.new_zeros(size - given, *part.shape[1:])])
        try:
            out = T.call(part.to(T.device))
        except Exception as e:  # the user's module may raise anything
            raise DataError(
                f"{T.where}: calling it on {T.takes} images of shape {list(part.shape)} failed: {last_line(e)}"
            ) from None
        if not isinstance(out, torch.Tensor) or not out.is_floating_point():
            raise DataError(f"{T.where}: returned {returned_instead(out)}")
        outs.append(out[:given].float().cpu())
    return torch.cat(outs)


def _translated(T: _Translator, images: torch.Tensor, want: torch.Size, domain: str, task: str) -> tuple:
    """T's translations of ``images`` in [0, 1], and their range, which sets how T's later outputs
    are read; they must have the shape of the ``domain`` images ``want``."""
    x = _outputs(T, images)
    if tuple(x.shape[1:]) != tuple(want):
        c, h, w = want
        raise DataError(f"{T.where}: outputs of shape {list(x.shape)}; {task}'s {domain} images are [N, {c}, {h}, {w}]")
    x, output_range = in_unit_range(x, T.where)
    T.assumed = output_range["output_range_assumed"]
    return x, output_range


def _round_trip(T: _Translator, images: torch.Tensor) -> torch.Tensor:
    """T's translations of the other translator's outputs, read in the range its own first outputs had."""
    x = _outputs(T, images)
    lo, hi = T.assumed
    if not torch.isfinite(x).all() or float(x.min()) < lo or float(x.max()) > hi:
        raise DataError(
            f"{T.where}: its outputs for the other translator's images leave [{lo:g}, {hi:g}], the range its "
            f"outputs for the test images had (or are not finite); a translator's outputs keep one range"
        )
    return (x - lo) / (hi - lo)


@torch.no_grad()
def read_translators(source, back, dataset, n: int, device: torch.device) -> Samples:
    """The translations of the first n test A images by ``source`` (a translator file or module);
    with ``back`` (the B-to-A translator, or None), also the translations of the first n test B
    images and both round trips, in ``Samples.cycle``. A module runs in eval mode where its weights
    are, and its mode is restored."""
    a, b = dataset.test_a[:n], dataset.test_b[:n]
    modules = [m for m in (source, back) if isinstance(m, torch.nn.Module)]
    with contextlib.ExitStack() as stack:
        for module in modules:
            stack.enter_context(evaluating(module))
        T, origin = _opened(source, a, "A", device)
        ab, output_range = _translated(T, a, b.shape[1:], "B", dataset.name)
        info = {"kind": T.kind, "input": INPUT_RANGE, **output_range, **origin}
        if back is None:
            return Samples(ab, info)
        F, back_origin = _opened(back, b, "B", device)
        ba, back_range = _translated(F, b, a.shape[1:], "A", dataset.name)
        cycle = {"ba": ba, "aba": _round_trip(F, to_uint8(ab)), "bab": _round_trip(T, to_uint8(ba))}
    path = {} if isinstance(back, torch.nn.Module) else {"path": str(Path(back).resolve())}
    info["back"] = {**path, "kind": F.kind, "input": BACK_INPUT_RANGE, **back_range, **back_origin}
    return Samples(ab, info, cycle=cycle)
