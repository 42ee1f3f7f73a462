"""Where suite files are found: a path as given, else a name in the working directory's ``suites/``,
then in ganbench's own shipped suites."""

from __future__ import annotations

import shlex
from pathlib import Path

from gan_bench import defaults, shipped
from gan_bench.errors import SuiteError, did_you_mean
from gan_bench.rundir.layout import SUITE_FILE


def folders() -> list[Path]:
    """The folders a suite name is looked up in, first match wins (once each: inside a checkout of
    ganbench, the working directory's suites/ is the shipped one)."""
    found: dict[Path, Path] = {}
    for folder in (Path.cwd() / defaults.SUITES_FOLDER, shipped.folder("suites")):
        found.setdefault(folder.resolve(), folder)
    return list(found.values())


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
    if candidate.is_dir():
        raise SuiteError(f"--suite: {candidate} is a folder; {_folder_hint(candidate)}")
    raise SuiteError(
        f"--suite: no suite named {str(name_or_path)!r} in {' or '.join(map(str, folders()))}; "
        f"{did_you_mean(name_or_path, known)}valid: {', '.join(known) or '(none)'}, or a path to a .toml file"
    )


def _folder_hint(folder: Path) -> str:
    """What a folder given for --suite may have been meant as: a suite run's output, or suite files."""
    if (folder / SUITE_FILE).is_file():
        return f"it is a suite run's output folder; `ganbench run --resume {shlex.quote(str(folder))}` continues it"
    files = sorted(p.name for p in folder.glob("*.toml"))
    inside = f" such as {folder / files[0]}" if files else ""
    return f"give a suite name (ganbench list names them) or a suite's .toml file{inside}"


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


def recorded_suite(info: dict, suite_json: Path) -> Path:
    """The suite file that ``suite_json`` (a suite output folder's record, read as ``info``) names:
    the file it recorded, else the suite of its name (a folder copied to another machine)."""
    recorded = info.get("file")
    if recorded and Path(recorded).is_file():
        return Path(recorded)
    try:
        return suite_path(str(info.get("name")))
    except SuiteError:
        gone = f"the suite file it names, {recorded}, is not there, and " if recorded else ""
        raise SuiteError(
            f"{suite_json}: {gone}no suite named {info.get('name')!r} is in {' or '.join(map(str, folders()))}; "
            "pass --suite with that suite's .toml file"
        ) from None
