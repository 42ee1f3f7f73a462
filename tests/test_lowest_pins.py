"""tools/lowest_pins.py: every runtime dependency keeps one lower bound, which the lowest-versions
check installs exactly."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tools" / "lowest_pins.py"


def load_tool():
    spec = importlib.util.spec_from_file_location("lowest_pins", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_lower_bound_becomes_a_pin_and_its_marker_stays():
    tool = load_tool()
    assert tool.pinned("torch>=2.6") == "torch==2.6"
    assert tool.pinned("tomli >= 2 ; python_version < '3.11'") == "tomli==2; python_version < '3.11'"


@pytest.mark.parametrize("requirement", ["torch", "torch>=2.6,<3", "torch==2.6", "torch~=2.6"])
def test_a_requirement_without_one_lower_bound_is_refused_by_name(requirement):
    with pytest.raises(SystemExit, match="no single lower bound"):
        load_tool().pinned(requirement)


def test_the_projects_own_dependencies_all_pin(tmp_path):
    done = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, check=True)
    lines = done.stdout.splitlines()
    assert "torch==2.6" in lines and "pydantic==2.13" in lines and "ray==2.30" in lines
    assert "click>=8.2" in lines  # the test extra as written, less mutmut
    assert not any(line.startswith("mutmut") for line in lines)
    assert not any(">=" in line for line in lines[: lines.index("ray==2.30")])
