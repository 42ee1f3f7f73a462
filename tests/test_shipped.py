"""What ganbench ships beside its code is found from any working directory, in a checkout and in a
built wheel: the suites, the baselines `check` falls back to, the evaluator weights, MNIST and NOTICE."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from conftest import REPO

import gan_bench as gb
from gan_bench import shipped
from gan_bench.errors import SuiteError
from gan_bench.gates import baselines
from gan_bench.suite.locate import folders, recorded_suite, suite_path

SHIPPED_SUITES = {"fashion-mnist", "mnist", "smoke", "stacked-mnist", "toy", "toy-ring-pacgan-code", "translation"}


def test_suites_are_found_by_name_from_another_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert suite_path("smoke") == REPO / "suites" / "smoke.toml"
    assert set(gb.list_suites()) == SHIPPED_SUITES
    (tmp_path / "suites").mkdir()
    (tmp_path / "suites" / "smoke.toml").write_text((REPO / "suites" / "smoke.toml").read_text())
    assert suite_path("smoke") == tmp_path / "suites" / "smoke.toml"  # the working directory's wins


def test_a_checkout_looks_in_its_suites_folder_once(monkeypatch):
    monkeypatch.chdir(REPO)
    assert folders() == [REPO / "suites"]
    with pytest.raises(SuiteError) as refused:
        suite_path("no-such-suite")
    assert f"no suite named 'no-such-suite' in {REPO / 'suites'};" in str(refused.value)


def test_a_suite_json_whose_suite_file_is_gone_falls_back_to_its_name_else_says_so(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    here = tmp_path / "s.toml"
    here.write_text("x")
    record = tmp_path / "runs" / "suite.json"
    assert recorded_suite({"name": "smoke", "file": str(here)}, record) == here  # the file it recorded
    gone = str(tmp_path / "gone.toml")
    assert recorded_suite({"name": "smoke", "file": gone}, record) == REPO / "suites" / "smoke.toml"
    with pytest.raises(SuiteError) as refused:
        recorded_suite({"name": "mine", "file": gone}, record)
    assert str(refused.value) == (
        f"{record}: the suite file it names, {gone}, is not there, and no suite named 'mine' is in "
        f"{tmp_path / 'suites'} or {REPO / 'suites'}; pass --suite with that suite's .toml file"
    )


def test_check_falls_back_to_the_shipped_baseline_and_a_local_one_wins(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    smoke = gb.load_suite("smoke")
    assert baselines.find_baseline(smoke, "smoke", "cpu") == REPO / "results" / "baselines" / "smoke-smoke-cpu.json"
    local = tmp_path / "results" / "baselines" / "smoke-smoke-cpu.json"
    local.parent.mkdir(parents=True)
    local.write_text("{}")
    assert baselines.find_baseline(smoke, "smoke", "cpu") == Path("results/baselines/smoke-smoke-cpu.json")


def test_a_changed_suite_of_a_shipped_name_does_not_borrow_its_baseline(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    mine = tmp_path / "smoke.toml"
    mine.write_text((REPO / "suites" / "smoke.toml").read_text().replace("seeds = [0]", "seeds = [0, 1]"))
    path = baselines.find_baseline(gb.load_suite(mine), "smoke", "cpu")
    assert path == Path("results/baselines/smoke-smoke-cpu.json")
    with pytest.raises(gb.GateError, match="does not exist; write one with `ganbench baseline RUNS`"):
        baselines.read_baseline(path)


def test_restore_advice_fits_the_install(monkeypatch, tmp_path):
    weights = shipped.PACKAGE / "assets" / "evaluators" / "mnist.pt"
    assert shipped.is_checkout()
    assert shipped.restore_advice(weights) == (
        f"restore it with `git checkout -- gan_bench/assets/evaluators/mnist.pt` in {shipped.CHECKOUT}"
    )
    monkeypatch.setattr(shipped, "CHECKOUT", tmp_path)  # as installed: no source tree above the package
    assert not shipped.is_checkout()
    assert shipped.restore_advice(weights) == "restore it with `pip install --force-reinstall --no-deps ganbench`"


def _expected_members() -> set[str]:
    names = {f"gan_bench/_shipped/suites/{s}.toml" for s in SHIPPED_SUITES}
    names |= {f"gan_bench/_shipped/baselines/{p.name}" for p in (REPO / "results" / "baselines").glob("*.json")}
    names |= {f"gan_bench/assets/evaluators/{d}.pt" for d in ("mnist", "fashion-mnist")}
    names |= {f"gan_bench/assets/mnist/{p.name}" for p in (REPO / "gan_bench" / "assets" / "mnist").glob("*.gz")}
    return names | {"gan_bench/assets/NOTICE"}


@pytest.mark.slow
def test_the_wheel_and_sdist_carry_everything_the_cli_needs(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(
        REPO,
        src,
        ignore=shutil.ignore_patterns(
            ".venv", ".ci-*", "mutants", "results", "*.egg-info", "build", "dist", "__pycache__", ".git"
        ),
    )
    shutil.copytree(REPO / "results" / "baselines", src / "results" / "baselines")
    built = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(tmp_path / "dist"), str(src)],
        check=True,
        capture_output=True,
        text=True,
    )
    assert "absent from the `packages` configuration" not in built.stdout + built.stderr  # no data folder left out
    wheel = next((tmp_path / "dist").glob("ganbench-*.whl"))
    members = set(zipfile.ZipFile(wheel).namelist())
    assert _expected_members() <= members
    assert len(_expected_members()) == len(SHIPPED_SUITES) + 2 + 2 + 4 + 1
    modules = {p.relative_to(src).as_posix() for p in (src / "gan_bench").rglob("*.py")}
    assert modules - members == set()  # every subpackage ships, gan_bench/api/ and the rest
    sdist = next((tmp_path / "dist").glob("ganbench-*.tar.gz"))
    with tarfile.open(sdist) as tar:
        inside = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    for needed in (
        "NOTICE",
        "setup.py",
        "suites/smoke.toml",
        "results/baselines/smoke-smoke-cpu.json",
        "gan_bench/assets/evaluators/mnist.pt",
        "gan_bench/assets/mnist/train-images-idx3-ubyte.gz",
    ):
        assert needed in inside


def test_an_unreadable_baseline_names_itself_and_a_shipped_one_says_how_to_restore_it(tmp_path, monkeypatch):
    own = tmp_path / "shipped-baselines"
    own.mkdir()
    monkeypatch.setattr(shipped, "_IN_CHECKOUT", {**shipped._IN_CHECKOUT, "baselines": own})
    broken = own / "smoke-smoke-cpu.json"
    broken.write_text("{not json")
    with pytest.raises(gb.GateError) as caught:
        baselines.read_baseline(broken)
    assert str(caught.value) == (
        f"{broken}: not a readable baseline file (Expecting property name enclosed in double quotes: line 1 column 2 "
        f"(char 1)); restore it with `git checkout -- {broken}` in {shipped.CHECKOUT}"
    )
    mine = tmp_path / "mine.json"
    mine.write_text("{not json")
    with pytest.raises(gb.GateError) as caught:
        baselines.read_baseline(mine)
    assert str(caught.value) == (
        f"{mine}: not a readable baseline file (Expecting property name enclosed in double quotes: line 1 column 2 "
        f"(char 1))"
    )
