import gzip

import numpy as np
import pytest
import torch

from gan_bench.data import idx
from gan_bench.errors import UserError


def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    return header + array.astype(np.uint8).tobytes()


@pytest.mark.parametrize("compress", [False, True])
def test_reads_raw_and_gzip_into_uint8(tmp_path, compress):
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    data = idx_bytes(array)
    path = tmp_path / ("f.gz" if compress else "f")
    path.write_bytes(gzip.compress(data) if compress else data)
    tensor = idx.read(path)
    assert tensor.dtype == torch.uint8
    assert tensor.shape == (2, 3, 4)
    assert torch.equal(tensor, torch.from_numpy(array))


def test_truncated_file_is_refused_with_its_name(tmp_path):
    path = tmp_path / "short"
    path.write_bytes(idx_bytes(np.zeros((4, 5), dtype=np.uint8))[:-3])
    with pytest.raises(UserError, match="short: IDX size mismatch"):
        idx.read(path)


def test_bad_magic_and_broken_gzip_are_refused(tmp_path):
    (tmp_path / "a").write_bytes(b"hello world")
    with pytest.raises(UserError, match="not an IDX file"):
        idx.read(tmp_path / "a")
    (tmp_path / "b.gz").write_bytes(gzip.compress(b"x" * 100)[:20])
    with pytest.raises(UserError, match="not a valid gzip file"):
        idx.read(tmp_path / "b.gz")


def test_labels_file_is_one_dimensional(tmp_path):
    labels = np.array([3, 1, 4, 1, 5], dtype=np.uint8)
    (tmp_path / "l").write_bytes(idx_bytes(labels))
    assert idx.read(tmp_path / "l").tolist() == [3, 1, 4, 1, 5]
