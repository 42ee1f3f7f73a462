"""Samples made elsewhere as 2D points, scored against the ring or grid mixture: an .npy or .npz
array of shape [N, 2] (any real dtype), or such an array or tensor handed to the Python API."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from gan_bench.errors import DataError, InvalidOption
from gan_bench.scoring.sample_files import IN_MEMORY, load_array, memory_sha256
from gan_bench.scoring.sample_format import Samples, sha256_of
from gan_bench.scoring.sample_inputs import kind_of

WANTED = "2D points, an array of shape [N, 2]"


def read_points(input: Path | np.ndarray | torch.Tensor, dataset: str) -> Samples:
    """The points of ``input`` as float32 [N, 2] (as a run's generator draws them), with what
    metrics.json records about them."""
    if isinstance(input, (np.ndarray, torch.Tensor)):
        array = input.detach().cpu().numpy() if isinstance(input, torch.Tensor) else np.asarray(input)
        where, info = IN_MEMORY, {"kind": "in-memory array", "sha256": memory_sha256(array)}
    else:
        if kind_of(input) != "array":
            raise InvalidOption(
                f"--input: {input}: {dataset} samples are {WANTED}; give an .npy or .npz file "
                "(np.save(PATH, points)), or a generator of them"
            )
        array = load_array(input)[0]
        where, info = str(input), {"kind": f"{input.suffix[1:]} array", "sha256": sha256_of([input])}
    if array.dtype.kind not in "fiu":
        raise DataError(f"{where}: dtype {array.dtype}; {dataset} samples are {WANTED} of real numbers")
    if array.ndim != 2 or array.shape[1] != 2:
        raise DataError(f"{where}: shape {list(array.shape)}; {dataset} samples are {WANTED}")
    if not np.isfinite(array).all():
        bad = int((~np.isfinite(array)).any(axis=1).sum())
        raise DataError(f"{where}: {bad} of {len(array)} points are NaN or infinite; every point must be finite")
    points = torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32))
    return Samples(points, {**info, "array_shape": list(array.shape), "dtype": str(array.dtype)})
