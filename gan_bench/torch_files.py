"""Reading files of tensors that torch.save wrote (checkpoints, weights), on the CPU, with a
one-line reason when one is damaged or foreign: torch's own messages run to paragraphs, some
advising to load the file unsafely."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import torch


class UnreadableTorchFile(Exception):
    """``path`` cannot be read; the message is the reason alone. Each caller says which file it
    was and how to mend it."""


def load_tensors(path: Path):
    """``torch.load`` of tensors and plain containers only (``weights_only``), mapped to the CPU."""
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # torch raises several kinds for a damaged or foreign file
        raise UnreadableTorchFile(_reason(Path(path), e)) from None


def _reason(path: Path, e: Exception) -> str:
    try:
        if path.stat().st_size == 0:
            return "the file is empty (0 bytes)"
    except OSError as stat_error:
        return f"{type(stat_error).__name__}: {stat_error.strerror}"
    if isinstance(e, pickle.UnpicklingError):  # torch's text would advise weights_only=False
        return "not a file of tensors that torch.save wrote, or damaged"
    first = re.split(r"(?<=\.)\s|\n", re.sub(r"\x1b\[[0-9;]*m", "", str(e)).strip(), maxsplit=1)[0]
    return f"damaged ({type(e).__name__}: {first[:160]})" if first else f"damaged ({type(e).__name__})"
