"""Output paths a user names, checked before any work starts: one mechanism for every command that
writes (run, train and score folders; report, check --junit and baseline files).

A path is refused, with exit 2 and one message naming it and the option, when it is a symlink
loop, lies below a file, is a file where a folder is expected (or the reverse), sits in a folder
that cannot be written, or (for a file) already exists: ganbench never overwrites or truncates
what is there. Names that become part of a path (a recipe's, a suite's, scored samples') follow
one rule, NAME_RULE, so none can climb out of results/ or split into subfolders.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from gan_bench.errors import RunDirError

# A name that becomes part of a file or folder name (a recipe's, a suite's, scored samples'):
# never a path separator or "..", and the same folder on case-insensitive filesystems.
NAME_RULE = "lower-case letters, digits, '.', '_' and '-', starting with a letter or digit, at most 63 characters"


def is_name(name: str) -> bool:
    """Whether ``name`` follows NAME_RULE."""
    return re.fullmatch(r"[a-z0-9][a-z0-9._-]{0,62}", name) is not None


def _common(path: Path, option: str) -> Path:
    path = Path(path)
    try:
        path.resolve(strict=False)
        os.path.realpath(path, strict=False)
        if path.is_symlink():
            os.stat(path)  # a dangling or looping link raises here
    except (RuntimeError, OSError) as e:
        if path.is_symlink() and not path.exists():
            raise RunDirError(f"{option}: {path} is a symbolic link that loops or leads nowhere ({e})") from None
        raise RunDirError(f"{option}: {path} cannot be used ({e})") from None
    for parent in path.parents:
        if parent.exists() and not parent.is_dir():
            raise RunDirError(f"{option}: {path} lies below {parent}, which is a file")
    existing = next((p for p in (path, *path.parents) if p.exists()), Path("."))
    folder = existing if existing.is_dir() else existing.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        raise RunDirError(f"{option}: {path}: cannot write in {folder} (permission denied); choose another path")
    return path


def output_folder(path: Path, option: str) -> Path:
    """A folder ganbench may create or add runs to (run directories are checked on their own)."""
    path = _common(path, option)
    if path.exists() and not path.is_dir():
        raise RunDirError(f"{option}: {path} is a file; give a folder")
    return path


def output_file(path: Path, option: str) -> Path:
    """A file ganbench may create: not there yet, not a folder, in a writable folder."""
    path = _common(path, option)
    if path.is_dir():
        raise RunDirError(f"{option}: {path} is a folder; give a file path")
    if path.exists() or path.is_symlink():
        raise RunDirError(
            f"{option}: {path} already exists; ganbench does not overwrite it (delete it or choose another)"
        )
    return path
