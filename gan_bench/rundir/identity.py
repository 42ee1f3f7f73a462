"""What identifies a run without loading torch: the spec hash over a recipe's facts, and the
commit of the ganbench checkout that made it (report, check and baseline read these)."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import gan_bench
from gan_bench.errors import shortened

PROVENANCE = ("source", "choices")  # a recipe's descriptive fields: in spec.json, not in the spec hash


def hash_matches(spec: dict) -> bool:
    """Whether spec.json's content gives its spec_hash: over the recipe's facts (provenance left out),
    or, for runs made before provenance was left out, over everything."""
    content = {k: v for k, v in spec.items() if k != "spec_hash"}
    facts = {**content, "recipe": {k: v for k, v in content["recipe"].items() if k not in PROVENANCE}}
    return spec["spec_hash"] in (spec_hash(facts), spec_hash(content))


def differences(recorded: dict, now: dict, shown: int = 3) -> str:
    """Where a run's spec.json and the spec asked for now differ, field by field ("schedule.steps: 5
    there, 10 now"), the first ``shown`` of them; "" when only the hash differs."""
    there, here = _fields(recorded), _fields(json.loads(json.dumps(now)))
    absent = object()
    changed = [
        k for k in sorted(there.keys() | here.keys(), key=chosen_first) if there.get(k, absent) != here.get(k, absent)
    ]
    parts = [
        f"{k}: {_value(there.get(k, absent), absent)} there, {_value(here.get(k, absent), absent)} now" for k in changed
    ]
    more = f"; and {len(parts) - shown} more" if len(parts) > shown else ""
    return "; ".join(parts[:shown]) + more


# The fields a user chooses, named first: what the others (a schedule's intervals, a recipe's facts) follow from.
CHOSEN = ("recipe.name", "dataset", "direction", "seed", "profile", "schedule.steps", "device", "compile", "cuda_graph")


def chosen_first(field: str) -> tuple[int, str]:
    """A sort key for dotted spec fields: the CHOSEN ones first, in that order, then by name."""
    return (CHOSEN.index(field) if field in CHOSEN else len(CHOSEN), field)


def _fields(spec: dict, prefix: str = "") -> dict:
    """A spec flattened to dotted field names, its hash and the recipe's provenance text left out."""
    out = {}
    for key, value in spec.items():
        if key == "spec_hash" or (prefix == "recipe." and key in PROVENANCE):
            continue
        if isinstance(value, dict):
            out.update(_fields(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _value(value, absent) -> str:
    if value is absent:
        return "(none)"
    return shortened(json.dumps(value), 40)


def spec_hash(spec: dict) -> str:
    """sha256 of the spec's canonical JSON (sorted keys, no whitespace)."""
    canonical = json.dumps(spec, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def git_commit() -> str | None:
    """The commit of the ganbench source checkout, when it is one."""
    source = Path(gan_bench.__file__).resolve().parent.parent
    if not (source / ".git").exists():
        return None
    try:
        out = subprocess.run(
            ["git", "-C", str(source), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10
        )
        dirty = subprocess.run(
            ["git", "-C", str(source), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")
