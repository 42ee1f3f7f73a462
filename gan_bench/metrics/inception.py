"""The Inception option: torch-fidelity's inception-v3-compat for FID and IS, 10k against the test
split, grayscale tiled to 3 channels in 0-255, as Lucic et al. 2018 did.

The weights come from --inception-weights PATH, else the torch hub cache, else torch-fidelity's
download when online; without any of them ganbench stops and says where to put the file.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import torch

from gan_bench.data.catalogue import ENV_OFFLINE, no_home_folder
from gan_bench.errors import DataError, InvalidOption
from gan_bench.metrics.fidelity import ImageTensors, metric_name
from gan_bench.torch_files import UnreadableTorchFile, load_tensors

BACKBONE = "inception"
EXTRACTOR = "inception-v3-compat"
WEIGHTS_FILE = "weights-inception-2015-12-05-6726825d.pth"
WEIGHTS_URL = f"https://github.com/toshas/torch-fidelity/releases/download/v0.2.0/{WEIGHTS_FILE}"
OFFICIAL_PREFIX = "6726825d"  # torch hub names a file by the first 8 hex digits of its sha256


def hub_path() -> Path:
    return Path(torch.hub.get_dir()) / "checkpoints" / WEIGHTS_FILE


def resolve_weights(path: Path | None) -> Path | None:
    """The weights file to use, or None to let torch-fidelity download it (online only)."""
    if path is not None:
        if not Path(path).is_file():
            raise InvalidOption(f"--inception-weights: file {path} does not exist")
        return readable(Path(path))
    hub = hub_path()
    if str(hub).startswith("~"):  # no home: torch's hub is a "~" folder below the working directory
        raise DataError(
            f"Inception weights: the torch hub cache has {no_home_folder()}; set TORCH_HOME to a folder "
            "you can write, or pass --inception-weights PATH"
        )
    if hub.is_file():
        return readable(hub)
    if os.environ.get(ENV_OFFLINE, "") not in ("", "0"):
        raise DataError(_missing())
    return None


def readable(path: Path) -> Path:
    """``path`` if it holds loadable weights; an empty or corrupt file is one DataError saying how to fix it."""
    fix = f"download {WEIGHTS_URL} again and put it at {path}"
    try:
        load_tensors(path)
    except UnreadableTorchFile as e:
        raise DataError(f"{path}: not a readable Inception weights file ({e}); {fix}") from None
    return path


def _missing(reason: str = "") -> str:
    return (
        f"Inception weights not found{reason}. Download {WEIGHTS_URL} and put it at {hub_path()} "
        f"(the torch hub cache), or pass --inception-weights PATH."
    )


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def inception_metrics(
    generated: torch.Tensor, reference: torch.Tensor, split: str, cuda: bool, weights: Path | None
) -> dict[str, dict]:
    """FID and IS on Inception pool_3 / logits; grayscale is tiled to RGB."""
    import torch_fidelity  # imported here: it loads torchvision.models, ~2 s a non-scoring command skips

    path = resolve_weights(weights)

    def rgb(x: torch.Tensor) -> torch.Tensor:
        return x.expand(-1, 3, -1, -1).contiguous() if x.shape[1] == 1 else x

    try:
        raw = torch_fidelity.calculate_metrics(
            input1=ImageTensors(rgb(generated)),
            input2=ImageTensors(rgb(reference)),
            cuda=cuda,
            batch_size=100,
            isc=True,
            fid=True,
            feature_extractor=EXTRACTOR,
            feature_extractor_weights_path=str(path) if path else None,
            samples_shuffle=False,
            cache=False,
            save_cpu_ram=True,
            verbose=False,
        )
    except OSError as e:  # the download failed
        raise DataError(_missing(f" and the download failed ({e})")) from None
    path = path or hub_path()
    sha = sha256_file(path)
    protocol = {
        "samples": len(generated),
        "backbone": BACKBONE,
        "backbone_sha256": sha,
        "backbone_weights": path.name,
        "official_weights": sha.startswith(OFFICIAL_PREFIX),
    }
    n = len(generated)
    return {
        metric_name("is", BACKBONE, n, None): {
            "value": float(raw["inception_score_mean"]),
            "std": float(raw["inception_score_std"]),
            **protocol,
        },
        metric_name("fid", BACKBONE, n, split): {
            "value": float(raw["frechet_inception_distance"]),
            **protocol,
            "reference_split": split,
            "reference_samples": len(reference),
        },
    }
