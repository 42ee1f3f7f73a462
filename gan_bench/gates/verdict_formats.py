"""The verdicts of a check as people and CI read them: a table, Markdown for a job summary, JUnit XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from gan_bench.gates.check import Verdict
from gan_bench.reporting import environments
from gan_bench.rundir import atomic


def absent(v: Verdict) -> str:
    """What stands for a verdict's value when it has none: "not finite" where the metric was
    scored as NaN or inf (its note says so), else "missing"."""
    return "not finite" if v.note.startswith(("not finite", "not a finite")) else "missing"


def shown_value(v: Verdict) -> str:
    return absent(v) if v.value is None else f"{v.value:.4g}"


def outcome(v: Verdict) -> str:
    return "pass" if v.passed else "FAIL" + (f" ({v.note})" if v.note else "")


def verdict_table(verdicts: list[Verdict]) -> pd.DataFrame:
    """One row per threshold as `check` shows it: recipe, (dataset, for a suite of several), metric,
    value, rule, result."""
    rows = [(v.recipe, v.dataset, v.metric, shown_value(v), v.rule, outcome(v)) for v in verdicts]
    table = pd.DataFrame(rows, columns=["recipe", "dataset", "metric", "value", "rule", "result"])
    return table if any(v.dataset for v in verdicts) else table.drop(columns="dataset")


def markdown(
    suite: str,
    verdicts: list[Verdict],
    baseline: Path | None,
    notes: list[str],
    to_finish: Sequence[str] = (),
    hint: str | None = None,
) -> str:
    """The check as Markdown, for a pull request comment or a CI job summary; ``hint``: how to gate
    only the recipes that ran (:func:`narrowing_hint`)."""
    failed = sum(not v.passed for v in verdicts)
    lines = [
        f"## ganbench check: suite {suite}",
        "",
        verdict_table(verdicts).to_markdown(index=False, disable_numparse=True),
        "",
    ]
    lines += [f"baseline: `{baseline}`", ""] if baseline is not None else []
    lines += [f"note: {note}; {environments.CAVEAT}" for note in notes] + ([""] if notes else [])
    lines += [f"note: {hint}", ""] if hint else []
    lines += [line for note in to_finish for line in (f"note: {note}", "")]
    lines.append(f"**{len(verdicts) - failed} passed, {failed} failed**")
    return "\n".join(lines) + "\n"


def junit(verdicts: list[Verdict], path: Path) -> None:
    failures = sum(not v.passed for v in verdicts)
    root = ET.Element("testsuite", name="ganbench check", tests=str(len(verdicts)), failures=str(failures))
    for v in verdicts:
        where = f"{v.recipe}.{v.dataset}" if v.dataset else v.recipe
        case = ET.SubElement(root, "testcase", classname=f"ganbench.{where}", name=f"{v.metric} {v.rule}")
        if not v.passed:
            value = absent(v) if v.value is None else f"{v.value:.6g}"
            failure = ET.SubElement(case, "failure", message=f"{v.metric} = {value}, needs {v.rule}")
            failure.text = v.note or f"{where}: {v.metric} = {value} fails {v.rule}"
    atomic.write_bytes(path, ET.tostring(root, encoding="utf-8", xml_declaration=True))
