"""Where suite files are found: a path as given, else a name in the working directory's ``suites/``,
then in ganbench's own shipped suites."""

from __future__ import annotations

from pathlib import Path

from gan_bench import defaults, shipped
from gan_bench.errors import SuiteError


def folders() -> list[Path]:
    """The folders a suite name is looked up in, first match wins."""
    return [Path.cwd() / defaults.SUITES_FOLDER, shipped.folder("suites")]


def suite_path(name_or_path: str | Path) -> Path:
    """A suite file from a path, or a name looked up in :func:`folders`."""
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or candidate.is_file():
        if not candidate.is_file():
            raise SuiteError(f"--suite: file {candidate} does not exist")
        return candidate
    for folder in folders():
        if (folder / f"{name_or_path}.toml").is_file():
            return folder / f"{name_or_path}.toml"
    known = sorted({p.stem for f in folders() if f.is_dir() for p in f.glob("*.toml")})
    raise SuiteError(
        f"--suite: no suite named {str(name_or_path)!r} in {' or '.join(map(str, folders()))}; "
        f"valid: {', '.join(known) or '(none)'}, or a path to a .toml file"
    )


def available_suites() -> list[Path]:
    """Every suite file by name; the working directory's shadow ganbench's own of the same name."""
    seen: dict[str, Path] = {}
    for folder in reversed(folders()):
        if folder.is_dir():
            for p in sorted(folder.glob("*.toml")):
                seen[p.stem] = p
    return [seen[k] for k in sorted(seen)]


def shipped_suite(name: str) -> Path | None:
    """ganbench's own suite file of that name, if it ships one."""
    path = shipped.folder("suites") / f"{name}.toml"
    return path if path.is_file() else None
