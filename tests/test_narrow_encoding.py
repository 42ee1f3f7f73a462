"""A terminal or pipe that cannot show ±, ★ or √ (an ASCII locale, PYTHONIOENCODING=ascii) gets
ASCII stand-ins instead of a UnicodeEncodeError traceback."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from gan_bench.cli import encoding
from gan_bench.rundir import atomic


def ganbench(*args: str, env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = {**os.environ, **env_extra}
    return subprocess.run([sys.executable, "-m", "gan_bench", *args], capture_output=True, env=env, timeout=120)


def test_each_symbol_has_an_ascii_form_and_others_become_a_question_mark():
    stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    encoding.tolerate_narrow(stream)
    stream.write("fid 12.3 ± 0.4 ★ · √(se²) ≤ 1 → ok 日")
    stream.flush()
    assert stream.buffer.getvalue() == b"fid 12.3 +/- 0.4 * - sqrt(se^2) <= 1 -> ok ?"
    assert all(form.isascii() for form in encoding.ASCII_FORMS.values())


def test_a_latin1_stream_keeps_what_it_can_show():
    stream = io.TextIOWrapper(io.BytesIO(), encoding="latin-1")
    encoding.tolerate_narrow(stream)
    stream.write("± ★ ×")
    stream.flush()
    assert stream.buffer.getvalue() == "± * ×".encode("latin-1")


def test_a_utf8_stream_is_left_strict():
    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    encoding.tolerate_narrow(stream)
    assert stream.errors == "strict"


def test_a_decode_error_is_not_swallowed():
    with pytest.raises(UnicodeDecodeError):
        b"\xff".decode("ascii", errors=encoding.HANDLER)


@pytest.mark.slow  # over 3 s of the fast loop
def test_report_and_help_print_in_ascii_where_stdout_is_ascii(tmp_path):
    import gan_bench as gb

    run, toy = tmp_path / "run", tmp_path / "toy"  # the toy run's table has PacGAN's published rows (their note has √)
    gb.train("tf-mlp", profile="smoke", steps=4, out=run, device="cpu")
    gb.train("toy-gan", "ring", profile="smoke", steps=4, out=toy, device="cpu")
    gb.score([run], samples=100, device="cpu")
    gb.score([toy], samples=2500, device="cpu")  # PacGAN's protocol: 2,500 samples
    ascii_out = {"PYTHONIOENCODING": "ascii"}
    report = ganbench("report", str(run), str(toy), env_extra=ascii_out)
    assert report.returncode == 0, report.stderr.decode(errors="replace")
    text = report.stdout.decode("ascii")  # raises if anything but ASCII came out
    assert "+/-" in text and " * " in text and "sqrt(se^2" in text
    helped = ganbench("score", "--help", env_extra=ascii_out)
    assert helped.returncode == 0, helped.stderr.decode(errors="replace")
    assert "--input" in helped.stdout.decode("ascii")


def test_a_name_the_locale_could_not_decode_is_written_back_as_its_bytes(tmp_path):
    undecoded = b"r\xc3\xa9sultats".decode("ascii", "surrogateescape")  # as an ASCII locale reads a UTF-8 name
    atomic.write_text(tmp_path / "report.md", f"run {undecoded}/seed-0\n")
    assert (tmp_path / "report.md").read_bytes() == "run résultats/seed-0\n".encode()
