"""What identifies a run without loading torch: the spec hash over a recipe's facts, and the
commit of the ganbench checkout that made it (report, check and baseline read these)."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import gan_bench

PROVENANCE = ("source", "choices")  # a recipe's descriptive fields: in spec.json, not in the spec hash


def hash_matches(spec: dict) -> bool:
    """Whether spec.json's content gives its spec_hash: over the recipe's facts (provenance left out),
    or, for runs made before provenance was left out, over everything."""
    content = {k: v for k, v in spec.items() if k != "spec_hash"}
    facts = {**content, "recipe": {k: v for k, v in content["recipe"].items() if k not in PROVENANCE}}
    return spec["spec_hash"] in (spec_hash(facts), spec_hash(content))


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
