"""Shared fixtures. Tests never download: GANBENCH_OFFLINE is set for every test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import gan_bench as gb
from gan_bench.data import catalogue

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def fidelity_cache(tmp_path_factory):
    """torch-fidelity's cache of reference features and statistics, shared by every test: its entries
    are named by the reference's content and the evaluator's sha256, so what one test caches is right
    for all, and no test spends seconds on the same 10,000 test-image features again."""
    return tmp_path_factory.mktemp("fidelity")


def fresh_cache(root: Path, fidelity: Path) -> Path:
    """An empty user cache (datasets and all) whose fidelity folder is the shared one."""
    (root / "ganbench").mkdir(parents=True, exist_ok=True)
    (root / "ganbench" / "fidelity").symlink_to(fidelity, target_is_directory=True)
    return root


@pytest.fixture(scope="session", autouse=True)
def offline_session(tmp_path_factory, fidelity_cache):
    """Offline, with a user cache of the session's own, for what session- and module-scoped
    fixtures do before any test's own fixtures: never the user's real cache, never a download."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(catalogue.ENV_OFFLINE, "1")
        mp.setenv("XDG_CACHE_HOME", str(fresh_cache(tmp_path_factory.mktemp("session-cache"), fidelity_cache)))
        yield


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path_factory, fidelity_cache):
    monkeypatch.setenv(catalogue.ENV_OFFLINE, "1")
    monkeypatch.setenv("XDG_CACHE_HOME", str(fresh_cache(tmp_path_factory.mktemp("cache"), fidelity_cache)))


@pytest.fixture
def no_data_env(monkeypatch, tmp_path):
    """No GANBENCH_DATA and an empty Debian folder, so only the package and the cache remain."""
    monkeypatch.delenv(catalogue.ENV_DATA, raising=False)
    monkeypatch.setattr(catalogue, "DEBIAN_DATASETS", tmp_path / "debian")


def mnist_files() -> list[Path]:
    return sorted((catalogue.PACKAGE_ASSETS / "mnist").glob("*.gz"))


def copy_mnist_as(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for f in mnist_files():
        shutil.copy(f, folder / f.name)
    return folder


SUITE = """name = "mini"
dataset = "mnist"
seeds = [0, 1]
recipes = ["tf-mlp", "keras-mlp"]
profile = "smoke"

[thresholds.smoke."tf-mlp"]
fid_lenet_1k_test = { max = 100000 }
modes_covered = { min = 1 }

[thresholds.smoke."keras-mlp"]
precision_lenet_1k_test = { baseline = true, tolerance = 0.25 }
is_lenet_1k = { baseline = true, tolerance = 0.05 }
"""


@pytest.fixture(scope="session")
def suite_run(tmp_path_factory):
    """A small scored suite (2 recipes x 2 seeds, smoke), its output folder and a baseline from it,
    made through the Python API."""
    import gan_bench as gb

    root = tmp_path_factory.mktemp("mini")
    (root / "mini.toml").write_text(SUITE)
    done = gb.run_suite(root / "mini.toml", out=root / "runs")  # offline, in offline_session's cache
    assert [r.status for r in done.results] == ["trained"] * 4
    baseline = gb.write_baseline([root / "runs"], root / "baseline.json")
    return root, root / "runs", baseline


def suite_refusal(tmp_path: Path, text: str) -> str:
    """The message load_suite refuses a suite file of this text with, less the file's path, which
    every such message begins with before the field it names."""
    path = tmp_path / "s.toml"
    path.write_text(text)
    with pytest.raises(gb.SuiteError) as raised:
        gb.load_suite(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: field '")
    return message.removeprefix(f"{path}: ")


def cli_commands() -> dict[str, object]:
    """Each leaf command of ganbench's CLI by its name ("data verify") and its click command."""
    from typer.main import get_command

    from gan_bench.cli import app

    def walk(command, path=()):
        if hasattr(command, "commands"):  # a group (typer's own click, not necessarily the installed one)
            for name, sub in command.commands.items():
                yield from walk(sub, (*path, name))
        else:
            yield " ".join(path), command

    return dict(walk(get_command(app)))
