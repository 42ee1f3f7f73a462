"""The one exception type for user mistakes: the CLI prints its message and exits 2."""


class UserError(Exception):
    """Bad input (a file, a field, a name) that the user can fix. The message says how."""
