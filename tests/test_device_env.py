"""The device check's environment preparation (benchmarks/device_env.py): on a GPU machine that has
PyTorch but not ganbench's other dependencies, and no internet, it finds what is missing before any
of the loan is spent, and installs it from carried wheels."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

import device_env  # noqa: E402


@pytest.fixture
def own_path(monkeypatch):
    """sys.path and PYTHONPATH restored after the test, whatever it put first."""
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setenv("PYTHONPATH", "earlier")


def probe_wheel(folder: Path, version: str) -> Path:
    """A minimal pure-Python wheel of the distribution ``ganbench-probe``, as pip installs it offline."""
    info = f"ganbench_probe-{version}.dist-info"
    files = {
        "ganbench_probe/__init__.py": f"VERSION = {version!r}\n",
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: ganbench-probe\nVersion: {version}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    files[f"{info}/RECORD"] = "".join(f"{name},,\n" for name in [*files, f"{info}/RECORD"])
    wheel = folder / f"ganbench_probe-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return wheel


def test_unmet_names_the_missing_and_the_too_old_and_skips_other_platforms():
    problems = device_env.unmet(
        [
            "pytest>=7",  # installed, new enough
            "torch>=2.1",  # installed as a local version (2.x+cpu or +cu130): admitted
            "no-such-distribution-xyz>=1.5",
            "pytest>=999",
            "tomli>=2; python_version < '3.0'",  # a marker that does not apply here
        ]
    )
    installed = __import__("importlib.metadata").metadata.version("pytest")
    assert problems == [
        "no-such-distribution-xyz: not installed (ganbench needs >=1.5)",
        f"pytest {installed}: ganbench needs >=999",
    ]


def test_the_projects_own_requirements_are_met_in_the_test_environment():
    requirements = device_env.project_requirements()
    assert any(r.startswith("torch-fidelity") for r in requirements) and any(
        r.startswith("pydantic") for r in requirements
    )
    assert device_env.unmet(requirements) == []


def test_prepare_installs_carried_wheels_only_when_something_is_unmet(tmp_path, own_path):
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    probe_wheel(wheels, "1.2")
    assert device_env.unmet(["ganbench-probe>=1"]) == ["ganbench-probe: not installed (ganbench needs >=1)"]
    assert device_env.prepare(wheels, ["ganbench-probe>=1"]) == []
    site = Path(sys.path[0])
    assert (site / "ganbench_probe" / "__init__.py").is_file() and site.name.startswith("ganbench-wheels-")
    # the checkout, then the wheels, lead every subprocess's path too; what was there stays after them
    assert os.environ["PYTHONPATH"].split(os.pathsep) == [str(site), str(REPO), "earlier"]
    child = subprocess.run(
        [sys.executable, "-c", "import ganbench_probe, gan_bench; print(ganbench_probe.VERSION)"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert child.stdout.strip() == "1.2"


def test_prepare_reports_what_the_wheels_do_not_mend(tmp_path, own_path):
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    probe_wheel(wheels, "0.9")
    assert device_env.prepare(wheels, ["ganbench-probe>=1"]) == ["ganbench-probe 0.9: ganbench needs >=1"]
    assert device_env.prepare(tmp_path / "none", ["absent-dist-xyz"]) == [
        "absent-dist-xyz: not installed (ganbench needs any version)"
    ]


def test_the_check_stops_before_writing_when_a_dependency_is_missing(tmp_path, monkeypatch):
    """gpu_check.py exits 2, naming what is missing and how to bring it, and leaves OUT unmade."""
    import gpu_check

    monkeypatch.setattr(gpu_check, "prepare", lambda wheels: ["pydantic: not installed (ganbench needs >=2.5)"])
    monkeypatch.setattr(sys, "argv", ["gpu_check.py", str(tmp_path / "out"), "--cpu-dry-run", "--wheels", "w"])
    assert gpu_check.main() == 2
    assert not (tmp_path / "out").exists()
