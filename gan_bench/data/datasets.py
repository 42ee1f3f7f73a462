"""Every dataset a suite may name: the official files of the catalogue, the datasets built from
them or from a formula (stacked MNIST, the 2D mixtures, the offline translation tasks), and
translation folders named by their path."""

from __future__ import annotations

import functools
from pathlib import Path

from gan_bench.data import catalogue, folders
from gan_bench.errors import unknown as unknown_name

# Built datasets and their modality; their builders (data/mixtures.py, stacked.py, translation.py)
# load torch, so they are imported when a dataset is loaded, not when one is named.
TRANSLATION_TASKS = {"edges2digits": "paired", "edges2fashion": "paired", "digits2bold": "unpaired"}
BUILT = {"stacked-mnist": "rgb28", "ring": "points", "grid": "points", **TRANSLATION_TASKS}
NAMES = (*catalogue.DATASETS, *BUILT)
DIRECTIONS = ("AtoB", "BtoA")
# What each dataset holds, as `ganbench list` shows it
WHAT = {
    "mnist": "handwritten digits, 28×28 grayscale, 10 classes; ships inside ganbench",
    "fashion-mnist": "clothing, 28×28 grayscale, 10 classes; `ganbench data fetch fashion-mnist`",
    "stacked-mnist": "three MNIST digits as the R, G, B channels, 28×28: 1,000 modes",
    "ring": "2D points: 8 Gaussians on the unit circle",
    "grid": "2D points: 25 Gaussians on a 5×5 grid",
    "edges2digits": "paired translation, 28 px: a digit's outline → the digit",
    "edges2fashion": "paired translation, 32 px: a Fashion-MNIST item's outline → the item",
    "digits2bold": "unpaired translation, 28 px: digits ↔ the same digits in bold",
}
OWN_FILES = "its files"  # what a catalogue dataset is made from, as described() says
FOLDER_WHAT = (
    "a translation dataset of your own, named by its path (with a '/'): pix2pix's train/ and test/ "
    "of A|B images side by side, or CycleGAN's trainA/, trainB/, testA/, testB/"
)


def described() -> list[dict[str, str]]:
    """Every named dataset: its name, what it holds, what it is made from (its files, the datasets
    it is built from, or a formula) and the license and attribution it carries (a built dataset's
    are those of its source; "" for a formula); then a row for translation folders named by their path."""
    rows = []
    for name in NAMES:
        made_of = sources(name)
        origin = catalogue.DATASETS[made_of[0]] if made_of else None
        rows.append(
            {
                "name": name,
                "what": WHAT[name],
                "made_from": OWN_FILES
                if name in catalogue.DATASETS
                else (f"built from {', '.join(made_of)}" if made_of else "a formula"),
                "license": origin.license if origin else "",
                "attribution": origin.attribution if origin else "",
            }
        )
    mine = {"name": "PATH", "what": FOLDER_WHAT, "made_from": "its images", "license": "", "attribution": ""}
    return [*rows, mine]


def known(name: str) -> bool:
    return name in NAMES or folders.is_folder_name(name)


def unknown(name: str) -> str:
    """Why ``name`` is no dataset, and what is valid; a bare folder name gets the path to write."""
    message = unknown_name("dataset", name, NAMES, also=", or a translation folder's path (with a '/')")
    return message + folder_hint(name, "train")


def folder_hint(name: str, doing: str) -> str:
    """For a bare name that is a folder here: how to write it as a path (else nothing)."""
    return f"; a folder {name!r} is here: write ./{name} to {doing} on it" if Path(name).is_dir() else ""


def modality(name: str) -> str:
    """gray28, rgb28, points, paired or unpaired; a folder's layout decides (UserError if it has none)."""
    if folders.is_folder_name(name):
        return folders.checked_layout(Path(name))
    return BUILT.get(name, "gray28")


def is_translation(name: str) -> bool:
    return folders.is_folder_name(name) or name in TRANSLATION_TASKS


def sources(name: str) -> list[str]:
    """The catalogue datasets whose files ``name`` is built from (none for a formula or a folder)."""
    if name in catalogue.DATASETS:
        return [name]
    if name == "stacked-mnist":
        return ["mnist"]
    if name in TRANSLATION_TASKS:
        from gan_bench.data import translation  # loads torch

        return [translation.TASKS[name][0]]
    return []


def _sources_of(names: list[str]) -> list[str]:
    return list(dict.fromkeys(s for name in names for s in sources(name)))


def evaluators_of(names: list[str]) -> list[str]:
    """The datasets whose pinned evaluators score runs on ``names``: the catalogue datasets they are
    built from (each stacked channel is MNIST; a translation task's evaluator classifies its
    source's images); none for the 2D mixtures and translation folders."""
    return _sources_of(names)


def check_available(names: list[str], data_dir: Path | None = None) -> None:
    """Every file the datasets ``names`` are built from, found (downloaded when allowed) and
    verified, so that a missing one is named before any run trains, not after the others have."""
    for source in _sources_of(names):
        catalogue.verified(source, data_dir)


def to_download(names: list[str], data_dir: Path | None = None) -> list[str]:
    """What :func:`check_available` would download, without downloading: the catalogue datasets
    ``names`` are built from that this machine lacks. The files of the others are verified, and a
    missing one that may not be downloaded raises, as it would there."""
    missing = []
    for source in _sources_of(names):
        if catalogue.download_allowed() and catalogue.find(catalogue.get(source), data_dir)[1]:
            missing.append(source)
        else:
            catalogue.verified(source, data_dir)
    return missing


def load(name: str, data_dir: Path | None = None, direction: str = "AtoB"):
    """A ``Loaded`` dataset, or a ``TranslationSet`` for translation tasks and folders."""
    from gan_bench.data import mixtures, stacked, translation

    if folders.is_folder_name(name):
        return folders.load(Path(name), direction)
    if name in translation.TASKS:
        source, build = translation.TASKS[name]
        task = build(catalogue.load(source, data_dir))
        return task.reversed() if direction == "BtoA" else task
    if name in mixtures.MIXTURES:
        return mixtures.build(name)
    if name == "stacked-mnist":
        return stacked.build(catalogue.load("mnist", data_dir))
    return catalogue.load(name, data_dir)


def cached_loader(data_dir: Path | None = None):
    """(name, direction) -> ``load(name, data_dir, direction)``, each dataset loaded and verified
    once for as long as the loader is kept (a suite's runs, one scoring call's), not per run."""
    return functools.lru_cache(maxsize=2)(lambda name, direction: load(name, data_dir, direction))


@functools.lru_cache(maxsize=2)
def load_once(name: str, data_dir: Path | None = None, direction: str = "AtoB"):
    """``load``, kept for the process's later runs: one verified load per dataset per worker."""
    return load(name, data_dir, direction)
