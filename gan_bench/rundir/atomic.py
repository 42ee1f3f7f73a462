"""Atomic file writes: write to a temporary file beside the target, fsync, then rename.

A killed process leaves either the old file or the new one, never half of one. Logs that grow
(history.csv, timing.csv) are appended together and fsynced; a failed append truncates every
file back to its size before it, so none holds a partial row or more rows than the others.
"""

from __future__ import annotations

import errno
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from gan_bench.errors import NoSpace

NO_ROOM = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)  # disk full, quota, file too large


def write_with(path: Path, write: Callable[[BinaryIO], Any]) -> None:
    """Call ``write(fileobj)`` on a temporary file, then move it over ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:  # name the file the user asked for, not the temporary one beside it
        if (err := no_room(e, path)) is not None:
            raise err from None
        raise OSError(e.errno, e.strerror, str(path)) from None
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the file the usual permissions
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        Path(tmp).unlink(missing_ok=True)
        if (err := no_room(e, path)) is not None:
            raise err from None
        raise


def no_room(e: BaseException, path, cleaned: bool = True) -> NoSpace | None:
    """A full disk, quota or file-size limit is the user's to fix: the one message naming the file
    (``cleaned``: ganbench removed what it had half written). None for any other error."""
    if not (isinstance(e, OSError) and e.errno in NO_ROOM):
        return None
    left = "; nothing partial was left" if cleaned else ""
    return NoSpace(
        f"{path}: cannot write ({e.strerror}){left}. Free some space, then run the command again "
        "(a command that trains, with --resume: it continues from the last checkpoint)"
    )


def append_together(parts: list[tuple[Path, str]]) -> None:
    """Append each text to its file and fsync; on any failure, cut every file back to its size
    before the call (truncating needs no space) and raise."""
    sizes = [Path(path).stat().st_size for path, _ in parts]
    current = parts[0][0]
    try:
        for path, text in parts:
            current = path
            with open(path, "ab") as f:
                f.write(text.encode("utf-8"))
                f.flush()
                os.fsync(f.fileno())
    except BaseException as e:
        for (path, _), size in zip(parts, sizes):
            os.truncate(path, size)
        if (err := no_room(e, current)) is not None:
            raise err from None
        raise


def write_bytes(path: Path, data: bytes) -> None:
    write_with(path, lambda f: f.write(data))


def write_text(path: Path, text: str) -> None:
    # surrogateescape: a path that the file system's encoding could not decode (a UTF-8 name under
    # an ASCII locale) is written back as the bytes it came from
    write_bytes(path, text.encode("utf-8", "surrogateescape"))


def write_json(path: Path, obj: Any) -> None:
    write_text(path, json.dumps(obj, indent=2, sort_keys=True) + "\n")
