"""Samples made elsewhere, read and validated for scoring: which kind an input is (a folder of
images, an array file, a generator file), read by its reader (scoring/sample_files.py,
scoring/sample_generators.py) into the images the evaluator reads (scoring/sample_format.py). Every
mistake is one DataError or InvalidOption naming the input and what would be valid; nothing is
scored from an input that fails a check.
"""

from __future__ import annotations

from pathlib import Path

import torch

from gan_bench.errors import InvalidOption
from gan_bench.scoring.sample_files import ARRAY_SUFFIXES, read_array, read_folder
from gan_bench.scoring.sample_format import Expected, Samples
from gan_bench.scoring.sample_generators import GENERATOR_SUFFIXES, check_z_dist, read_generator


def kind_of(path: Path, option: str = "--input") -> str:
    if not path.exists():
        raise InvalidOption(f"{option}: {path} does not exist")
    if path.is_dir():
        return "folder"
    suffix = path.suffix.lower()
    for kind, suffixes in (("array", ARRAY_SUFFIXES), ("generator", GENERATOR_SUFFIXES)):
        if suffix in suffixes:
            return kind
    valid = ", ".join([*ARRAY_SUFFIXES, *GENERATOR_SUFFIXES])
    raise InvalidOption(f"{option}: {path} is neither a folder of images nor a file ending in {valid}")


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
