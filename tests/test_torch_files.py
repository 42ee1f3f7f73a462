"""A damaged or foreign torch file is one line naming why, never torch's paragraphs (which advise
loading the file unsafely), whichever file it is: a checkpoint, evaluator or Inception weights."""

import io
import pickle

import pytest
import torch

from gan_bench.errors import DataError, RunDirError
from gan_bench.metrics import inception
from gan_bench.torch_files import UnreadableTorchFile, load_tensors
from gan_bench.training import checkpoint


class Foreign:  # an object weights_only refuses
    pass


def _saved(obj) -> bytes:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getvalue()


GOOD = _saved({"w": torch.arange(4.0)})
DAMAGED = {
    "empty": (b"", "the file is empty (0 bytes)"),
    "text": (b"garbage\n", "not a file of tensors that torch.save wrote, or damaged"),
    "plain pickle": (pickle.dumps([1, 2]), "not a file of tensors that torch.save wrote, or damaged"),
    "an object": (_saved({"w": Foreign()}), "not a file of tensors that torch.save wrote, or damaged"),
    "truncated": (GOOD[: len(GOOD) // 2], "damaged (RuntimeError: PytorchStreamReader failed reading zip archive"),
}


@pytest.mark.parametrize("case", DAMAGED)
def test_a_damaged_file_gets_one_short_line(tmp_path, case):
    content, reason = DAMAGED[case]
    path = tmp_path / "x.pt"
    path.write_bytes(content)
    with pytest.raises(UnreadableTorchFile) as caught:
        load_tensors(path)
    message = str(caught.value)
    assert message.startswith(reason), message
    assert "\n" not in message and "\x1b" not in message and "weights_only" not in message
    assert len(message) < 240


def test_a_good_file_loads_to_the_cpu(tmp_path):
    path = tmp_path / "x.pt"
    path.write_bytes(GOOD)
    assert torch.equal(load_tensors(path)["w"], torch.arange(4.0))


def test_each_reader_names_its_file_and_the_reason(tmp_path):
    path = tmp_path / "final.pt"
    path.write_bytes(b"garbage\n")
    with pytest.raises(RunDirError, match=r"final.pt: cannot read checkpoint \(not a file of tensors .*\); delete it"):
        checkpoint.load(path)
    with pytest.raises(DataError, match=r"final.pt: not a readable Inception weights file \(not a file of tensors"):
        inception.readable(path)
