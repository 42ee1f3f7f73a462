"""Shared fixtures. Tests never download: GANBENCH_OFFLINE is set for every test."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from gan_bench.data import catalogue

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path_factory):
    monkeypatch.setenv(catalogue.ENV_OFFLINE, "1")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


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


def cli_env(**extra) -> dict:
    env = dict(os.environ)
    env.update(extra)
    return env
