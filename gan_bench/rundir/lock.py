"""One writer per output folder: ``ganbench run`` holds an exclusive lock on <out>/.ganbench.lock.

The lock is an ``flock`` on that file, so the kernel releases it when the holder exits, even when
killed: a stale lock file never blocks a later run. The file records the holder's pid and host.
Linux NFS clients turn ``flock`` into NFS byte-range locks, which hold across hosts; a filesystem
that cannot lock at all stops the run with a message rather than letting it write unlocked.
"""

from __future__ import annotations

import errno
import os
import socket
import time
from contextlib import contextmanager
from pathlib import Path

from gan_bench.errors import RunDirError

try:
    import fcntl
except ModuleNotFoundError:  # Windows: no flock; `run` says so rather than writing unlocked
    fcntl = None

LOCK_NAME = ".ganbench.lock"
PROBE_GRACE_S = 1.0  # how long a run waits out a lock that may be a held_by probe's
CANNOT_LOCK = {errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL}  # the filesystem offers no locks


@contextmanager
def output_lock(folder: Path):
    folder = Path(folder)
    if fcntl is None:
        raise RunDirError(
            f"{folder}: ganbench locks a run's output folder with flock, which this system ({os.name}) "
            f"lacks; run ganbench on Linux or macOS (on Windows, under WSL 2)"
        )
    created = _missing_folders(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            _lock_exclusive(fd)
        except BlockingIOError:
            holder = path.read_text(encoding="utf-8").strip() or "another process"
            raise RunDirError(
                f"{path}: another ganbench run ({holder}) is writing to {folder}; "
                f"wait for it to finish, or choose another --out"
            ) from None
        except OSError as e:
            if e.errno not in CANNOT_LOCK:
                raise
            raise RunDirError(
                f"{path}: this filesystem cannot lock files ({e.strerror}), and ganbench locks --out so that "
                f"two runs never write to {folder} at once; choose an --out on a filesystem with locking "
                f"(a local disk, or NFS mounted with locking enabled)"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} on {socket.gethostname()}\n".encode())
        yield path
    finally:
        if created:  # no other process can hold a lock in a folder this one has just made
            _remove_if_only_the_lock(created, path)
        os.close(fd)  # closing the descriptor releases the lock


def _lock_exclusive(fd: int) -> None:
    """Take the exclusive lock, or raise BlockingIOError when another process holds it. A
    :func:`held_by` probe holds a shared lock for an instant, so a refusal is retried for a moment."""
    deadline = time.monotonic() + PROBE_GRACE_S
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.02)


def has_content(folder: Path) -> bool:
    """Whether ``folder`` exists and holds anything but ganbench's lock file (a stale lock is no content)."""
    folder = Path(folder)
    return folder.is_dir() and any(p.name != LOCK_NAME for p in folder.iterdir())


def held_by(folder: Path) -> str | None:
    """Who holds ``folder``'s lock now ("pid N on host"), or None when nobody does; creates nothing."""
    path = Path(folder) / LOCK_NAME
    if fcntl is None or not path.is_file():
        return None
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return path.read_text(encoding="utf-8").strip() or "another process"
    except OSError:  # a filesystem without locks: nobody can hold one there
        return None
    finally:
        os.close(fd)  # releases the shared lock, if it was taken
    return None


def refuse_while_held(held: dict[Path, str], what: str) -> None:
    """Refuse to make ``what`` from runs whose folder a ganbench process is writing now (``held``:
    {folder: holder}): it would judge, or freeze, what is not done yet. The first folder is named."""
    if held:
        folder, holder = next(iter(held.items()))
        raise RunDirError(
            f"{folder}: {holder} is writing to it now (it holds {folder / LOCK_NAME}); make {what} once that has finished"
        )


def _missing_folders(folder: Path) -> list[Path]:
    """``folder`` and those of its parents that do not exist yet, innermost first."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


def _remove_if_only_the_lock(created: list[Path], path: Path) -> None:
    """Folders this lock created that hold nothing else when it is released (the work was refused
    or failed before writing) are removed, so the attempt leaves nothing behind. Done while the lock
    is held: another process that opened the file meanwhile is refused, never given a deleted lock."""
    try:
        if [p.name for p in created[0].iterdir()] != [LOCK_NAME]:
            return
        path.unlink()
        for folder in created:  # innermost first; one that is not empty stops it
            folder.rmdir()
    except OSError:  # something appeared, or a folder cannot be changed: it stays as it is
        pass
