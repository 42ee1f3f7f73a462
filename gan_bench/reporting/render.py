"""Render the comparison: rich tables, Markdown, CSV (one row per run) and a self-contained HTML page."""

from __future__ import annotations

import base64
import html as html_lib
from collections.abc import Sequence

import pandas as pd
from rich.cells import cell_len
from rich.console import Group
from rich.table import Table
from rich.text import Text

from gan_bench.data.datasets import BUILT
from gan_bench.reporting.published import MARKER, published_rows
from gan_bench.reporting.repeats import IMAGES, table_columns
from gan_bench.reporting.tables import BEST, comparison, metric_columns

PUBLISHED_NOTE = (
    "; rows marked [published] are copied from the paper named, under the same protocol, with the spread "
    "it prints (s.e. or std); beside them ganbench's s.e. = std/√n, and 'vs published' gives ganbench's "
    "mean minus the published one in combined s.e. √(se² + se_published²), within when at most 1"
)


def _title(columns: list[str], keys: tuple) -> str:
    """ "suite smoke · mnist · profile smoke · cpu": a translation task's B-to-A direction follows
    its name, and a source folder ends it where a table is one suite run's."""
    key = dict(zip(columns, keys))
    dataset = key["dataset"] + (" (BtoA)" if key.get("direction") == "BtoA" else "")
    images = key.get(IMAGES)
    dataset += f" · images {images}" if isinstance(images, str) and images else ""
    source = f" · {key['source']}" if "source" in key else ""
    return f"suite {key['suite'] or '(none)'} · {dataset} · profile {key['profile']} · {key['device']}{source}"


def _cell(value: str, spread: str | None, kind: str | None) -> str:
    """A published cell as the paper prints it, its spread named (s.e. or std)."""
    return f"{value}" if spread is None else f"{value} ± {spread} {kind or ''}".rstrip()


def _with_published(table: pd.DataFrame, dataset: str) -> pd.DataFrame:
    """Append the published rows whose protocol matches a column of ``table``, marked [published]."""
    extra = [
        {
            "recipe": row["label"],
            "n": row["trials"] if row["trials"] else "—",
            **{m: _cell(*v, row["spread"]) for m, v in row["values"].items()},
            "verdicts": f"{row['source']}; {row['protocol']}",
        }
        for row in published_rows(list(table.columns), dataset)
    ]
    if not extra:
        return table
    return pd.concat([table.astype(object), pd.DataFrame(extra, dtype=object)], ignore_index=True).fillna("—")


def published_note(table: pd.DataFrame) -> str:
    """The note on published rows, for a table that has any."""
    published = "recipe" in table and table["recipe"].astype(str).str.endswith(MARKER).any()
    return PUBLISHED_NOTE if published else ""


def rich_tables(df: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    columns = table_columns(df)
    return [(_title(columns, keys), _with_published(t, keys[1])) for keys, t in comparison(df).items()]


KEY_COLUMNS = ("recipe", "n")  # repeated in each part of a table split to fit the terminal
FOLDED_WIDTH = 40  # a text column wider than this (a published row's source) wraps inside its cell


def _needed(table: pd.DataFrame, col) -> int:
    """The cells a column takes: its widest entry (capped for text that may wrap), padding, border."""
    widest = max([cell_len(str(col)), *(cell_len(str(v)) for v in table[col])])
    return min(widest, FOLDED_WIDTH) + 3


def column_parts(table: pd.DataFrame, width: int | None) -> list[list]:
    """The table's columns in parts that each fit ``width`` cells beside the key columns, in order;
    one part when they all fit, or when no width is given."""
    keys = [c for c in table.columns if c in KEY_COLUMNS]
    rest = [c for c in table.columns if c not in KEY_COLUMNS]
    if width is None:
        return [keys + rest]
    room = width - 1 - sum(_needed(table, c) for c in keys)
    parts, used = [[]], 0
    for col in rest:
        need = _needed(table, col)
        if parts[-1] and used + need > room:
            parts.append([])
            used = 0
        parts[-1].append(col)
        used += need
    return [keys + part for part in parts]


def as_rich(title: str, table: pd.DataFrame, width: int | None = None) -> Group:
    """The table for a terminal ``width`` cells wide: split by columns into parts that each fit
    (the recipe and n repeated), so no number is ever broken across lines. Every string prints as
    written on any console: "[published]" is text, not rich markup."""
    caption = f"{BEST} best in column · mean ± std over the n seeds{published_note(table)}"
    parts = column_parts(table, width)
    out = []
    for i, cols in enumerate(parts):
        heading = title if i == 0 else f"{title} (continued, {i + 1} of {len(parts)})"
        last = i == len(parts) - 1
        part = Table(title=Text(heading), caption=Text(caption) if last else None)
        for col in cols:
            part.add_column(Text(str(col)), overflow="fold")
        for _, row in table[cols].iterrows():
            part.add_row(*[Text(str(v)) for v in row])
        out.append(part)
    return Group(*out)


def markdown(df: pd.DataFrame, notes: Sequence[str] = ()) -> str:
    """The comparison tables, and ``notes`` (reporting/notes.py) under them."""
    parts = ["# ganbench report", ""]
    for title, table in rich_tables(df):
        parts += [
            f"## {title}",
            "",
            table.to_markdown(index=False, disable_numparse=True),  # cells as formatted: 0.000 stays 0.000
            "",
            f"{BEST} best in column; values are mean ± std over the n seeds{published_note(table)}.",
            "",
        ]
    if notes:
        parts += ["## Notes", "", *(f"- {note}" for note in notes), ""]
    return "\n".join(parts)


def csv(df: pd.DataFrame) -> str:
    """One row per run with the full spec as columns, so any two runs can be compared."""
    return df.sort_values(["suite", "recipe", "seed"]).to_csv(index=False)


def _img(title: str, png: bytes) -> str:
    data = base64.b64encode(png).decode()
    return (
        f'<figure><img alt="{html_lib.escape(title)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{html_lib.escape(title)}</figcaption></figure>"
    )


STYLE = """body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px}
table{border-collapse:collapse;font-size:13px;margin:1em 0}th,td{border:1px solid #ccc;padding:4px 8px}
th{background:#f3f3f3}figure{display:inline-block;margin:0.5em}img{max-width:100%}
figcaption{font-size:12px;color:#555}.scroll{overflow-x:auto}.grids img{image-rendering:pixelated;width:240px}.scatters img{width:380px}"""


def _scrolling(table: str) -> str:
    """A table wider than the page scrolls on its own, not the page with it."""
    return f'<div class="scroll">{table}</div>'


def html(df: pd.DataFrame, notes: Sequence[str] = ()) -> str:
    """A self-contained page: the tables, their plots and sample grids, ``notes``, and every run."""
    from gan_bench.reporting import plots  # matplotlib: only the HTML page draws figures

    body = ["<h1>ganbench report</h1>"]
    groups, columns = comparison(df), table_columns(df)
    for (keys, _table), (title, shown) in zip(groups.items(), rich_tables(df)):
        part = df
        for col, value in zip(columns, keys):
            part = part[part[col] == value]
        body.append(f"<h2>{html_lib.escape(title)}</h2>")
        body.append(_scrolling(shown.to_html(index=False, escape=True, classes="comparison", border=0)))
        body.append(
            f"<p>{BEST} best in column; mean ± std over the n seeds{html_lib.escape(published_note(shown))}. Metric "
            f"names carry their protocol (backbone, samples, reference split).</p>"
        )
        figures = {**plots.curves(part), **plots.quality_and_coverage(part)}
        body += [_img(name, png) for name, png in figures.items()]
        # 2D scatters at their own size; digit grids enlarged
        kind = "scatters" if BUILT.get(keys[1]) == "points" else "grids"
        grids = plots.sample_grids(part)
        if grids:  # samples scored with --input keep no grid
            body.append(f'<h3>Sample grids</h3><div class="{kind}">')
            body += [_img(name, png) for name, png in grids.items()]
            body.append("</div>")
    if notes:
        body.append("<h2>Notes</h2><ul>" + "".join(f"<li>{html_lib.escape(n)}</li>" for n in notes) + "</ul>")
    body.append("<h2>Runs</h2>")
    cols = ["recipe", "seed", "verdict", "verdict_reason", *metric_columns(df), "run"]
    body.append(_scrolling(df[[c for c in cols if c in df]].to_html(index=False, escape=True, border=0)))
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>ganbench report</title>'
        '<link rel="icon" href="data:,">'
        f"<style>{STYLE}</style></head><body>{''.join(body)}</body></html>\n"
    )
