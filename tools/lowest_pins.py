"""Print, one per line, the requirements that install ganbench's dependencies at the lowest
versions pyproject.toml admits: each runtime dependency and each of the ``ray`` and
``tensorboard`` extras pinned at its lower bound (``name>=X`` becomes ``name==X``), and the
``test`` extra as written (the test tools need not be old), less mutmut. Read by
tools/lowest_versions.sh."""

from __future__ import annotations

import sys
from pathlib import Path

from packaging.requirements import Requirement

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

PINNED_EXTRAS = ("ray", "tensorboard")
NOT_FOR_TESTS = ("mutmut",)  # tools/mutation.sh's, which no test imports; it needs rich 14.2


def pinned(requirement: str) -> str:
    """``name==lower`` for a ``name>=lower`` requirement (its environment marker kept)."""
    parsed = Requirement(requirement)
    bounds = list(parsed.specifier)
    if len(bounds) != 1 or bounds[0].operator != ">=":
        raise SystemExit(f"pyproject.toml: {requirement!r} has no single lower bound (name>=X) to pin")
    marker = f"; {requirement.split(';', 1)[1].strip()}" if parsed.marker else ""  # as written
    return f"{parsed.name}=={bounds[0].version}{marker}"


def main(pyproject: Path) -> None:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    lines = [pinned(r) for r in project["dependencies"]]
    lines += [pinned(r) for extra in PINNED_EXTRAS for r in extras[extra]]
    lines += [r for r in extras["test"] if Requirement(r).name not in NOT_FOR_TESTS]
    print("\n".join(lines))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "pyproject.toml")
