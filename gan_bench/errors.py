"""User mistakes: one base type, a subclass per kind. The CLI prints the message and exits 2; the
Python API lets them propagate. A cache ganbench cannot use is a warning, not an error."""


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
    """A warnings.showwarning that hands a CacheWarning's text to ``note`` and any other warning to
    ``show`` (the one it replaces)."""

    def shown(message, category, *args, **kwargs):
        if issubclass(category, CacheWarning):
            note(f"note: {message}")
        else:
            show(message, category, *args, **kwargs)

    return shown
