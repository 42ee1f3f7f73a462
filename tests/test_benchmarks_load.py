"""The benchmarks and the device check import against the package as it stands: they run only by
hand or on a GPU loan, where a renamed function would surface too late."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_every_benchmark_collects_and_every_script_imports():
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "benchmarks"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert collected.returncode == 0, collected.stdout[-2000:] + collected.stderr[-2000:]
    scripts = sorted(p.stem for p in (REPO / "benchmarks").glob("*.py") if not p.name.startswith(("test_", "conftest")))
    assert {"gpu_check", "stacked_ops", "textbook_loop"} <= set(scripts)
    code = f"import sys; sys.path.insert(0, 'benchmarks'); import {', '.join(scripts)}"
    imported = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert imported.returncode == 0, imported.stderr[-2000:]
