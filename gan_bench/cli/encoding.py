"""Printing to a terminal or pipe whose encoding cannot show ganbench's symbols (±, ★, √, ×, …).

An ASCII or Latin-1 locale, or PYTHONIOENCODING=ascii, would otherwise end a report or a --help in
a UnicodeEncodeError. There each such character prints as an ASCII stand-in, and any other as ?."""

from __future__ import annotations

import codecs
import io

HANDLER = "ganbench-ascii"

ASCII_FORMS = {
    "±": "+/-",
    "★": "*",
    "√": "sqrt",
    "×": "x",
    "·": "-",
    "−": "-",
    "–": "-",
    "—": "--",
    "…": "...",
    "→": "->",
    "←": "<-",
    "≤": "<=",
    "≥": ">=",
    "≈": "~",
    "²": "^2",
    "⁴": "^4",
    "⁻": "^-",
    "½": "1/2",
    "§": "s.",
    "‖": "||",
    "Δ": "delta",
    "Σ": "sum",
    "β": "beta",
    "ε": "eps",
    "λ": "lambda",
    "ρ": "rho",
    "µ": "u",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
}


def stand_in(error: UnicodeError) -> tuple[str, int]:
    """The codecs error handler: the characters the encoding lacks, written in ASCII."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    lacking = error.object[error.start : error.end]
    return "".join(ASCII_FORMS.get(ch, "?") for ch in lacking), error.end


codecs.register_error(HANDLER, stand_in)


def tolerate_narrow(stream) -> None:
    """Let ``stream`` print what its encoding lacks as ASCII stand-ins (a UTF-8 stream is left as is)."""
    if not isinstance(stream, io.TextIOWrapper):
        return  # a test runner's or notebook's stream: not ours to change
    if codecs.lookup(stream.encoding).name == "utf-8":
        return
    stream.reconfigure(errors=HANDLER)
