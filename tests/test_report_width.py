"""`ganbench report` in a terminal narrower than its table: the table is split by columns into
parts that each fit, the recipe and n repeated, so no number or name is broken across lines."""

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console

from gan_bench.reporting import render

METRICS = ["fid_lenet_1k_test", "is_lenet_1k", "kid_lenet_1k_test", "precision_lenet_1k_test",
           "recall_lenet_1k_test", "modes_covered", "kl_generated_data", "mean_confidence"]  # fmt: skip


def smoke_like(values: list[str]) -> pd.DataFrame:
    rows = {"recipe": ["keras-mlp", "slides-mlp", "tf-mlp", "torch-mlp"], "n": [3, 3, 3, 3]}
    return pd.DataFrame({**rows, **{m: values for m in METRICS}, "verdicts": ["mode-collapse ×3"] * 4})


def printed(table: pd.DataFrame, width: int) -> list[str]:
    console = Console(record=True, width=width)
    console.print(render.as_rich("suite smoke · mnist · profile smoke · cpu", table, width))
    return console.export_text().splitlines()


def test_a_table_that_fits_is_one_part_and_a_wide_one_splits_with_its_keys_repeated():
    table = smoke_like(["1403.4 ± 12.5", "921.1 ★", "900.3", "1121.1"])
    assert render.column_parts(table, None) == [list(table.columns)]
    assert render.column_parts(table, 1000) == [list(table.columns)]
    parts = render.column_parts(table, 100)
    assert len(parts) > 1 and all(part[:2] == ["recipe", "n"] for part in parts)
    assert [c for part in parts for c in part[2:]] == [*METRICS, "verdicts"]  # each once, in order
    lines = printed(table, 100)
    assert max(cell_len(line) for line in lines) <= 100
    assert sum("(continued" in line for line in lines) == len(parts) - 1
    for text in ("1403.4 ± 12.5", "921.1 ★", "precision_lenet_1k_test", "slides-mlp", "mode-collapse ×3"):
        assert any(text in line for line in lines), text


def test_the_published_note_is_printed_only_under_a_table_with_published_rows():
    ours = smoke_like(["1.0"] * 4)
    assert "rows marked [published]" not in " ".join(" ".join(printed(ours, 300)).split())
    theirs = pd.concat([ours, pd.DataFrame({"recipe": ["GAN [published]"], "n": [10]})]).fillna("—")
    assert "rows marked [published] are copied" in " ".join(" ".join(printed(theirs, 300)).split())


@settings(max_examples=40, deadline=None)
@given(
    width=st.integers(min_value=70, max_value=240),
    values=st.lists(st.from_regex(r"\A[0-9]{1,5}\.[0-9]{1,3}( ± [0-9]{1,3}\.[0-9])?( ★)?\Z"), min_size=4, max_size=4),
)
def test_no_line_is_wider_than_the_terminal_and_no_value_is_broken(width, values):
    lines = printed(smoke_like(values), width)
    assert max(cell_len(line) for line in lines) <= width
    body = [line for line in lines if line.startswith("│")]
    for value in values:
        assert any(value in line for line in body), (value, width)


def test_cli_tables_never_cut_text_short_and_keep_names_whole():
    from gan_bench.cli.tables import terminal_table

    table = terminal_table("ganbench check: suite smoke", ("recipe", "metric", "value", "rule", "result"),
                           whole=("recipe", "metric", "value"))  # fmt: skip
    note = "FAIL (missing: the runs have fid_lenet_100_test instead, under another sample count, backbone or split)"
    table.add_row("slides-mlp", "precision_lenet_1k_test", "missing", "<= 945.3 (baseline 900.3 + 5%)", note)
    console = Console(record=True, width=64)
    console.print(table)
    lines = console.export_text().splitlines()
    assert "…" not in "".join(lines) and max(cell_len(line) for line in lines) <= 64
    assert any("slides-mlp" in line and "precision_lenet_1k_test" in line and "missing" in line for line in lines)
    folded = "".join(line.split("│")[-2].strip() for line in lines if line.startswith("│"))
    assert folded.replace(" ", "") == note.replace(" ", "")  # every character of the note is printed
