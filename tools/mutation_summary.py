"""Summarise a finished `mutmut run`: each surviving mutant with its diff, then `killed K of N`
(a mutant the tests time out on counts as killed)."""

from __future__ import annotations

import subprocess
import sys


def statuses() -> dict[str, str]:
    out = subprocess.run(
        [sys.executable, "-m", "mutmut", "results", "--all", "true"], capture_output=True, text=True, check=True
    ).stdout
    pairs = (line.strip().rsplit(": ", 1) for line in out.splitlines() if ": " in line)
    return {name: status for name, status in pairs}


def main() -> None:
    found = statuses()
    # A mutant that makes the tests hang (mutmut's "timeout") is caught as surely as one that fails them.
    survivors = sorted(name for name, status in found.items() if status not in ("killed", "timeout"))
    for name in survivors:
        diff = subprocess.run([sys.executable, "-m", "mutmut", "show", name], capture_output=True, text=True).stdout
        print(diff.rstrip() + "\n")
    print(f"killed {len(found) - len(survivors)} of {len(found)}")


if __name__ == "__main__":
    main()
