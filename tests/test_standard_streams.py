"""The CLI's stdout and stderr: after a terminal hangs up, writes are dropped, not raised; any
other failing write names the stream (on stderr, where it could not be told, it is dropped); streams without a file descriptor are left alone."""

import errno
import io
import os
import pty
import subprocess
import sys

import pytest

from gan_bench.cli import standard_streams


@pytest.fixture
def terminal():
    """A pseudo-terminal: (the side a terminal program reads, the side ganbench writes)."""
    reader, writer = pty.openpty()
    yield reader, writer
    for fd in (reader, writer):
        try:
            os.close(fd)
        except OSError:
            pass


@pytest.fixture
def silenced(monkeypatch):
    """The calls to point fds 1 and 2 at /dev/null (recorded, not made: they are pytest's)."""
    calls = []
    monkeypatch.setattr(standard_streams, "silence_a_hung_up_terminal", lambda: calls.append("silenced"))
    return calls


def test_a_terminal_stream_keeps_its_settings_and_shows_what_is_written(terminal):
    reader, writer = terminal
    stream = open(writer, "w", encoding="ascii", errors="backslashreplace", closefd=False)
    stream.reconfigure(line_buffering=True)
    through = standard_streams.through_standard_file(stream, "the standard output")
    assert through is not stream
    assert (through.encoding, through.errors, through.line_buffering) == ("ascii", "backslashreplace", True)
    assert through.fileno() == writer and through.isatty()
    through.write("step 40 ±\n")  # line buffered: no flush needed
    assert os.read(reader, 100) == b"step 40 \\xb1\r\n"


@pytest.mark.parametrize("unbuffered", [True, False])
def test_python_u_stays_unbuffered_and_a_buffered_stream_buffered(unbuffered):
    """Under ``python -u`` (PYTHONUNBUFFERED) Python leaves the text stream on the raw file, so what
    is written reaches the reader at once; otherwise it waits for a flush, as before."""
    reader, writer = os.pipe()
    os.set_blocking(reader, False)
    if unbuffered:
        stream = io.TextIOWrapper(io.FileIO(writer, "w", closefd=False), write_through=True)
    else:
        stream = open(writer, "w", closefd=False)
    through = standard_streams.through_standard_file(stream, "the standard output")
    try:
        through.write("step 40")
        if unbuffered:
            assert os.read(reader, 100) == b"step 40"
        else:
            with pytest.raises(BlockingIOError):
                os.read(reader, 100)
            through.flush()
            assert os.read(reader, 100) == b"step 40"
    finally:
        os.close(reader)
        os.close(writer)


def test_after_a_hangup_writes_are_dropped_and_the_streams_silenced(terminal, silenced):
    reader, writer = terminal
    plain = open(writer, "w", closefd=False)
    through = standard_streams.through_standard_file(plain, "the standard output")
    os.close(reader)  # the terminal closes
    plain.write("x")
    with pytest.raises(OSError, match="Input/output error"):  # what the CLI's streams did before
        plain.flush()
    through.write("done: 120 steps\n" * 1000)
    through.flush()
    assert silenced and set(silenced) == {"silenced"}


def test_a_broken_pipe_stays_a_broken_pipe_and_names_the_stream(silenced):
    reader, writer = os.pipe()
    os.close(reader)
    try:
        with pytest.raises(BrokenPipeError) as broken:  # rich ends the command quietly on this one
            standard_streams.StandardFile(writer, "the standard output").write(b"x")
    finally:
        os.close(writer)
    assert (broken.value.errno, broken.value.filename) == (errno.EPIPE, "the standard output")
    assert silenced == []


def test_a_full_non_blocking_pipe_reads_as_io_fileio_says_it():
    """None: nothing was written, try again (BufferedWriter then raises BlockingIOError, as for Python's own)."""
    reader, writer = os.pipe()
    os.set_blocking(writer, False)
    try:
        while True:
            try:
                os.write(writer, b"x" * 65536)
            except BlockingIOError:
                break
        assert standard_streams.StandardFile(writer, "the standard output").write(b"x" * 65536) is None
    finally:
        os.close(reader)
        os.close(writer)


class StandIn(io.RawIOBase):
    """A raw stream with a descriptor that is not an io.FileIO, as Windows' console stream is."""

    def writable(self):
        return True

    def fileno(self):
        return 1


@pytest.mark.parametrize(
    "make",
    [
        io.StringIO,  # a notebook's or test runner's stream
        lambda: io.TextIOWrapper(io.BytesIO()),  # a TextIOWrapper with no file descriptor
        lambda: None,  # a stream Python found closed at start
        lambda: io.TextIOWrapper(io.BufferedWriter(StandIn())),  # a descriptor not written as a file (a console)
    ],
)
def test_a_stream_not_written_as_a_plain_file_is_left_as_it_is(make):
    stream = make()
    assert standard_streams.through_standard_file(stream, "the standard output") is stream


def test_a_full_disk_under_stdout_is_one_message_naming_it_and_exit_2():
    """`ganbench list > /dev/full`: Python's error names no file, so the message said "a file"."""
    with open("/dev/full", "w") as full:
        ended = subprocess.run([sys.executable, "-m", "gan_bench", "list"], stdout=full, stderr=subprocess.PIPE)
    assert ended.returncode == 2
    assert (
        ended.stderr.decode()
        .replace("\n", "")
        .startswith(
            "error: the standard output: cannot write (No space left on device). Free some space, then run the "
            "command again"
        )
    )


@pytest.mark.parametrize("unbuffered", ["1", None])
def test_a_full_disk_under_stderr_keeps_the_commands_exit_code(unbuffered, tmp_path):
    """`2>/dev/full`: the error cannot be told, and Python's failing flush of stderr at exit made the
    code 120 (1 unbuffered, from the traceback raised on the message); a user's mistake still exits 2."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    env |= {"PYTHONUNBUFFERED": unbuffered} if unbuffered else {}
    command = [sys.executable, "-m", "gan_bench", "train", "no-such-recipe", "--out", str(tmp_path / "run")]
    with open("/dev/full", "w") as full:
        ended = subprocess.run(command, stderr=full, stdout=subprocess.DEVNULL, env=env)
    assert ended.returncode == 2
    assert not (tmp_path / "run").exists()


def test_a_failing_write_to_the_stream_errors_go_to_is_dropped():
    fd = os.open("/dev/full", os.O_WRONLY)
    try:
        with pytest.raises(OSError) as full:
            standard_streams.StandardFile(fd, "the standard output").write(b"x")
        assert full.value.errno == errno.ENOSPC
        assert standard_streams.StandardFile(fd, "the standard error", errors_go_here=True).write(b"xyz") == 3
    finally:
        os.close(fd)
