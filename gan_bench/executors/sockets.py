"""Unix socket paths have a short limit, and a long $TMPDIR (as on many clusters) pushes the
sockets that Ray and multiprocessing's forkserver bind under it past that limit."""

from __future__ import annotations

import os
import sys

# bytes in a Unix socket path, its closing NUL left out: Linux has 108, macOS and the BSDs 104
SOCKET_PATH_MAX = 107 if sys.platform.startswith("linux") else 103


def fits(folder: str, tail: int) -> bool:
    """Whether a socket ``tail`` bytes below ``folder`` stays within the limit."""
    return len(os.fsencode(folder)) + tail <= SOCKET_PATH_MAX
