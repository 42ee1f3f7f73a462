"""Reader for the IDX format of MNIST-style files, gzip-compressed or raw."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import torch

from gan_bench.errors import DataError

_GZIP_MAGIC = b"\x1f\x8b"
# IDX type byte -> numpy dtype (big-endian on disk).
_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_bytes(path: Path) -> bytes:
    """The uncompressed bytes of ``path``, which may be gzip-compressed or raw."""
    raw = Path(path).read_bytes()
    if raw[:2] == _GZIP_MAGIC:
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError) as e:
            raise DataError(f"{path}: not a valid gzip file ({e}); replace the file") from None
    return raw


def parse(data: bytes, source: str = "<bytes>") -> torch.Tensor:
    """Parse uncompressed IDX bytes into a tensor (uint8 for MNIST images and labels)."""
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _DTYPES:
        raise DataError(f"{source}: not an IDX file (bad magic number)")
    dtype = np.dtype(_DTYPES[data[2]])
    ndim = data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DataError(f"{source}: truncated IDX header")
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) != expected:
        raise DataError(
            f"{source}: IDX size mismatch: header says shape {shape} "
            f"({expected} bytes) but the file has {len(data)} bytes"
        )
    array = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    return torch.from_numpy(array.astype(dtype.newbyteorder("="), copy=True))


def read(path: Path) -> torch.Tensor:
    """Read an IDX file (gz or raw) into a tensor."""
    return parse(read_bytes(path), str(path))
