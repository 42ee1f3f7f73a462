"""Samples made elsewhere, read and validated for scoring: a folder of PNG/JPEG images, an .npy or
.npz uint8 array, or a generator: a TorchScript module, or a program saved with torch.export
(whose z size and batch size ganbench reads from the program). Every mistake is one DataError or
InvalidOption naming the input and what would be valid; nothing is scored from an input that
fails a check.
"""

from __future__ import annotations

import hashlib
import itertools
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from gan_bench.errors import DataError, InvalidOption
from gan_bench.rundir.repro import derived_seeds
from gan_bench.variants.pixels import to_uint8

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
ARRAY_SUFFIXES = (".npy", ".npz")
TORCHSCRIPT_SUFFIXES = (".pt", ".pth", ".ts")
EXPORT_SUFFIXES = (".pt2",)  # torch.export.save's files
GENERATOR_SUFFIXES = (*TORCHSCRIPT_SUFFIXES, *EXPORT_SUFFIXES)
Z_DISTS = ("normal", "uniform")  # N(0, 1) or U(-1, 1)
GENERATOR_SEED = derived_seeds(0)["score"]  # the z stream a generator is scored on
BATCH = 1000
CLASSES = 10  # MNIST's and Fashion-MNIST's: what a conditional generator is asked for
LABELS = "balanced: sample i asks for class i mod 10"  # as ganbench's own conditional recipes are scored
LABELS_GIVEN = "as given with the samples (the .npz's labels)"


@dataclass
class Expected:
    """What the dataset's evaluator reads: channels and size."""

    dataset: str
    channels: int
    size: int

    @property
    def words(self) -> str:
        kind = "grayscale" if self.channels == 1 else f"{self.channels}-channel"
        return f"{self.dataset} images are {self.size}×{self.size} {kind}"


@dataclass
class Samples:
    images: torch.Tensor  # uint8 [N, C, H, W]
    info: dict = field(default_factory=dict)  # what metrics.json records about the input
    labels: torch.Tensor | None = None  # the class each sample was asked for (a conditional generator)
    labels_protocol: str = LABELS  # how those classes were chosen, as metrics.json's protocol says


def sha256_of(paths: list[Path], root: Path | None = None) -> str:
    digest = hashlib.sha256()
    for path in paths:
        if root is not None:  # a folder: names are part of what was scored
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _fit_channels(images: torch.Tensor, want: Expected, where: str) -> tuple[torch.Tensor, dict]:
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
    raise DataError(f"{where}: {c} channels{detail}; {want.words}")


def _fit_size(images: torch.Tensor, want: Expected, where: str) -> None:
    h, w = images.shape[-2:]
    if (h, w) != (want.size, want.size):
        raise DataError(f"{where}: images are {h}×{w}; {want.words} (resize them to {want.size}×{want.size} first)")


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
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
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
                f"{path}: {h}×{w} with {c} channels, but {first[0].name} is {first[1][1]}×{first[1][2]} "
                f"with {first[1][0]}; every image in the folder must have one size and channel count"
            )
        images.append(image)
    stacked = torch.stack(images)
    _fit_size(stacked, want, str(folder))
    stacked, notes = _fit_channels(stacked, want, str(folder))
    info = {"kind": "image folder", "files": len(files), "sha256": sha256_of(files, folder)}
    return Samples(stacked, {**info, **notes})


NUMPY_MAGIC = (b"\x93NUMPY", b"PK\x03\x04", b"PK\x05\x06")  # .npy; .npz (a zip), and an empty one


def _load_array(path: Path, labelled: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
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


def _array_images(array: np.ndarray, want: Expected, where: str) -> tuple[torch.Tensor, dict]:
    """uint8 [N, C, H, W] from an array shaped N×H×W, N×H×W×C or N×C×H×W, and what was done to fit
    its channels."""
    s = want.size
    if array.dtype != np.uint8:
        hint = " (from floats in [0, 1]: (x * 255).round().astype(np.uint8))" if array.dtype.kind == "f" else ""
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
    return _fit_channels(torch.from_numpy(np.ascontiguousarray(array)), want, where)


def read_array(path: Path, want: Expected, conditional: bool = False) -> Samples:
    array, labels = _load_array(path, conditional)
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
            hint = " (from floats in [0, 1]: (x * 255).round().to(torch.uint8))" if array.is_floating_point() else ""
            raise DataError(f"{IN_MEMORY}: dtype {array.dtype}; expected uint8 pixels 0–255{hint}")
        array = array.detach().cpu().numpy()
    array = np.ascontiguousarray(array)
    images, notes = _array_images(array, want, IN_MEMORY)
    digest = hashlib.sha256(f"{array.dtype.str}{list(array.shape)}".encode() + array.tobytes()).hexdigest()
    info = {"kind": "in-memory array", "array_shape": list(array.shape), "sha256": digest}
    return Samples(images, {**info, **notes})


def check_z_dist(z_dist: str | None, option: str) -> None:
    """A known distribution for z, or None (the default, normal); ``option`` names it in the message."""
    if (z_dist or "normal") not in Z_DISTS:
        raise InvalidOption(f"{option}: unknown distribution {z_dist!r}; valid: {', '.join(Z_DISTS)}")


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


SAVE_TORCHSCRIPT = (
    "save the generator with torch.jit.save(torch.jit.script(G), PATH), or as a .pt2 with torch.export.save"
)


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


def _torchscript(path: Path, z_dim: int | None, device: torch.device) -> Generator:
    plainly_not = _not_torchscript(path)
    if plainly_not is not None:
        raise DataError(f"{path}: {plainly_not}; {SAVE_TORCHSCRIPT}")
    if z_dim is None:
        raise InvalidOption(f"--z-dim: a TorchScript generator needs its noise size, a positive integer ({path})")
    try:
        with warnings.catch_warnings():  # torch 2.14 marks TorchScript deprecated; it still loads the files users have
            warnings.simplefilter("ignore", FutureWarning)
            G = torch.jit.load(str(path), map_location=device)
    except (RuntimeError, ValueError, OSError) as e:
        raise DataError(f"{path}: not a TorchScript generator ({e}); {SAVE_TORCHSCRIPT}") from None
    G.eval()
    return Generator(G, "TorchScript generator", (z_dim,))


def _exported(path: Path, z_dim: int | None, device: torch.device, conditional: bool = False) -> Generator:
    """A torch.export program of one input z, [B, z_dim] or [B, z_dim, 1, 1] (and, conditional, a
    second, y: class indices [B] or one-hot [B, 10]): z's size and y's form come from the program,
    and a static B is the batch it is called with."""
    try:
        program = torch.export.load(str(path))
    except Exception as e:  # a damaged or foreign archive raises many kinds
        raise DataError(f"{path}: not a torch.export program (save one with torch.export.save) ({e})") from None
    inputs = [node for node in program.graph.nodes if node.op == "placeholder"]
    users = set(program.graph_signature.user_inputs)
    given = [node.meta["val"] for node in inputs if node.name in users and "val" in node.meta]
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


def _call(G: Generator, part, z_shape: tuple[int, ...], y, labels_as: str | None, device: torch.device, where: str):
    shape = [len(part), *z_shape]
    args = [part.reshape(shape).to(device)]
    if y is not None:
        args.append((torch.nn.functional.one_hot(y, CLASSES).float() if labels_as == "one-hot" else y).to(device))
    try:
        return G.call(*args)
    except Exception as e:  # the user's module may raise anything
        last = [line for line in str(e).splitlines() if line.strip()][-1:] or [type(e).__name__]
        given = f" and labels as {labels_as}" if y is not None else ""
        raise DataError(f"{where}: calling it on z of shape {shape}{given} failed: {last[0]}") from None


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
            raise DataError(
                f"{where}: returned {type(out).__name__} {getattr(out, 'dtype', '')}; expected a float tensor"
            )
        outputs.append(out.float().cpu())
    x = torch.cat(outputs)
    s = want.size
    if x.dim() == 2 and x.shape[1] == want.channels * s * s or x.dim() == 3 and x.shape[1:] == (s, s):
        x = x.reshape(len(x), want.channels, s, s)
    if x.dim() != 4:
        raise DataError(f"{where}: outputs of shape {tuple(x.shape)}; expected [N, C, {s}, {s}]; {want.words}")
    _fit_size(x, want, where)
    if not torch.isfinite(x).all():
        raise DataError(f"{where}: the generator's outputs hold NaN or inf")
    lo, hi = float(x.min()), float(x.max())
    if lo >= 0 and hi <= 1:
        assumed = [0.0, 1.0]
    elif lo >= -1 and hi <= 1:
        assumed, x = [-1.0, 1.0], (x + 1) / 2
    else:
        raise DataError(f"{where}: outputs span [{lo:.4g}, {hi:.4g}]; expected [0, 1] or [-1, 1] (tanh)")
    images, notes = _fit_channels(to_uint8(x), want, where)
    info = {
        "kind": G.kind,
        "z_dim": G.z_dim,
        **({"z_shape": ["N", *G.z_shape]} if len(G.z_shape) > 1 else {}),
        **({"export_batch": G.batch} if G.batch is not None else {}),
        "z_dist": {"normal": "N(0, 1)", "uniform": "U(-1, 1)"}[z_dist],
        "z_seed": GENERATOR_SEED,
        **({"labels": f"{LABELS}, given as {G.labels}"} if conditional else {}),
        "output_range": [lo, hi],
        "output_range_assumed": assumed,
    }
    return Samples(images, {**info, **notes}, y)


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


def read_module(
    G: torch.nn.Module, want: Expected, n: int, z_dim: int, z_dist: str, conditional: bool = False
) -> Samples:
    """n images from a generator module handed to the Python API, on the device its weights are
    on, in eval mode (its mode is restored afterwards); its sha256 is of its weights."""
    first = next(itertools.chain(G.parameters(), G.buffers()), None)
    device = first.device if first is not None else torch.device("cpu")
    modes = {module: module.training for module in G.modules()}  # each part's own: one may be frozen in eval
    G.eval()
    try:
        wrapped = Generator(G, "in-memory generator", (z_dim,))
        read = _generated(wrapped, want, n, z_dist, device, IN_MEMORY_GENERATOR, conditional)
    finally:
        for module, training in modes.items():
            module.training = training
    read.info = {**read.info, "class": type(G).__qualname__, "sha256": weights_sha256(G)}
    return read


def kind_of(path: Path) -> str:
    if not path.exists():
        raise InvalidOption(f"--input: {path} does not exist")
    if path.is_dir():
        return "folder"
    suffix = path.suffix.lower()
    for kind, suffixes in (("array", ARRAY_SUFFIXES), ("generator", GENERATOR_SUFFIXES)):
        if suffix in suffixes:
            return kind
    valid = ", ".join([*ARRAY_SUFFIXES, *GENERATOR_SUFFIXES])
    raise InvalidOption(f"--input: {path} is neither a folder of images nor a file ending in {valid}")


def read(
    path: Path,
    want: Expected,
    n: int | None,
    z_dim: int | None,
    z_dist: str | None,
    device: torch.device,
    conditional: bool = False,
) -> Samples:
    """The input's first ``n`` samples (all when None; a generator draws ``n`` or ``default_n``)."""
    kind = kind_of(path)
    if kind != "generator" and (z_dim is not None or z_dist is not None):
        raise InvalidOption(f"--z-dim and --z-dist apply to a generator ({', '.join(GENERATOR_SUFFIXES)}) only")
    if conditional and kind == "folder":
        raise InvalidOption(
            f"--conditional: {path} is a folder of images, which holds no labels; save the samples with "
            "np.savez(PATH, images=..., labels=...), labels the class each sample was asked for"
        )
    if kind == "generator":
        if z_dim is not None and z_dim < 1:
            raise InvalidOption(f"--z-dim: a generator needs its noise size, a positive integer (got {z_dim})")
        check_z_dist(z_dist, "--z-dist")
        return read_generator(path, want, n, z_dim, z_dist or "normal", device, conditional)
    samples = read_folder(path, want) if kind == "folder" else read_array(path, want, conditional)
    return first(samples, n, str(path))


def first(samples: Samples, n: int | None, source: str) -> Samples:
    """The first ``n`` of ``samples`` (all when None); more than ``source`` holds is refused."""
    if n is not None:
        if n > len(samples.images):
            raise InvalidOption(f"--samples: {n} asked, but {source} holds {len(samples.images)} samples")
        samples.images = samples.images[:n]
        samples.labels = samples.labels[:n] if samples.labels is not None else None
    return samples
