"""The command's stdout and stderr, written through a file of ganbench's own, for two failures.

- A terminal that has gone away while ganbench goes on: a ``disown``ed run whose ssh connection
  closed, or one started with SIGHUP ignored. No signal comes, but every later write fails with
  EIO, which would end the command (or a suite's remaining runs) in a traceback at its next line
  of progress. There the write is dropped, and stdout and stderr are pointed at /dev/null, so
  training and scoring go on.
- Any other failing write (a full disk under ``> report.md``) names the stream, where Python's
  error names no file at all; on stderr, where that error would be told, it is dropped, so the
  command ends with its own exit code (Python's final flush would have made it 120)."""

from __future__ import annotations

import errno
import io
import os

from gan_bench.training.signals import silence_a_hung_up_terminal


class StandardFile(io.RawIOBase):
    """A standard stream's file descriptor, written unbuffered as Python's own file object writes
    it; ``name`` is what an error calls it ("the standard output"). ``errors_go_here``: the
    stream that errors are told on, whose failing writes are dropped (there is nowhere to tell them)."""

    def __init__(self, fd: int, name: str, errors_go_here: bool = False):
        super().__init__()
        self.fd, self.name, self.terminal, self.errors_go_here = fd, name, os.isatty(fd), errors_go_here

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.fd

    def isatty(self) -> bool:
        return os.isatty(self.fd)

    def write(self, data) -> int | None:
        try:
            return os.write(self.fd, data)
        except BlockingIOError:
            return None  # a non-blocking descriptor that is full, as io.FileIO says it
        except OSError as e:
            if self.terminal and e.errno == errno.EIO:  # the terminal hung up
                silence_a_hung_up_terminal()  # later writes go to /dev/null without failing
                return len(memoryview(data))  # nobody is left to read it
            if self.errors_go_here:
                return len(memoryview(data))
            raise OSError(e.errno, e.strerror, self.name) from None


def through_standard_file(stream, name: str, errors_go_here: bool = False):
    """``stream`` (sys.stdout or sys.stderr, called ``name``) written through a :class:`StandardFile`
    (``errors_go_here`` for sys.stderr), with the same encoding and buffering; any other stream (a
    test runner's, a notebook's, None for a closed one) is returned as it is."""
    if not isinstance(stream, io.TextIOWrapper):
        return stream
    unbuffered = isinstance(stream.buffer, io.RawIOBase)  # python -u, PYTHONUNBUFFERED: kept so
    if not isinstance(stream.buffer if unbuffered else getattr(stream.buffer, "raw", None), io.FileIO):
        return stream  # not a descriptor Python writes with os.write (a Windows console writes UTF-16)
    stream.flush()
    file = StandardFile(stream.fileno(), name, errors_go_here)
    return io.TextIOWrapper(
        file if unbuffered else io.BufferedWriter(file),
        encoding=stream.encoding,
        errors=stream.errors,
        line_buffering=stream.line_buffering,
        write_through=stream.write_through,
    )
