"""User mistakes: one base type, a subclass per kind. The CLI prints the message and exits 2; the
Python API lets them propagate. A cache ganbench cannot use is a warning, not an error."""

import difflib
import re
from collections.abc import Iterable


class UserError(Exception):
    """Bad input (a file, a field, a name) that the user can fix. The message says how."""


class InvalidOption(UserError):
    """An argument (a CLI option or an API keyword) outside its valid values or combinations."""


class SuiteError(UserError):
    """A suite file that cannot be found, read or validated."""


class RunDirError(UserError):
    """A run directory or output folder that cannot be used: foreign, changed, locked or damaged."""


class DataError(UserError):
    """A dataset, evaluator or weights file that is missing, corrupt or unreadable."""


class NoSpace(UserError):
    """The disk filled up during a write; what was written is cleaned up."""


class GateError(UserError):
    """A check that cannot be made: a missing or malformed baseline, runs of mixed profiles, no thresholds."""


class PluginError(UserError):
    """A plug-in recipe that cannot be imported, or that breaks the recipe or system contract."""


class CacheWarning(UserWarning):
    """A cache ganbench cannot use: the work is done without it, only slower. The CLI prints it as a note."""


def notes_to(note, show):
    """A warnings.showwarning that hands a CacheWarning's text to ``note``, each text once (every run
    of a suite meets the same cache, and Python's own once-per-place rule forgets what it showed
    whenever a library changes the warning filters), and any other warning to ``show`` (the one it
    replaces)."""
    given: set[str] = set()

    def shown(message, category, *args, **kwargs):
        if not issubclass(category, CacheWarning):
            show(message, category, *args, **kwargs)
        elif str(message) not in given:
            given.add(str(message))
            note(str(message))

    return shown


def shortened(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters, "..." marking the cut: a value quoted in a message."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _folded(name: object) -> str:
    return str(name).lower().replace("_", "-")


def nearest(value: object, valid: Iterable[str]) -> str | None:
    """The valid name a mistyped ``value`` most likely meant (case and _ for - aside), or None when
    none is near."""
    by_folded = {_folded(v): v for v in valid}
    match = difflib.get_close_matches(_folded(value), list(by_folded), n=1)
    return by_folded[match[0]] if match else None


def did_you_mean(value: object, valid: Iterable[str]) -> str:
    """ "did you mean 'y'? " when a valid name is near ``value``, else "": to go before "valid: ..."."""
    meant = nearest(value, valid)
    return f"did you mean {meant!r}? " if meant else ""


def guess_after(value: object, valid: Iterable[str]) -> str:
    """ "; did you mean 'y'?" to end a message with, when a valid name is near ``value``, else ""."""
    meant = nearest(value, valid)
    return f"; did you mean {meant!r}?" if meant else ""


def unknown(what: str, value: object, valid: Iterable[str], *, also: str = "") -> str:
    """The one wording of a name outside its valid set: "unknown <what> 'x'; did you mean 'y'? valid:
    a, b<also>", the guess there only when a valid name is near."""
    valid = list(valid)
    return f"unknown {what} {value!r}; {did_you_mean(value, valid)}valid: {', '.join(valid)}{also}"


def field_problem(error: dict) -> tuple[str, str]:
    """One error of a pydantic ValidationError (an item of ``.errors()``) as (field, what is wrong):
    a table key at fault named by its place, what was given, and the nearest of a field's choices."""
    loc = error["loc"][:-1] if error["loc"][-1:] == ("[key]",) else error["loc"]
    field = ".".join(str(x) for x in loc) or "(top level)"
    problem = error["msg"].removeprefix("Value error, ")
    if error["type"] not in ("value_error", "missing"):
        problem += f" (got {shortened(repr(error['input']))})"
    if error["type"] == "literal_error":  # "Input should be 'full', 'quick' or 'smoke'"
        problem += guess_after(error["input"], re.findall(r"'([^']*)'", error["ctx"]["expected"]))
    return field, problem
