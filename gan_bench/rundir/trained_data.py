"""A run is resumed and scored on the translation folder's images it trained on.

A translation folder is named by its path, relative to the folder ganbench ran in, so from
elsewhere, or once its images have changed, the same name can mean other images. env.json records
the digests of the data a run trained on (``dataset_sha256``) and where it was read
(``dataset_files``); a folder whose images load with other digests, or that is gone, is refused
before anything is written.
"""

from __future__ import annotations

from pathlib import Path

from gan_bench.data import folders
from gan_bench.errors import RunDirError
from gan_bench.rundir.layout import RunDir

ADVICE = "{doing} it where {name} names the data it trained on (the folder ganbench ran in, for a relative path)"


def _then(env: dict, files: dict[str, str] | None = None) -> str:
    """ " (/data/facades then)": where env.json says the folder was read, when not where it is now."""
    trained = env.get("dataset_files")
    root = trained.get("root") if isinstance(trained, dict) else None
    return f" ({root} then)" if isinstance(root, str) and root != (files or {}).get("root") else ""


def check_data_here(run: RunDir, name: str, doing: str) -> None:
    """RunDirError, naming where the run read it, when the translation folder ``name`` it trained
    on is no folder here (moved, or named relative to another working folder)."""
    if not folders.is_folder_name(name) or Path(name).expanduser().is_dir():
        return
    raise RunDirError(
        f"{run.root} trained on {name}{_then(run.read_env())}, which names no folder here "
        f"({Path(name).expanduser().absolute()}); {ADVICE.format(doing=doing, name=name)}, or put that data back"
    )


def check_same_data(run: RunDir, name: str, sha256: dict[str, str], files: dict[str, str], doing: str) -> None:
    """RunDirError when the translation folder ``name`` loads as other images than env.json says
    ``run`` trained on; a run whose env.json records no digests (damaged, or written by hand) is let
    through. Other datasets are verified against pinned checksums or built by a formula, whose float
    digest (the 2D mixtures') may differ in the last bit from one CPU's vector units to another's."""
    if not folders.is_folder_name(name):
        return
    env = run.read_env()
    recorded = env.get("dataset_sha256")
    if not isinstance(recorded, dict) or not recorded or recorded == sha256:
        return
    role = next((k for k in recorded if recorded[k] != sha256.get(k)), next(iter(recorded)))
    then = recorded[role] if isinstance(recorded[role], str) else "?"
    where_now = f" ({files['root']} here)" if "root" in files else ""
    raise RunDirError(
        f"{run.env}: {run.root} trained on {name}{_then(env, files)}, but {name}{where_now} holds other data "
        f"({role} sha256 {then[:12]}… then, {sha256.get(role, 'none')[:12]}… now); "
        f"{ADVICE.format(doing=doing, name=name)}, or restore that data"
    )


def check_suite_data(begun: list[tuple[RunDir, str]]) -> None:
    """Before a suite run continues: each of its runs (``(run, dataset)``) begun on a translation
    folder trained on the images the folder holds now, so that none of the rest trains on others."""
    found: dict[str, tuple[dict[str, str], dict[str, str]]] = {}
    for run, name in begun:
        if not folders.is_folder_name(name) or not run.env.is_file():
            continue
        check_data_here(run, name, "resume")
        if name not in found:
            root = Path(name).expanduser()
            found[name] = {"images": folders.images_sha256(root)}, {"root": str(root.resolve())}
        check_same_data(run, name, *found[name], "resume")
