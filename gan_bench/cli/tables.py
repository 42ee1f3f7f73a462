"""The CLI's terminal tables: text is never cut short. A long word folds onto the next line rather
than ending in "…", and the columns that name things (a recipe, a metric, a value) are never broken:
the other columns make room for them."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from rich.text import Text


def terminal_table(title: str, columns: Iterable[str], whole: Iterable[str] = ()) -> Table:
    """A table with ``columns``; those in ``whole`` keep each entry on one line."""
    keep = set(whole)
    table = Table(title=Text(title))
    for col in columns:
        table.add_column(Text(col), overflow="fold", no_wrap=col in keep)
    return table
