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
from contextlib import contextmanager
from pathlib import Path

from gan_bench.errors import RunDirError

try:
    import fcntl
except ModuleNotFoundError:  # Windows: no flock; `run` says so rather than writing unlocked
    fcntl = None

LOCK_NAME = ".ganbench.lock"
CANNOT_LOCK = {errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL}  # the filesystem offers no locks


@contextmanager
def output_lock(folder: Path):
    folder = Path(folder)
    if fcntl is None:
        raise RunDirError(
            f"{folder}: ganbench locks a run's output folder with flock, which this system ({os.name}) "
            f"lacks; run ganbench on Linux or macOS (on Windows, under WSL 2)"
        )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
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
        os.close(fd)  # closing the descriptor releases the lock
