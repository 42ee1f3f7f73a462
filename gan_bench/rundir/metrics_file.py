"""metrics.json: its schema, checked whenever the file is read.

``score`` writes the file atomically (temporary file, fsync, rename), so it is either whole or
absent. A file that is there but does not validate (truncated by hand, edited, from another spec)
is never taken for a result: ``read`` refuses it with the reason, and a suite run with --resume
scores the run again.
"""

from __future__ import annotations

import json
import math
import shlex
from typing import Literal

from pydantic import BaseModel, ConfigDict, FiniteFloat, ValidationError

import gan_bench
from gan_bench.errors import RunDirError, field_problem
from gan_bench.metrics.diagnostics import VERDICTS
from gan_bench.rundir import atomic
from gan_bench.rundir.layout import RunDir, not_an_object

FORMAT = 1  # metrics.json's layout; a later ganbench that changes it writes a higher number


class NewerFormat(RunDirError):
    """A metrics.json from a later ganbench: read by no older one, and never scored over by it."""


class Entry(BaseModel):
    model_config = ConfigDict(extra="allow")
    value: FiniteFloat | None  # NaN is never a value: a metric that could not be computed is null


class MetricsFile(BaseModel):
    model_config = ConfigDict(extra="allow")
    format: int
    spec_hash: str
    recipe: str
    dataset: str
    seed: int
    profile: str
    protocol: dict
    metrics: dict[str, Entry]
    coverage: dict
    diagnostics: dict
    verdict: Literal[VERDICTS]  # type: ignore[valid-type]
    verdict_reason: str


def _checked(run: RunDir) -> tuple[dict | None, str | None]:
    """The parsed metrics.json and why it is not a valid result for its spec (None when it is)."""
    if not run.metrics.is_file():
        return None, "missing"
    try:
        data = json.loads(run.metrics.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        return None, f"unreadable ({e})"
    if wrong := not_an_object(data):
        return None, wrong
    if isinstance(data.get("format"), int) and data["format"] > FORMAT:
        raise NewerFormat(
            f"{run.metrics}: written by a later ganbench (metrics format {data['format']}; ganbench "
            f"{gan_bench.__version__} reads format {FORMAT}); read it with that ganbench, or upgrade this one"
        )
    try:
        MetricsFile.model_validate(data)
    except ValidationError as e:
        return None, "field '{}': {}".format(*field_problem(e.errors()[0]))
    if run.spec.is_file() and data["spec_hash"] != run.read_spec().get("spec_hash"):
        return None, "belongs to another spec (spec_hash differs from spec.json)"
    return data, None


def problem(run: RunDir) -> str | None:
    """Why the run's metrics.json is not a valid result for its spec, or None when it is; a
    NewerFormat when a later ganbench wrote it (it is not this one's to score again)."""
    return _checked(run)[1]


def finite(metrics: dict[str, dict]) -> dict[str, dict]:
    """Metric entries as metrics.json stores them: a NaN or infinite value becomes null, with the
    value it had kept as text under ``not_finite``."""
    out = {}
    for name, entry in metrics.items():
        value = entry.get("value")
        if value is not None and not math.isfinite(value):
            entry = {**entry, "value": None, "not_finite": str(value)}
        out[name] = entry
    return out


def write(run: RunDir, result: dict) -> dict:
    """Write metrics.json atomically, its metric values made finite or null first; returns what was written."""
    written = {**result, "metrics": finite(result["metrics"])}
    atomic.write_json(run.metrics, written)
    return written


def read(run: RunDir) -> dict | None:
    """The validated metrics of a run; None when it has none; a UserError when the file is invalid."""
    if not run.metrics.is_file():
        return None
    data, reason = _checked(run)
    if reason is not None:
        raise RunDirError(
            f"{run.metrics}: invalid metrics file, {reason}; score the run again with `ganbench score {shlex.quote(str(run.root))}`"
        )
    return data
