"""Samples drawn from a generator made elsewhere: a TorchScript module, a program saved with
torch.export (whose z size, batch size and label form ganbench reads from the program), or a module
handed to the Python API. z comes from one fixed seed; a conditional generator is asked for
balanced classes."""

from __future__ import annotations

import hashlib
import itertools
import logging
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import torch

from gan_bench.errors import DataError, InvalidOption, unknown
from gan_bench.rundir.repro import derived_seeds
from gan_bench.scoring.sample_format import CLASSES, LABELS, Expected, Samples, fit_channels, fit_size, sha256_of
from gan_bench.variants.base import evaluating
from gan_bench.variants.pixels import to_uint8

TORCHSCRIPT_SUFFIXES = (".pt", ".pth", ".ts")
EXPORT_SUFFIXES = (".pt2",)  # torch.export.save's files
GENERATOR_SUFFIXES = (*TORCHSCRIPT_SUFFIXES, *EXPORT_SUFFIXES)
Z_DISTS = ("normal", "uniform")  # N(0, 1) or U(-1, 1)
GENERATOR_SEED = derived_seeds(0)["score"]  # the z stream a generator is scored on
BATCH = 1000


def check_z_dist(z_dist: str | None, option: str) -> None:
    """A known distribution for z, or None (the default, normal); ``option`` names it in the message."""
    if (z_dist or "normal") not in Z_DISTS:
        raise InvalidOption(f"{option}: {unknown('distribution', z_dist, Z_DISTS)}")


def draw_z(n: int, z_dim: int, z_dist: str) -> torch.Tensor:
    g = torch.Generator().manual_seed(GENERATOR_SEED)
    if z_dist == "normal":
        return torch.randn((n, z_dim), generator=g)
    return torch.rand((n, z_dim), generator=g) * 2 - 1


@dataclass
class Generator:
    """A loaded generator: how to call it, and on what z."""

    call: object  # z -> images
    kind: str  # what metrics.json calls it
    z_shape: tuple[int, ...]  # z's shape after the batch dimension: (z_dim,) or (z_dim, 1, 1)
    batch: int | None = None  # the only batch size it takes (an export with a static batch)
    z_shape_known: bool = False  # an export states it; a module is tried on [B, z] then [B, z, 1, 1]
    labels: str | None = None  # a conditional generator's labels: "class indices" or "one-hot", once called

    @property
    def z_dim(self) -> int:
        return self.z_shape[0]


def how_to_save(what: str) -> str:
    return f"save the {what} with torch.jit.save(torch.jit.script(G), PATH), or as a .pt2 with torch.export.save"


def _not_torchscript(path: Path) -> str | None:
    """What a .pt file is when it is plainly no TorchScript archive, read from its zip listing
    without unpickling anything; None when it may be one."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [name.split("/", 1)[-1] for name in archive.namelist()]
    except (zipfile.BadZipFile, OSError):
        return "not a TorchScript file (those are zip archives, and this is none)"
    if "data.pkl" in names and "constants.pkl" not in names:
        return "a torch.save file (a state dict or a pickled module), which ganbench does not unpickle"
    return None


def check_torchscript_file(path: Path, what: str) -> None:
    """Refuse a file plainly of another kind than TorchScript, named without being unpickled."""
    plainly_not = _not_torchscript(path)
    if plainly_not is not None:
        raise DataError(f"{path}: {plainly_not}; {how_to_save(what)}")


def load_torchscript(path: Path, device: torch.device, what: str = "generator"):
    """A TorchScript module from ``path``, in eval mode."""
    check_torchscript_file(path, what)
    try:
        with warnings.catch_warnings():  # torch 2.14 marks TorchScript deprecated; it still loads the files users have
            warnings.simplefilter("ignore", FutureWarning)
            module = torch.jit.load(str(path), map_location=device)
    except (RuntimeError, ValueError, OSError) as e:
        raise DataError(f"{path}: not a TorchScript {what} ({e}); {how_to_save(what)}") from None
    module.eval()
    return module


def _torchscript(path: Path, z_dim: int | None, device: torch.device) -> Generator:
    check_torchscript_file(path, "generator")  # what the file is, before what it would need
    if z_dim is None:
        raise InvalidOption(f"--z-dim: a TorchScript generator needs its noise size, a positive integer ({path})")
    return Generator(load_torchscript(path, device), "TorchScript generator", (z_dim,))


def load_program(path: Path):
    """A torch.export program from ``path``, and the example values of its user inputs."""
    export_log = logging.getLogger("torch.export")
    level = export_log.level
    export_log.setLevel(logging.ERROR)  # torch.export.load logs a damaged archive's traceback, then raises
    try:
        program = torch.export.load(str(path))
    except Exception as e:  # a damaged or foreign archive raises many kinds
        raise DataError(f"{path}: not a torch.export program (save one with torch.export.save) ({e})") from None
    finally:
        export_log.setLevel(level)
    inputs = [node for node in program.graph.nodes if node.op == "placeholder"]
    users = set(program.graph_signature.user_inputs)
    return program, [node.meta["val"] for node in inputs if node.name in users and "val" in node.meta]


def _exported(path: Path, z_dim: int | None, device: torch.device, conditional: bool = False) -> Generator:
    """A torch.export program of one input z, [B, z_dim] or [B, z_dim, 1, 1] (and, conditional, a
    second, y: class indices [B] or one-hot [B, 10]): z's size and y's form come from the program,
    and a static B is the batch it is called with."""
    program, given = load_program(path)
    shapes = [tuple(value.shape) for value in given]
    wanted = 2 if conditional else 1
    if len(shapes) != wanted or len(shapes[0]) < 2 or not all(d == 1 for d in shapes[0][2:]):
        takes = "z of shape [B, z_dim] or [B, z_dim, 1, 1]"
        raise DataError(
            f"{path}: the program takes inputs of shapes {[list(map(str, s)) for s in shapes]}; ganbench "
            f"calls a {'conditional ' if conditional else ''}generator with "
            + (
                f"{takes}, then y of shape [B] (class indices) or [B, {CLASSES}] (one-hot)"
                if conditional
                else f"one {takes}"
            )
        )
    labels = _label_form(path, given[1]) if conditional else None
    shape = shapes[0]
    if not isinstance(shape[1], int):
        raise DataError(f"{path}: z's size {shape[1]} is not fixed in the program; export it with a fixed z size")
    if z_dim is not None and z_dim != shape[1]:
        raise InvalidOption(f"--z-dim: {z_dim} given, but {path} takes z of size {shape[1]}; leave --z-dim out")
    batch = shape[0] if isinstance(shape[0], int) else None
    return Generator(program.module().to(device), "torch.export generator", tuple(shape[1:]), batch, True, labels)


def _label_form(path: Path, y) -> str:
    """How an exported conditional generator takes y, read from the program: "class indices" or "one-hot"."""
    if y.dim() == 1 and not y.dtype.is_floating_point:
        return "class indices"
    if y.dim() == 2 and y.shape[1] == CLASSES and y.dtype.is_floating_point:
        return "one-hot"
    raise DataError(
        f"{path}: the program's y is {y.dtype} of shape {[str(d) for d in y.shape]}; ganbench gives y as class "
        f"indices (int64 [B]) or one-hot (float [B, {CLASSES}])"
    )


def _calls(G: Generator, z: torch.Tensor, device: torch.device, where: str, y: torch.Tensor | None = None):
    """G's outputs for z (and labels y, for a conditional generator), a batch at a time; a static
    batch size gets its last batch padded with zeros, whose outputs are dropped (a generator in eval
    mode maps each z on its own)."""
    size = G.batch or BATCH
    for i in range(0, len(z), size):
        part = z[i : i + size]
        given = len(part)
        labels = y[i : i + size] if y is not None else None
        if G.batch is not None and given < size:
            part = torch.cat([part, part.new_zeros(size - given, part.shape[1])])
            labels = torch.cat([labels, labels.new_zeros(size - given)]) if labels is not None else None
        if i == 0:
            out = _first_call(G, part, labels, device, where)
        else:
            out = _call(G, part, G.z_shape, labels, G.labels, device, where)
        yield out[:given] if isinstance(out, torch.Tensor) else out


def last_line(e: Exception) -> str:
    """The last non-blank line of an error a user's module raised (TorchScript's run to pages), or its type."""
    return ([line for line in str(e).splitlines() if line.strip()][-1:] or [type(e).__name__])[0]


def _call(G: Generator, part, z_shape: tuple[int, ...], y, labels_as: str | None, device: torch.device, where: str):
    shape = [len(part), *z_shape]
    args = [part.reshape(shape).to(device)]
    if y is not None:
        args.append((torch.nn.functional.one_hot(y, CLASSES).float() if labels_as == "one-hot" else y).to(device))
    try:
        return G.call(*args)
    except Exception as e:  # the user's module may raise anything
        given = f" and labels as {labels_as}" if y is not None else ""
        raise DataError(f"{where}: calling it on z of shape {shape}{given} failed: {last_line(e)}") from None


def _first_call(G: Generator, part: torch.Tensor, y: torch.Tensor | None, device: torch.device, where: str):
    """The first batch, on z of [B, z_dim] and then, if the generator refuses it, [B, z_dim, 1, 1]
    (a DCGAN's z, as the PyTorch DCGAN tutorial draws it); a conditional generator's labels as
    class indices, then one-hot. The first way that works is kept for every batch."""
    shapes = [G.z_shape] if G.z_shape_known else [G.z_shape, (G.z_dim, 1, 1)]
    forms = ([G.labels] if G.labels else ["class indices", "one-hot"]) if y is not None else [None]
    failed = []
    for z_shape, labels_as in itertools.product(shapes, forms):
        try:
            out = _call(G, part, z_shape, y, labels_as, device, where)
        except DataError as e:
            failed.append(str(e))
            continue
        G.z_shape, G.labels = z_shape, labels_as
        return out
    if len(failed) == 1:
        raise DataError(failed[0])
    reasons = {f.split(" failed: ", 1)[-1] for f in failed}
    if len(reasons) == 1:  # the same refusal every way: said once
        ways = " and ".join(f"[B, {', '.join(map(str, shape))}]" for shape in shapes)
        labels = ", with labels as class indices and as one-hot" if y is not None else ""
        raise DataError(f"{where}: calling it on z of {ways}{labels} failed each time: {reasons.pop()}")
    tried = "; ".join(f.split(": calling it ", 1)[-1] for f in failed[1:])
    raise DataError(f"{failed[0]}; and {tried}")


def returned_instead(out: object) -> str:
    """What a generator returned instead of a float tensor, and for several outputs what to do."""
    if isinstance(out, torch.Tensor):
        return f"a {out.dtype} tensor; expected a float tensor of images"
    if isinstance(out, (tuple, list, dict)):
        return (
            f"a {type(out).__name__} of {len(out)} outputs; expected a float tensor of images: give a generator "
            "whose output is the images alone (a small module whose forward calls yours and picks them out)"
        )
    return f"a {type(out).__name__}; expected a float tensor of images"


def in_unit_range(x: torch.Tensor, where: str) -> tuple[torch.Tensor, dict]:
    """Finite outputs in [0, 1], or in [-1, 1] (a tanh's, mapped to [0, 1]), and what metrics.json
    records of their range."""
    if not torch.isfinite(x).all():
        raise DataError(f"{where}: the generator's outputs hold NaN or inf")
    lo, hi = float(x.min()), float(x.max())
    if lo >= 0 and hi <= 1:
        assumed = [0.0, 1.0]
    elif lo >= -1 and hi <= 1:
        assumed, x = [-1.0, 1.0], (x + 1) / 2
    else:
        raise DataError(f"{where}: outputs span [{lo:.4g}, {hi:.4g}]; expected [0, 1] or [-1, 1] (tanh)")
    return x, {"output_range": [lo, hi], "output_range_assumed": assumed}


@torch.no_grad()
def _generated(
    G: Generator, want: Expected, n: int, z_dist: str, device: torch.device, where: str, conditional: bool = False
) -> Samples:
    """n images from G(z), z from ``z_dist`` (from G(z, y) for a conditional generator, y balanced
    over the classes); outputs in [0, 1], or in [-1, 1] (mapped to [0, 1]), shaped [N, C, H, W],
    [N, H, W] or [N, H·W]. The info lacks the generator's sha256."""
    z = draw_z(n, G.z_dim, z_dist)
    y = torch.arange(n) % CLASSES if conditional else None
    outputs = []
    for out in _calls(G, z, device, where, y):
        if not isinstance(out, torch.Tensor) or not out.is_floating_point():
            raise DataError(f"{where}: returned {returned_instead(out)}")
        outputs.append(out.float().cpu())
    x = torch.cat(outputs)
    if want.points:
        return _points(x, G, z_dist, where)
    s = want.size
    if x.dim() == 2 and x.shape[1] == want.channels * s * s or x.dim() == 3 and x.shape[1:] == (s, s):
        x = x.reshape(len(x), want.channels, s, s)
    if x.dim() != 4:
        raise DataError(f"{where}: outputs of shape {tuple(x.shape)}; expected [N, C, {s}, {s}]; {want.words}")
    fit_size(x, want, where)
    x, output_range = in_unit_range(x, where)
    images, notes = fit_channels(to_uint8(x), want, where)
    info = {
        **_drawn_from(G, z_dist),
        **({"labels": f"{LABELS}, given as {G.labels}"} if conditional else {}),
        **output_range,
    }
    return Samples(images, {**info, **notes}, y)


def _drawn_from(G: Generator, z_dist: str) -> dict:
    """What metrics.json records of how a generator's samples were drawn (its sha256 comes after)."""
    return {
        "kind": G.kind,
        "z_dim": G.z_dim,
        **({"z_shape": ["N", *G.z_shape]} if len(G.z_shape) > 1 else {}),
        **({"export_batch": G.batch} if G.batch is not None else {}),
        "z_dist": {"normal": "N(0, 1)", "uniform": "U(-1, 1)"}[z_dist],
        "z_seed": GENERATOR_SEED,
    }


def _points(x: torch.Tensor, G: Generator, z_dist: str, where: str) -> Samples:
    """A generator's outputs as 2D points [N, 2], finite, at any scale."""
    if x.dim() != 2 or x.shape[1] != 2:
        raise DataError(f"{where}: outputs of shape {tuple(x.shape)}; expected 2D points, shape [N, 2]")
    if not torch.isfinite(x).all():
        raise DataError(f"{where}: the generator's outputs hold NaN or inf")
    return Samples(x.contiguous(), {**_drawn_from(G, z_dist), "output_range": [float(x.min()), float(x.max())]})


def read_generator(
    path: Path, want: Expected, n: int, z_dim: int | None, z_dist: str, device: torch.device, conditional: bool = False
) -> Samples:
    """n images from a generator file (TorchScript, or a torch.export program)."""
    if path.suffix.lower() in EXPORT_SUFFIXES:
        G = _exported(path, z_dim, device, conditional)
    else:
        G = _torchscript(path, z_dim, device)
    read = _generated(G, want, n, z_dist, device, str(path), conditional)
    read.info = {**read.info, "sha256": sha256_of([path])}
    return read


IN_MEMORY_GENERATOR = "the generator given"  # how messages name a module passed to the Python API


def weights_sha256(module: torch.nn.Module) -> str:
    """sha256 of a module's state: each entry's name, dtype, shape and bytes, in name order."""
    digest = hashlib.sha256()
    for key, value in sorted(module.state_dict().items()):
        flat = value.detach().cpu().contiguous().reshape(-1)
        digest.update(f"{key}\0{value.dtype}\0{list(value.shape)}\0".encode())
        digest.update(flat.view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


def module_device(module: torch.nn.Module) -> torch.device:
    """The device a module's weights are on (the CPU for one without any)."""
    first = next(itertools.chain(module.parameters(), module.buffers()), None)
    return first.device if first is not None else torch.device("cpu")


def read_module(
    G: torch.nn.Module, want: Expected, n: int, z_dim: int, z_dist: str, conditional: bool = False
) -> Samples:
    """n images from a generator module handed to the Python API, on the device its weights are
    on, in eval mode (its mode is restored afterwards); its sha256 is of its weights."""
    with evaluating(G):
        wrapped = Generator(G, "in-memory generator", (z_dim,))
        read = _generated(wrapped, want, n, z_dist, module_device(G), IN_MEMORY_GENERATOR, conditional)
    read.info = {**read.info, "class": type(G).__qualname__, "sha256": weights_sha256(G)}
    return read
