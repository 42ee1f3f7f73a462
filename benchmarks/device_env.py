"""Makes the Python that runs the device check able to run ganbench from this checkout, before any of
the loan's minutes are spent: the checkout on the path (no install needed), carried wheels installed
for what the machine lacks (it cannot download), and every dependency pyproject.toml names present at
a version it admits. A CUDA image of PyTorch usually lacks pydantic and torch-fidelity;
``bash benchmarks/fetch_wheels.sh`` downloads them on a machine with pip access."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.tags import sys_tags
from packaging.utils import parse_wheel_filename

ROOT = Path(__file__).resolve().parent.parent
WHEELS = ROOT / "benchmarks" / "wheels"

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


def project_requirements(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    return tomllib.loads(pyproject.read_text())["project"]["dependencies"]


def unmet(requirements: list[str]) -> list[str]:
    """One line per requirement this Python does not meet (its marker applying), naming what it needs."""
    problems = []
    for text in requirements:
        req = Requirement(text)
        if req.marker is not None and not req.marker.evaluate():
            continue
        try:
            version = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            problems.append(f"{req.name}: not installed (ganbench needs {req.specifier or 'any version'})")
            continue
        if not req.specifier.contains(version, prereleases=True):
            problems.append(f"{req.name} {version}: ganbench needs {req.specifier}")
    return problems


def use_path(*folders: Path) -> None:
    """Puts folders first on this process's path and on every subprocess's (PYTHONPATH)."""
    for folder in reversed(folders):
        sys.path.insert(0, str(folder))
    earlier = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join([*map(str, folders), *([earlier] if earlier else [])])


def fits(wheel: Path, tags: frozenset = frozenset(sys_tags())) -> bool:
    """Whether this Python can install ``wheel``: the folder holds one of each binary wheel for each
    Python version fetch_wheels.sh fetched for, as the machine's version is not known beforehand."""
    return not parse_wheel_filename(wheel.name)[3].isdisjoint(tags)


def install_wheels(wheels: list[Path]) -> Path:
    """Installs the wheels, without their dependencies and offline, into a fresh folder put first on the
    path: they take precedence over the machine's own versions, which stay untouched."""
    site = Path(tempfile.mkdtemp(prefix="ganbench-wheels-"))
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-index", "--no-deps", "--no-compile",
         "--disable-pip-version-check", "--target", str(site), *map(str, wheels)],
        check=True,
    )  # fmt: skip
    use_path(site)
    return site


def prepare(wheels: Path = WHEELS, requirements: list[str] | None = None) -> list[str]:
    """The checkout on the path; the wheels under ``wheels`` installed if any requirement (by default
    pyproject.toml's) is unmet; then what is still unmet (empty when ganbench can run)."""
    use_path(ROOT)
    requirements = project_requirements() if requirements is None else requirements
    problems = unmet(requirements)
    carried = [w for w in sorted(wheels.glob("*.whl")) if fits(w)] if wheels.is_dir() else []
    if problems and carried:
        install_wheels(carried)
        problems = unmet(requirements)
    return problems
