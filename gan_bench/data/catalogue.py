"""The dataset catalogue: each dataset's files and sha256, where to look for them, and loading.

Every file is verified by the sha256 of its *uncompressed* bytes (gzip headers differ between
mirrors), so a file that is missing, truncated or altered stops ganbench with one message that
lists every place it looked and how to supply the file.
"""

from __future__ import annotations

import hashlib
import os
import socket
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from gan_bench.errors import DataError, InvalidOption, UserError, nearest, unknown
from gan_bench.rundir import atomic

if TYPE_CHECKING:
    import torch

ROLES = ("train_images", "train_labels", "test_images", "test_labels")
FILENAMES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
PACKAGE_ASSETS = Path(__file__).resolve().parent.parent / "assets"
DEBIAN_DATASETS = Path("/usr/share/datasets")
ENV_DATA = "GANBENCH_DATA"
ENV_OFFLINE = "GANBENCH_OFFLINE"


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    license: str
    attribution: str
    sha256: dict[str, str]  # role -> sha256 of the uncompressed file
    torchvision_class: str
    classes: tuple[str, ...]
    packaged: bool = False  # ships inside the ganbench package
    debian_package: str | None = None


DATASETS: dict[str, Dataset] = {
    "mnist": Dataset(
        name="mnist",
        title="MNIST",
        license="CC BY-SA 3.0",
        attribution="Yann LeCun, Corinna Cortes and Christopher J. C. Burges",
        sha256={
            "train_images": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            "train_labels": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            "test_images": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            "test_labels": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        },
        torchvision_class="MNIST",
        classes=tuple(str(i) for i in range(10)),
        packaged=True,
    ),
    "fashion-mnist": Dataset(
        name="fashion-mnist",
        title="Fashion-MNIST",
        license="MIT",
        attribution="Zalando SE, 2017",
        sha256={
            "train_images": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
            "train_labels": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
            "test_images": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
            "test_labels": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
        },
        torchvision_class="FashionMNIST",
        classes=(
            "T-shirt/top",
            "Trouser",
            "Pullover",
            "Dress",
            "Coat",
            "Sandal",
            "Shirt",
            "Sneaker",
            "Bag",
            "Ankle boot",
        ),
        debian_package="dataset-fashion-mnist",
    ),
}


def get(name: str) -> Dataset:
    if name not in DATASETS:
        raise DataError(unknown("dataset", name, DATASETS))
    return DATASETS[name]


def cache_dir() -> Path:
    """The user cache: $XDG_CACHE_HOME/ganbench where that is an absolute path (the XDG Base
    Directory spec has a relative one ignored), else ~/.cache/ganbench. Without a home folder (no
    $HOME and a user id the passwd database lacks, as in a container run as an arbitrary user) the
    path stays relative, ``~/.cache/ganbench``, which ``cache_problem`` refuses."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(base):
        return Path(base) / "ganbench"
    return Path(os.path.expanduser("~")) / ".cache" / "ganbench"


def no_home_folder() -> str:
    """Why ``~`` names no folder here (a container run as an arbitrary user), for a message that
    then says what to set instead."""
    return (
        f"no home folder ($HOME is not set to an absolute path, and user id {os.getuid()} has no home "
        "in the passwd database)"
    )


def cache_problem(folder: Path) -> str | None:
    """Why ``folder``, in the user cache, cannot be created and written (None when it can),
    naming where the cache comes from so the user knows what to change."""
    if not folder.is_absolute():  # no home folder: never a folder below the working directory
        return f"the user cache: {no_home_folder()}; set XDG_CACHE_HOME to a folder you can write"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        writable = os.access(folder, os.W_OK)
    except OSError as e:
        reason = e.strerror or str(e)
    else:
        if writable:
            return None
        reason = "not writable"
    where = "$XDG_CACHE_HOME/ganbench" if os.environ.get("XDG_CACHE_HOME") else "~/.cache/ganbench"
    return f"{folder}: {reason} (the user cache is {where}; set XDG_CACHE_HOME to a folder you can write)"


@dataclass(frozen=True)
class Location:
    label: str
    folder: Path | None  # None: the option was not given

    @property
    def where(self) -> str:
        """The folder as the lookup lists it. Where $GANBENCH_DATA names no folder, that is said too:
        a typo there would otherwise read as the dataset not being installed."""
        if self.folder is None:
            return "not set"
        base = self.folder.parent
        if self.label == f"${ENV_DATA}" and not base.is_dir():
            return f"{self.folder}; {base} is not a folder"
        if self.label in ("--data-dir", f"${ENV_DATA}") and not self.folder.is_dir():  # a folder named near it
            near = nearest(self.folder.name, _folders_in(base))
            if near is not None:
                return f"{self.folder}; {base / near} is there: name it {self.folder.name}"
        return str(self.folder)


def _folders_in(folder: Path) -> list[str]:
    try:
        return [p.name for p in folder.iterdir() if p.is_dir()]
    except OSError:  # unreadable, or not a folder: nothing to suggest
        return []


def data_folder(data_dir: str | os.PathLike | None) -> Path | None:
    """--data-dir as a Path, refused up front when it is not an existing folder (every command and
    API function that takes one checks it here, before anything is looked for or written)."""
    if data_dir is None:
        return None
    if not Path(data_dir).is_dir():
        raise InvalidOption(
            f"--data-dir: {data_dir} is not an existing folder; give the folder holding <dataset>/ folders"
        )
    return Path(data_dir)


def locations(ds: Dataset, data_dir: Path | None = None) -> list[Location]:
    """Where ganbench looks for ``ds``, in order."""
    env = os.environ.get(ENV_DATA)
    found = [
        Location("--data-dir", Path(data_dir) / ds.name if data_dir else None),
        Location(f"${ENV_DATA}", Path(env) / ds.name if env else None),
    ]
    if ds.packaged:
        found.append(Location("ganbench package", PACKAGE_ASSETS / ds.name))
    if ds.debian_package:
        found.append(Location(f"Debian package {ds.debian_package}", DEBIAN_DATASETS / ds.name))
    cache = cache_dir()
    found.append(Location("user cache", cache / ds.name if cache.is_absolute() else None))
    return found


def _file_in(folder: Path, role: str) -> Path | None:
    for candidate in (folder / (FILENAMES[role] + ".gz"), folder / FILENAMES[role]):
        if candidate.is_file():
            return candidate
    return None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Loaded:
    """A verified dataset and where it came from: uint8 images [N, 28, 28] (or [N, 3, 28, 28] for
    stacked MNIST, or float32 points [N, 2] for the 2D mixtures) and int64 labels [N]."""

    name: str
    train_images: torch.Tensor
    train_labels: torch.Tensor
    test_images: torch.Tensor
    test_labels: torch.Tensor
    files: dict[str, str] = field(default_factory=dict)  # role -> path
    sha256: dict[str, str] = field(default_factory=dict)  # role -> verified sha256
    modality: str = "gray28"  # gray28, rgb28 or points: which recipes can train on it
    modes: dict | None = None  # 2D mixtures: {"means": [[x, y], ...], "std": s}


def _how_to_supply(ds: Dataset) -> str:
    names = ", ".join(FILENAMES[r] + ".gz" for r in ROLES)
    ways = [f"put {names} in a folder named {ds.name}/ under --data-dir or ${ENV_DATA}"]
    if ds.debian_package:
        ways.append(f"apt install {ds.debian_package}")
    ways.append(f"run `ganbench data fetch {ds.name}` on a machine with internet and copy {cache_dir() / ds.name}")
    return "To supply it: " + "; or ".join(ways) + "."


def _missing_message(ds: Dataset, role: str, looked: list[str]) -> str:
    lines = [f"{ds.title}: cannot find {FILENAMES[role]}(.gz). ganbench looked in:"]
    lines += [f"  {i}. {where}" for i, where in enumerate(looked, 1)]
    lines.append(_how_to_supply(ds))
    return "\n".join(lines)


def _verified(ds: Dataset, role: str, path: Path) -> bytes:
    from gan_bench.data import idx  # idx loads torch; `ganbench data list` and `--help` need none

    data = idx.read_bytes(path)
    digest = sha256(data)
    if digest != ds.sha256[role]:
        raise DataError(
            f"{path}: sha256 mismatch for {ds.title} {FILENAMES[role]}: "
            f"expected {ds.sha256[role]} (uncompressed), got {digest}. "
            f"The file is corrupt or not the official one; delete or replace it. {_how_to_supply(ds)}"
        )
    return data


def find(ds: Dataset, data_dir: Path | None = None) -> tuple[dict[str, Path], dict[str, list[str]]]:
    """The first existing path of each file, and per missing role the places looked."""
    paths: dict[str, Path] = {}
    missing: dict[str, list[str]] = {}
    for role in ROLES:
        looked = []
        for loc in locations(ds, data_dir):
            hit = _file_in(loc.folder, role) if loc.folder is not None else None
            if hit:
                paths[role] = hit
                break
            looked.append(f"{loc.label}: {loc.where}")
        else:
            missing[role] = looked
    return paths, missing


def download(ds: Dataset) -> Path:
    """Download ``ds`` with torchvision into the user cache, verifying every file."""
    from torchvision import datasets as tv_datasets

    target = cache_dir() / ds.name
    problem = cache_problem(target.parent)  # before the download, not after it; the target only once verified
    if problem:
        raise DataError(f"cannot store the download of {ds.title}: {problem}")
    with tempfile.TemporaryDirectory() as tmp:
        previous = socket.getdefaulttimeout()
        socket.setdefaulttimeout(30)
        try:
            getattr(tv_datasets, ds.torchvision_class)(root=tmp, download=True)
        finally:
            socket.setdefaulttimeout(previous)
        raw = Path(tmp) / ds.torchvision_class / "raw"  # where torchvision's MNIST-like classes put the files
        sources = []
        for role in ROLES:  # all four verified before any is written: the cache never holds a partial set
            source = _file_in(raw, role)
            if source is None:
                raise DataError(f"torchvision download of {ds.title} did not produce {FILENAMES[role]}")
            _verified(ds, role, source)
            sources.append(source)
        target.mkdir(parents=True, exist_ok=True)
        for source in sources:
            atomic.write_bytes(target / source.name, source.read_bytes())
    return target


def _why(error: Exception) -> str:
    """A failed download's error on one line: torchvision's spreads over three (the URL tried, the cause)."""
    return f"{type(error).__name__}: {' '.join(str(error).split())}"


def download_allowed() -> bool:
    return os.environ.get(ENV_OFFLINE, "") in ("", "0")


def load(name: str, data_dir: Path | None = None, allow_download: bool = True) -> Loaded:
    """Find, verify and parse all four files of dataset ``name``."""
    from gan_bench.data import idx

    ds = get(name)
    paths, data = verified(name, data_dir, allow_download)
    tensors = {role: idx.parse(data[role], str(paths[role])) for role in ROLES}
    return Loaded(
        name=ds.name,
        train_images=tensors["train_images"],
        train_labels=tensors["train_labels"].long(),
        test_images=tensors["test_images"],
        test_labels=tensors["test_labels"].long(),
        files={r: str(p) for r, p in paths.items()},
        sha256=dict(ds.sha256),
    )


def verified(
    name: str, data_dir: Path | None = None, allow_download: bool = True
) -> tuple[dict[str, Path], dict[str, bytes]]:
    """All four files of dataset ``name`` found (downloaded when missing and allowed) and verified:
    their paths and uncompressed bytes. A missing one is a DataError listing the places looked."""
    ds = get(name)
    paths, missing = find(ds, data_dir)
    if missing and allow_download and download_allowed():
        try:
            download(ds)
            paths, missing = find(ds, data_dir)
        except UserError:
            raise
        except Exception as e:  # offline, DNS, HTTP: reported below with the places looked
            for looked in missing.values():
                looked.append(f"torchvision download: failed ({_why(e)})")
    elif missing:
        reason = f"disabled (${ENV_OFFLINE} is set)" if allow_download else "not attempted"
        for looked in missing.values():
            looked.append(f"torchvision download: {reason}")
    if missing:
        role, looked = next(iter(missing.items()))
        raise DataError(_missing_message(ds, role, looked))
    return paths, {role: _verified(ds, role, paths[role]) for role in ROLES}


@dataclass
class FileStatus:
    role: str
    path: Path | None
    state: str  # "ok", "found" (not verified), "missing", "corrupt: ..."


def status(name: str, data_dir: Path | None = None, verify: bool = False) -> list[FileStatus]:
    """Per file: where it was found and, with ``verify``, whether its sha256 matches."""
    ds = get(name)
    paths, _ = find(ds, data_dir)
    result = []
    for role in ROLES:
        path = paths.get(role)
        if path is None:
            result.append(FileStatus(role, None, "missing"))
            continue
        state = "found"
        if verify:
            try:
                _verified(ds, role, path)
                state = "ok"
            except UserError as e:
                state = "corrupt: " + str(e).split(". ")[0].split(": ", 1)[-1]
        result.append(FileStatus(role, path, state))
    return result


def verified_folders(name: str) -> list[Path]:
    """The folders holding all four files of ``name``, when each is found and verifies: then there
    is nothing to fetch. Empty when a file is missing or corrupt."""
    ds = get(name)
    paths, missing = find(ds)
    if missing:
        return []
    try:
        for role, path in paths.items():
            _verified(ds, role, path)
    except DataError:
        return []
    return sorted({path.parent for path in paths.values()})


def fetch(name: str) -> Path:
    """Download ``name`` into the user cache (for ``ganbench data fetch``)."""
    ds = get(name)
    try:
        return download(ds)
    except UserError:
        raise
    except Exception as e:
        raise DataError(f"download of {ds.title} failed ({_why(e)}). " + _how_to_supply(ds)) from None
