"""Printing to a terminal that has gone away while ganbench goes on: a ``disown``ed run whose ssh
connection closed, or one started with SIGHUP ignored.

No signal comes, but every later write to the terminal fails with EIO, which would end the command
(or a suite's remaining runs) in a traceback at its next line of progress. There the stream drops
what it cannot show, and points stdout and stderr at /dev/null, so training and scoring go on."""

from __future__ import annotations

import errno
import io
import os

from gan_bench.training.signals import silence_a_hung_up_terminal


class TerminalFile(io.RawIOBase):
    """A terminal's file descriptor, written unbuffered; a write after a hangup is dropped."""

    def __init__(self, fd: int):
        super().__init__()
        self.fd = fd

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.fd

    def isatty(self) -> bool:
        return os.isatty(self.fd)

    def write(self, data) -> int:
        try:
            return os.write(self.fd, data)
        except OSError as e:
            if e.errno != errno.EIO:
                raise
            silence_a_hung_up_terminal()  # later writes go to /dev/null without failing
            return len(memoryview(data))  # nobody is left to read it


def tolerating_a_hangup(stream):
    """``stream`` written through a :class:`TerminalFile` where it is a terminal; any other stream
    (a file, a pipe, a test runner's) is returned as it is."""
    if not isinstance(stream, io.TextIOWrapper):
        return stream
    try:
        fd = stream.fileno()
    except (OSError, ValueError):  # io.UnsupportedOperation is both
        return stream
    if not os.isatty(fd):
        return stream
    stream.flush()
    return io.TextIOWrapper(
        io.BufferedWriter(TerminalFile(fd)),
        encoding=stream.encoding,
        errors=stream.errors,
        line_buffering=stream.line_buffering,
        write_through=stream.write_through,
    )
