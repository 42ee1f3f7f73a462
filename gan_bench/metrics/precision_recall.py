"""Precision and recall (Kynkäänniemi et al., 2019) as torch-fidelity computes them, with the
reference set's k-NN radii kept for the process, and in the user cache beside the reference's
features where that cache is on, for the next process (a ``--jobs`` worker, the next command).

torch-fidelity measures the reference's 10,000 × 10,000 distances again at every scoring: 1.6 s of a
2.3 s scoring on 2 cores. The steps below are those of its ``calculate_precision_recall_part``
(what it runs with ``save_cpu_ram``), on its own ``calc_cdist_part``, with each row's k-th nearest
distance picked by ``topk`` instead of ``kthvalue`` (the same value, faster), so the values are its
bits; tests hold them to ``calculate_metrics`` and to ``kthvalue``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import torch

from gan_bench.errors import NoSpace

_RADII: dict[tuple[str, int, int, str], torch.Tensor] = {}  # (features' sha256, k, batch, environment) -> radii
_KEPT = 4  # reference sets whose radii stay in memory (10,000 floats each)


def _radii(features: torch.Tensor, k: int, batch: int) -> torch.Tensor:
    """Each row's distance to its k-th nearest other row (the (k + 1)-th smallest: the row itself
    is 0). torch-fidelity takes it with ``kthvalue``; the k + 1 smallest by ``topk`` hold the same
    element, the same bits, picked in a sixth of the time on a CPU (with the distances, 2.4× in
    all: benchmarks/test_radii_speed.py)."""
    from torch_fidelity.metric_prc import calc_cdist_part

    return torch.cat(
        [
            calc_cdist_part(part, features, batch).topk(k + 1, largest=False).values[:, k]
            for part in features.split(batch)
        ]
    )


def _inside(points: torch.Tensor, centres: torch.Tensor, radii: torch.Tensor, batch: int) -> float:
    """The share of ``points`` within some centre's radius."""
    from torch_fidelity.metric_prc import calc_cdist_part

    hits = [(calc_cdist_part(part, centres, batch) <= radii).any(dim=1).float() for part in points.split(batch)]
    return torch.cat(hits).mean().item()


def radii_environment(features: torch.Tensor) -> str:
    """What radii measured on ``features``' device may differ by in their last bits, besides the
    features, as a short digest: on a CPU its kernels and torch's thread count. torch-fidelity hands
    the features over on the CPU, so a run scored on CUDA measures them there too."""
    from gan_bench.rundir.repro import bit_environment_digest

    return bit_environment_digest(features.is_cuda)


def reference_radii(reference: torch.Tensor, k: int, batch: int, kept: Path | None = None) -> torch.Tensor:
    """The reference's k-NN radii, computed once per process for features of the same bits in the
    same environment (:func:`radii_environment`); with ``kept``, a file of the user cache, read
    there when another process of that environment wrote them."""
    key = (hashlib.sha256(reference.cpu().numpy().tobytes()).hexdigest(), k, batch, radii_environment(reference))
    if key not in _RADII:
        while len(_RADII) >= _KEPT:
            _RADII.pop(next(iter(_RADII)))
        radii = _read_radii(kept, key, reference) if kept else None
        if radii is None:
            radii = _radii(reference, k, batch)
            if kept:
                _keep_radii(kept, key, radii)
        _RADII[key] = radii
    return _RADII[key]


def _read_radii(kept: Path, key: tuple[str, int, int, str], reference: torch.Tensor) -> torch.Tensor | None:
    """The radii another process wrote for ``key`` (features' sha256, k, batch, environment); None where
    there are none, or the file is damaged or holds others: then they are measured again (slower,
    never wrong)."""
    from gan_bench.torch_files import UnreadableTorchFile, load_tensors

    try:
        found = load_tensors(kept)  # none there yet reads as unreadable too
    except UnreadableTorchFile:
        return None
    if not isinstance(found, dict) or found.get("key") != list(key):
        return None
    radii = found.get("radii")
    if not isinstance(radii, torch.Tensor) or radii.dtype != reference.dtype or radii.shape != (len(reference),):
        return None
    return radii.to(reference.device)


def _keep_radii(kept: Path, key: tuple[str, int, int, str], radii: torch.Tensor) -> None:
    from gan_bench.rundir import atomic

    try:
        atomic.write_with(kept, lambda f: torch.save({"key": list(key), "radii": radii.cpu()}, f))
    except (OSError, NoSpace):  # a cache that cannot be written is no cache: measured again next time
        pass


def precision_recall(
    generated: torch.Tensor, reference: torch.Tensor, k: int, batch: int = 10_000, kept: Path | None = None
) -> dict[str, float]:
    """torch-fidelity's {"precision", "recall"} of ``generated`` features against ``reference``'s;
    ``kept``: the user cache's file for the reference's radii (:func:`reference_radii`)."""
    recall = _inside(reference, generated, _radii(generated, k, batch), batch)
    precision = _inside(generated, reference, reference_radii(reference, k, batch, kept), batch)
    return {"precision": precision, "recall": recall}
