"""The CLI's stdout and stderr on a terminal that hangs up: later writes are dropped, not raised."""

import io
import os
import pty

import pytest

from gan_bench.cli import hangup


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
    monkeypatch.setattr(hangup, "silence_a_hung_up_terminal", lambda: calls.append("silenced"))
    return calls


def test_a_terminal_stream_keeps_its_settings_and_shows_what_is_written(terminal):
    reader, writer = terminal
    stream = open(writer, "w", encoding="ascii", errors="backslashreplace", closefd=False)
    stream.reconfigure(line_buffering=True)
    tolerant = hangup.tolerating_a_hangup(stream)
    assert tolerant is not stream
    assert (tolerant.encoding, tolerant.errors, tolerant.line_buffering) == ("ascii", "backslashreplace", True)
    assert tolerant.fileno() == writer and tolerant.isatty()
    tolerant.write("step 40 ±\n")  # line buffered: no flush needed
    assert os.read(reader, 100) == b"step 40 \\xb1\r\n"


def test_after_a_hangup_writes_are_dropped_and_the_streams_silenced(terminal, silenced):
    reader, writer = terminal
    plain = open(writer, "w", closefd=False)
    tolerant = hangup.tolerating_a_hangup(plain)
    os.close(reader)  # the terminal closes
    plain.write("x")
    with pytest.raises(OSError, match="Input/output error"):  # what the CLI's streams did before
        plain.flush()
    tolerant.write("done: 120 steps\n" * 1000)
    tolerant.flush()
    assert silenced and set(silenced) == {"silenced"}


def test_a_write_that_fails_otherwise_still_raises(silenced):
    reader, writer = os.pipe()
    os.close(reader)
    terminal_file = hangup.TerminalFile(writer)
    try:
        with pytest.raises(BrokenPipeError):
            terminal_file.write(b"x")
    finally:
        os.close(writer)
    assert silenced == []


@pytest.mark.parametrize(
    "make",
    [
        io.StringIO,  # a notebook's or test runner's stream
        lambda: io.TextIOWrapper(io.BytesIO()),  # a TextIOWrapper with no file descriptor
        lambda: open(os.devnull, "w"),  # a file, as with > log
    ],
)
def test_a_stream_that_is_no_terminal_is_left_as_it_is(make):
    stream = make()
    assert hangup.tolerating_a_hangup(stream) is stream


def test_a_pipe_is_left_as_it_is():
    reader, writer = os.pipe()
    with open(writer, "w") as stream:
        assert hangup.tolerating_a_hangup(stream) is stream
    os.close(reader)
