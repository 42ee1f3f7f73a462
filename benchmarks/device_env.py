"""Makes the Python that runs the device check able to run ganbench from this checkout, before any of
the loan's minutes are spent: the checkout on the path (no install needed), carried wheels installed
for what the machine lacks (it cannot download), and every dependency pyproject.toml names present at
a version it admits. A CUDA image of PyTorch usually lacks pydantic, torch-fidelity and
pytest-benchmark; ``bash benchmarks/fetch_wheels.sh`` downloads them on a machine with pip access."""

from __future__ import annotations

import email.parser
import os
import platform
import subprocess
import sys
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

try:
    from packaging.requirements import Requirement
    from packaging.specifiers import SpecifierSet
    from packaging.tags import sys_tags
    from packaging.utils import parse_wheel_filename
except ModuleNotFoundError:  # a bare image: pip, which installs the wheels, carries its own copy
    from pip._vendor.packaging.requirements import Requirement
    from pip._vendor.packaging.specifiers import SpecifierSet
    from pip._vendor.packaging.tags import sys_tags
    from pip._vendor.packaging.utils import parse_wheel_filename

ROOT = Path(__file__).resolve().parent.parent
WHEELS = ROOT / "benchmarks" / "wheels"

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    try:
        import tomli as tomllib
    except ModuleNotFoundError:  # not installed yet: pip's own copy reads pyproject.toml as well
        from pip._vendor import tomli as tomllib


CHECK_TOOLS = ("pytest", "pytest-benchmark")  # the CUDA tests and the training benchmarks run under them


def project_requirements(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """What the device check needs: ganbench's dependencies, then :func:`tool_requirements`."""
    project = tomllib.loads(pyproject.read_text())["project"]
    return project["dependencies"] + _tools(project)


def tool_requirements(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """From ganbench's test extra, the tools the check runs (a CUDA image of PyTorch seldom has
    pytest-benchmark): only the sections that run under them need them."""
    return _tools(tomllib.loads(pyproject.read_text())["project"])


def _tools(project: dict) -> list[str]:
    return [r for r in project["optional-dependencies"]["test"] if Requirement(r).name in CHECK_TOOLS]


def missing_tools() -> dict[str, str]:
    """{tool: what is wrong with it} for each of the check's tools this Python does not meet."""
    return {Requirement(r).name: problem for r in tool_requirements() for problem in unmet([r])}


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
    """Whether this Python can install ``wheel``, by its tags and its Requires-Python: the folder holds
    the wheels fetch_wheels.sh fetched for each Python the machine may have (a binary wheel for each,
    and pure ones that need a newer Python than some)."""
    if parse_wheel_filename(wheel.name)[3].isdisjoint(tags):
        return False
    with zipfile.ZipFile(wheel) as z:
        name = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        needs = email.parser.Parser().parsestr(z.read(name).decode("utf-8"), headersonly=True)["Requires-Python"]
    return needs is None or SpecifierSet(needs).contains(platform.python_version(), prereleases=True)


def install_wheels(folder: Path, names: list[str]) -> Path:
    """Installs the distributions ``names`` from the wheels in ``folder``, without their dependencies
    and offline, into a fresh folder put first on the path: they take precedence over the machine's
    own versions, which stay untouched. pip picks each one's wheel that fits this Python best (the
    folder may hold a pure wheel and a compiled one of the same release)."""
    site = Path(tempfile.mkdtemp(prefix="ganbench-wheels-"))
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-index", "--find-links", str(folder), "--no-deps",
         "--no-compile", "--disable-pip-version-check", "--target", str(site), *names],
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
    carried = (
        sorted({parse_wheel_filename(w.name)[0] for w in wheels.glob("*.whl") if fits(w)}) if wheels.is_dir() else []
    )
    if problems and carried:
        install_wheels(wheels, carried)
        problems = unmet(requirements)
    return problems
